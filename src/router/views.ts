/** The JSON shapes of clusters, brokers, topics, partitions and configs (REST-proxy v3). */
import type { Broker } from "../cluster/brokers";
import { describeConfigs } from "../topic/configs";
import type { TopicInfo } from "../topic/types";

/** The v3 list envelope. */
export function list<T>(kind: string, self: string, data: T[]) {
  return { kind: `Kafka${kind}List`, metadata: { self, next: null }, data };
}

export function clusterView(base: string, clusterId: string) {
  const self = `${base}/v3/clusters/${clusterId}`;
  return {
    kind: "KafkaCluster",
    metadata: { self },
    cluster_id: clusterId,
    brokers: { related: `${self}/brokers` },
    topics: { related: `${self}/topics` },
  };
}

export function brokerView(base: string, clusterId: string, b: Broker) {
  return {
    kind: "KafkaBroker",
    metadata: { self: `${base}/v3/clusters/${clusterId}/brokers/${b.id}` },
    cluster_id: clusterId,
    broker_id: b.id,
    name: b.name,
    location_hint: b.locationHint ?? null,
    jurisdiction: b.jurisdiction ?? null,
  };
}

export function topicView(base: string, clusterId: string, t: TopicInfo) {
  const self = `${base}/v3/clusters/${clusterId}/topics/${t.topicName}`;
  return {
    kind: "KafkaTopic",
    metadata: { self },
    cluster_id: clusterId,
    topic_name: t.topicName,
    topic_id: t.topicId,
    is_internal: false,
    partitions_count: t.partitionsCount,
    replication_factor: t.replicationFactor,
    partitions: { related: `${self}/partitions` },
    configs: { related: `${self}/configs` },
  };
}

export function configViews(base: string, clusterId: string, t: TopicInfo) {
  return describeConfigs(t.configs).map((c) => ({
    kind: "KafkaTopicConfig",
    metadata: { self: `${base}/v3/clusters/${clusterId}/topics/${t.topicName}/configs/${c.name}` },
    cluster_id: clusterId,
    topic_name: t.topicName,
    name: c.name,
    value: c.value,
    is_default: c.isDefault,
    is_read_only: false,
    is_sensitive: false,
    source: c.isDefault ? "DEFAULT_CONFIG" : "DYNAMIC_TOPIC_CONFIG",
  }));
}

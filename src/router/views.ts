/**
 * The JSON shapes of clusters, brokers, topics, partitions and configs
 * (REST-proxy v3): every field and `related` link of Confluent's OpenAPI
 * spec that generated clients read, plus Runnel's own (marked ext).
 * Links to resources Runnel does not serve (ACLs before authentication
 * lands, broker configs, reassignments) are given, as the spec requires
 * them; following one is a 404.
 */
import type { Broker } from "../cluster/brokers";
import type { BrokerConfig } from "../cluster/broker-configs";
import { describeConfigs } from "../topic/configs";
import type { TopicInfo } from "../topic/types";
import { isInternalTopic } from "../group/offsets-topic";

/** The v3 list envelope. */
export function list<T>(kind: string, self: string, data: T[]) {
  return { kind: `Kafka${kind}List`, metadata: { self, next: null }, data };
}

/** A resource's `metadata`: its URL and Confluent's resource name (`crn:///kafka={c}/…`). */
export function meta(self: string, clusterId: string, ...path: string[]) {
  return { self, resource_name: `crn:///kafka=${clusterId}${path.map((p) => `/${p}`).join("")}` };
}

const related = (url: string) => ({ related: url });

/** The cluster resource. */
export function clusterView(base: string, clusterId: string) {
  const self = `${base}/v3/clusters/${clusterId}`;
  return {
    kind: "KafkaCluster",
    metadata: meta(self, clusterId),
    cluster_id: clusterId,
    acls: related(`${self}/acls`),
    brokers: related(`${self}/brokers`),
    broker_configs: related(`${self}/broker-configs`),
    consumer_groups: related(`${self}/consumer-groups`),
    topics: related(`${self}/topics`),
    partition_reassignments: related(`${self}/topics/-/partitions/-/reassignment`),
  };
}

/** A broker resource: a placement slot, so no host or port of its own. */
export function brokerView(base: string, clusterId: string, b: Broker) {
  const self = `${base}/v3/clusters/${clusterId}/brokers/${b.id}`;
  return {
    kind: "KafkaBroker",
    metadata: meta(self, clusterId, `broker=${b.id}`),
    cluster_id: clusterId,
    broker_id: b.id,
    host: null,
    port: null,
    rack: b.locationHint ?? b.jurisdiction ?? null,
    configs: related(`${self}/configs`),
    partition_replicas: related(`${self}/partition-replicas`),
    name: b.name,
    location_hint: b.locationHint ?? null,
    jurisdiction: b.jurisdiction ?? null,
  };
}

/** A topic resource; `topic_id` is Runnel's own (Kafka's topic id, fresh on every creation). */
export function topicView(base: string, clusterId: string, t: TopicInfo) {
  const self = `${base}/v3/clusters/${clusterId}/topics/${t.topicName}`;
  return {
    kind: "KafkaTopic",
    metadata: meta(self, clusterId, `topic=${t.topicName}`),
    cluster_id: clusterId,
    topic_name: t.topicName,
    topic_id: t.topicId,
    is_internal: isInternalTopic(t.topicName),
    partitions_count: t.partitionsCount,
    replication_factor: t.replicationFactor,
    partitions: related(`${self}/partitions`),
    configs: related(`${self}/configs`),
    partition_reassignments: related(`${self}/partitions/-/reassignment`),
    authorized_operations: [],
  };
}

/** One of a broker's configs, as Confluent's proxy shows it (Runnel's are all read-only). */
export function brokerConfigView(base: string, clusterId: string, brokerId: number, c: BrokerConfig) {
  return {
    kind: "KafkaBrokerConfig",
    metadata: meta(`${base}/v3/clusters/${clusterId}/brokers/${brokerId}/configs/${c.name}`, clusterId, `broker=${brokerId}`, `config=${c.name}`),
    cluster_id: clusterId,
    broker_id: brokerId,
    name: c.name,
    value: c.value,
    is_default: c.source === "DEFAULT_CONFIG",
    is_read_only: true,
    is_sensitive: false,
    source: c.source,
    synonyms: [{ name: c.name, value: c.value, source: c.source }],
  };
}

/** Every config of a topic, defaults included. */
export function configViews(base: string, clusterId: string, t: TopicInfo) {
  return describeConfigs(t.configs).map((c) => ({
    kind: "KafkaTopicConfig",
    metadata: meta(`${base}/v3/clusters/${clusterId}/topics/${t.topicName}/configs/${c.name}`, clusterId, `topic=${t.topicName}`, `config=${c.name}`),
    cluster_id: clusterId,
    topic_name: t.topicName,
    name: c.name,
    value: c.value,
    is_default: c.isDefault,
    is_read_only: false,
    is_sensitive: false,
    source: c.isDefault ? "DEFAULT_CONFIG" : "DYNAMIC_TOPIC_CONFIG",
    synonyms: c.isDefault ? [] : [{ name: c.name, value: c.value, source: "DYNAMIC_TOPIC_CONFIG" }],
  }));
}

/**
 * The v3 consumer-group resources in the shapes of Confluent's OpenAPI
 * spec (ConsumerGroupData, ConsumerData, ConsumerAssignmentData,
 * ConsumerLagData, ConsumerGroupLagSummaryData): `kind`, `metadata.self`
 * and `resource_name`, and `related` links. Runnel adds to a group the
 * members with their assignments (`consumers` is the list itself, not a
 * link) and its `generation`; `…/consumers` answers ConsumerData as it is.
 */
import { clientIdOf } from "../group/lags";
import type { GroupDescription, LagRow, TopicPartition } from "../group/types";
import { meta } from "./views";

type Member = GroupDescription["members"][number];

/** Where the views live: the server's base URL and the cluster id. */
export interface ViewBase {
  url: string;
  clusterId: string;
}

function groupPath(b: ViewBase, groupId: string): string {
  return `${b.url}/v3/clusters/${b.clusterId}/consumer-groups/${groupId}`;
}

/** A group: state and type (CLASSIC, or CONSUMER for a KIP-848 group) in Confluent's spelling, assignor, members with their assignments. */
export function groupView(b: ViewBase, g: GroupDescription) {
  const self = groupPath(b, g.groupId);
  return {
    kind: "KafkaConsumerGroup",
    metadata: meta(self, b.clusterId, `consumer-group=${g.groupId}`),
    cluster_id: b.clusterId,
    consumer_group_id: g.groupId,
    is_simple: false,
    partition_assignor: g.assignor,
    state: g.state,
    type: g.type,
    is_mixed_consumer_group: false,
    generation: g.generation,
    coordinator: { related: self },
    consumers: g.members.map((m) => memberView(b, g.groupId, m)),
    lag_summary: { related: `${self}/lag-summary` },
  };
}

/** A member as Confluent's ConsumerData: its id, client id, and a link to its assignments. */
export function consumerView(b: ViewBase, groupId: string, m: Member) {
  const self = `${groupPath(b, groupId)}/consumers/${m.memberId}`;
  return {
    kind: "KafkaConsumer",
    metadata: meta(self, b.clusterId, `consumer-group=${groupId}`, `consumer=${m.memberId}`),
    cluster_id: b.clusterId,
    consumer_group_id: groupId,
    consumer_id: m.memberId,
    instance_id: m.kind === "http" ? m.memberId : null,
    client_id: clientIdOf(m),
    assignments: { related: `${self}/assignments` },
  };
}

/** A member inside its group's view: ConsumerData with its partitions listed (Runnel's addition: one call shows who owns what). */
function memberView(b: ViewBase, groupId: string, m: Member) {
  return { ...consumerView(b, groupId, m), assignments: m.assignment.map((tp) => ({ topic_name: tp.topic, partition_id: tp.partition })) };
}

/** One partition a member owns. */
export function assignmentView(b: ViewBase, groupId: string, memberId: string, tp: TopicPartition) {
  const base = groupPath(b, groupId);
  const self = `${base}/consumers/${memberId}/assignments/${tp.topic}/partitions/${tp.partition}`;
  return {
    kind: "KafkaConsumerAssignment",
    metadata: meta(self, b.clusterId, `consumer-group=${groupId}`, `consumer=${memberId}`, `assignment=${tp.topic}`, `partition=${tp.partition}`),
    cluster_id: b.clusterId,
    consumer_group_id: groupId,
    consumer_id: memberId,
    topic_name: tp.topic,
    partition_id: tp.partition,
    partition: { related: `${b.url}/v3/clusters/${b.clusterId}/topics/${tp.topic}/partitions/${tp.partition}` },
    lag: { related: `${base}/lags/${tp.topic}/partitions/${tp.partition}` },
  };
}

/** One partition's lag: high watermark minus committed offset (`current_offset` null when nothing is committed). */
export function lagView(b: ViewBase, groupId: string, r: LagRow) {
  return {
    kind: "KafkaConsumerLag",
    metadata: meta(`${groupPath(b, groupId)}/lags/${r.topic}/partitions/${r.partition}`, b.clusterId, `consumer-group=${groupId}`, `lag=${r.topic}`, `partition=${r.partition}`),
    cluster_id: b.clusterId,
    consumer_group_id: groupId,
    topic_name: r.topic,
    partition_id: r.partition,
    current_offset: r.currentOffset,
    log_end_offset: r.logEndOffset,
    lag: r.lag,
    consumer_id: r.consumerId,
    instance_id: r.clientId === "http" ? r.consumerId : null,
    client_id: r.clientId,
  };
}

/** The group's largest and total lag, and where the largest is (null fields when it has no rows). */
export function lagSummaryView(b: ViewBase, groupId: string, rows: LagRow[]) {
  const max = rows.reduce<LagRow | null>((a, r) => (a === null || r.lag > a.lag ? r : a), null);
  const base = groupPath(b, groupId);
  return {
    kind: "KafkaConsumerGroupLagSummary",
    metadata: meta(`${base}/lag-summary`, b.clusterId, `consumer-group=${groupId}`, "lag-summary"),
    cluster_id: b.clusterId,
    consumer_group_id: groupId,
    max_lag_consumer_id: max?.consumerId ?? null,
    max_lag_instance_id: max !== null && max.clientId === "http" ? max.consumerId : null,
    max_lag_client_id: max?.clientId ?? null,
    max_lag_topic_name: max?.topic ?? null,
    max_lag_partition_id: max?.partition ?? null,
    max_lag: max?.lag ?? 0,
    total_lag: rows.reduce((sum, r) => sum + r.lag, 0),
    max_lag_consumer: max === null || max.consumerId === "" ? null : { related: `${base}/consumers/${max.consumerId}` },
    max_lag_partition: max === null ? null : { related: `${b.url}/v3/clusters/${b.clusterId}/topics/${max.topic}/partitions/${max.partition}` },
  };
}

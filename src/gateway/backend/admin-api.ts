/**
 * The Worker's admin routes (API.md, docs/api.md) as the front door's
 * admin APIs call them: one HTTP call each, under `/v3/clusters/{c}`, with
 * the connection's own credentials, so each is authorized as its HTTP
 * twin. A refusal is a `BackendError` carrying Kafka's name for it.
 */
import type { RunnelApi } from "./runnel-api";

const enc = encodeURIComponent;
const topicPath = (topic: string) => `/topics/${enc(topic)}`;
const partitionPath = (topic: string, partition: number) => `${topicPath(topic)}/partitions/${partition}`;

/** A config as the Worker describes it (a topic's or a broker's). */
export interface ConfigEntry {
  name: string;
  value: string | null;
  isDefault: boolean;
  readOnly: boolean;
  sensitive: boolean;
  /** Kafka's source name (DYNAMIC_TOPIC_CONFIG, STATIC_BROKER_CONFIG, DEFAULT_CONFIG, …). */
  source: string;
  synonyms: { name: string; value: string | null; source: string }[];
}

function configOf(c: Record<string, any>): ConfigEntry {
  return {
    name: c.name,
    value: c.value ?? null,
    isDefault: c.is_default === true,
    readOnly: c.is_read_only === true,
    sensitive: c.is_sensitive === true,
    source: String(c.source),
    synonyms: (c.synonyms ?? []).map((s: Record<string, any>) => ({ name: s.name, value: s.value ?? null, source: String(s.source) })),
  };
}

/** Every config of `topic`, defaults included (needs DESCRIBE_CONFIGS on it). */
export async function topicConfigs(api: RunnelApi, topic: string): Promise<ConfigEntry[]> {
  return (await api.adminCall("GET", `${topicPath(topic)}/configs`)).data.map(configOf);
}

/** The brokers' configs (every broker has the same; needs DESCRIBE_CONFIGS on the cluster). */
export async function brokerConfigs(api: RunnelApi): Promise<ConfigEntry[]> {
  const brokers = (await api.adminCall("GET", "/brokers")).data as { broker_id: number }[];
  return (await api.adminCall("GET", `/brokers/${brokers[0]!.broker_id}/configs`)).data.map(configOf);
}

/** Changes `topic`'s configs all at once, or none (a null value returns one to its default); `validateOnly` checks them only. */
export async function alterTopicConfigs(api: RunnelApi, topic: string, changes: { name: string; value: string | null }[], validateOnly: boolean): Promise<void> {
  await api.adminCall("POST", `${topicPath(topic)}/configs:alter`, { data: changes, validate_only: validateOnly });
}

/** Grows `topic` to `count` partitions (the same or fewer is INVALID_PARTITIONS; needs ALTER on it). */
export async function increasePartitions(api: RunnelApi, topic: string, count: number): Promise<void> {
  await api.adminCall("PATCH", topicPath(topic), { partitions_count: count });
}

/** Moves the partition's log start to `offset` (−1: the high watermark); the new log start offset. */
export async function deleteRecordsBefore(api: RunnelApi, topic: string, partition: number, offset: number): Promise<number> {
  return (await api.adminCall("POST", `${partitionPath(topic, partition)}/records:delete-before`, { offset })).low_watermark;
}

/** Deletes a group without members, with its committed offsets. */
export async function deleteGroup(api: RunnelApi, groupId: string): Promise<void> {
  await api.adminCall("DELETE", `/consumer-groups/${enc(groupId)}`);
}

/** Forgets the group's committed offsets of `partitions` of `topic`. */
export async function deleteGroupOffsets(api: RunnelApi, groupId: string, topic: string, partitions: number[]): Promise<void> {
  await api.adminCall("POST", `/consumer-groups/${enc(groupId)}/offsets:delete`, { topic, partitions });
}

/** The largest leader epoch at or below `epoch` that wrote to the partition, and the offset it ends at (exclusive); −1 and −1 for an epoch newer than the leader's. */
export async function epochEnd(api: RunnelApi, topic: string, partition: number, epoch: number, currentEpoch: number): Promise<{ leaderEpoch: number; endOffset: number }> {
  const b = await api.adminCall("GET", `${partitionPath(topic, partition)}/leader-epochs/${epoch < 0 ? -1 : epoch}?current_leader_epoch=${currentEpoch < 0 ? -1 : currentEpoch}`);
  return { leaderEpoch: b.leader_epoch, endOffset: b.end_offset };
}

export interface ProducerState {
  producerId: number;
  producerEpoch: number;
  lastSequence: number;
  lastTimestampMs: number;
}

/** The idempotent producers the partition's leader remembers. */
export async function producers(api: RunnelApi, topic: string, partition: number): Promise<ProducerState[]> {
  const b = await api.adminCall("GET", `${partitionPath(topic, partition)}/producers`);
  return (b.data as Record<string, number>[]).map((p) => ({ producerId: p.producer_id!, producerEpoch: p.producer_epoch!, lastSequence: p.last_sequence!, lastTimestampMs: p.last_timestamp! }));
}

export interface PartitionSize {
  topic: string;
  partition: number;
  /** Bytes stored on the leader; null when it did not answer. */
  sizeBytes: number | null;
  offsetLag: number | null;
}

/** Every partition's stored bytes on its leader, of `topics` (null: every topic); needs DESCRIBE on the cluster. */
export async function partitionSizes(api: RunnelApi, topics: string[] | null): Promise<PartitionSize[]> {
  // No topics is asked as one no topic has: the Worker still checks the principal may describe the cluster.
  const query = topics === null ? "" : `?${(topics.length === 0 ? [""] : topics).map((t) => `topic_name=${enc(t)}`).join("&")}`;
  const b = await api.adminCall("GET", `/log-dirs${query}`);
  return (b.data as Record<string, any>[]).map((r) => ({ topic: r.topic_name, partition: r.partition_id, sizeBytes: r.size_bytes, offsetLag: r.offset_lag }));
}

/** An ACL in Runnel's (and Confluent's) names. */
export interface AclBinding {
  resource_type: string;
  resource_name: string;
  pattern_type: string;
  principal: string;
  host: string;
  operation: string;
  permission: string;
}

/** A filter over ACLs: each field absent matches every value; enums may be ANY. */
export type AclFilter = Partial<AclBinding>;

const aclQuery = (f: AclFilter) => new URLSearchParams(Object.entries(f).filter((e): e is [string, string] => e[1] !== undefined)).toString();

/** The ACLs matching `filter` (needs ALTER on the cluster, as every ACL call; SECURITY_DISABLED without authentication). */
export async function listAcls(api: RunnelApi, filter: AclFilter): Promise<AclBinding[]> {
  return (await api.adminCall("GET", `/acls?${aclQuery(filter)}`)).data.map(bindingOf);
}

export async function createAcl(api: RunnelApi, acl: AclBinding): Promise<void> {
  await api.adminCall("POST", "/acls", acl);
}

/** Deletes the ACLs matching `filter` (its resource type is required, ANY allowed); the ones deleted. */
export async function deleteAcls(api: RunnelApi, filter: AclFilter & { resource_type: string }): Promise<AclBinding[]> {
  return (await api.adminCall("DELETE", `/acls?${aclQuery(filter)}`)).data.map(bindingOf);
}

function bindingOf(a: Record<string, string>): AclBinding {
  return { resource_type: a.resource_type!, resource_name: a.resource_name!, pattern_type: a.pattern_type!, principal: a.principal!, host: a.host!, operation: a.operation!, permission: a.permission! };
}

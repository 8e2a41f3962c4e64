/**
 * A coordinator's share of `__consumer_offsets`: every committed offset
 * of its group (whoever committed it — a Kafka member, an HTTP instance,
 * a WebSocket subscriber, an offsets reset) and the group's metadata at
 * each new generation, appended to the group's partition in Kafka's
 * formats (offsets-topic.ts), as Kafka's coordinator appends them.
 *
 * Commits are answered from the coordinator's own storage, never held up
 * by the topic: a commit marks its row unlogged and asks the alarm to
 * flush within `offsetsTopicFlushMs`, so the commits of that window go
 * in one batch; a flush that fails (no leader, say) is tried again after
 * `offsetsTopicRetryMs`. What waits is bounded by the group's partitions:
 * a row committed again before its flush is logged once, with its last
 * offset. The topic is created (50 partitions) by the first flush that
 * finds it missing.
 */
import type { Env } from "../env";
import { ErrorCode, RunnelError, unwrap } from "../errors";
import { limits } from "../limits";
import { callLeader } from "../metadata/leaders";
import { forgetTopic, topicMeta } from "../metadata/topic-cache";
import { buildBatch, encodeRecords, type RecordInput } from "../record/record-batch";
import type { AppendOk } from "../replication/types";
import type { AlarmClock } from "../rpc/alarm-clock";
import { callController } from "../rpc/objects";
import type { TopicMeta } from "../topic/types";
import type { GroupParts } from "./group-admin";
import { clientIdOf } from "./lags";
import { encodeAssignment, encodeSubscription } from "./kafka/kafka-consumer-protocol";
import { groupMetadataRecord, groupTombstone, offsetCommitRecord, offsetTombstone, offsetsPartitionFor, OFFSETS_TOPIC, OFFSETS_TOPIC_CONFIGS, OFFSETS_TOPIC_PARTITIONS, OFFSETS_TOPIC_REPLICATION_FACTOR, type GroupMember } from "./offsets-topic";
import { owned } from "./positions";
import type { MemberState, TopicPartition } from "./types";

export class OffsetsLog {
  constructor(
    private readonly parts: () => GroupParts,
    private readonly alarms: AlarmClock,
  ) {}

  /** Something is unlogged: the alarm flushes it within `offsetsTopicFlushMs`. */
  soon(): void {
    void this.alarms.atOrBefore(Date.now() + limits.offsetsTopicFlushMs); // never rejects
  }

  /** Appends what is unlogged to the group's partition (one batch); asks for another flush when some is left or it failed. */
  async flush(): Promise<void> {
    const g = this.parts();
    const groupId = g.membership.groupId;
    if (groupId === "") return; // a coordinator no member ever reached
    const rows = g.offsets.unlogged(limits.offsetsTopicFlushRecordsMax);
    const generation = g.membership.generation;
    const metadataDue = String(generation) !== (g.offsets.loggedGeneration() ?? "0");
    if (rows.length === 0 && !metadataDue) return;
    const nowMs = Date.now();
    const records: RecordInput[] = rows.map((r) => ({ ...offsetCommitRecord({ group: groupId, ...r, commitTimestampMs: r.committedAtMs }), headers: [], timestampMs: r.committedAtMs }));
    if (metadataDue) records.push({ ...groupMetadataRecord(metadataOf(g, groupId, nowMs)), headers: [], timestampMs: nowMs });
    try {
      await append(g.env, offsetsPartitionFor(groupId), records);
    } catch (e) {
      if (!(e instanceof RunnelError) || e.errorCode === ErrorCode.INTERNAL) throw e; // a bug: RunnelObject logs it
      void this.alarms.atOrBefore(Date.now() + limits.offsetsTopicRetryMs); // no leader, a broker down: later
      return;
    }
    g.offsets.markLogged(rows);
    if (metadataDue) g.offsets.setLoggedGeneration(String(generation));
    if (rows.length === limits.offsetsTopicFlushRecordsMax) this.soon();
  }
}

/**
 * Appends Kafka's tombstones of `offsets` (and of the group's metadata
 * when `group`) to the group's partition, as Kafka's coordinator does on
 * DeleteGroups and OffsetDelete, before the deletion is answered: a
 * reader of the topic then drops them. Batches of at most
 * `offsetsTopicFlushRecordsMax`, in order; nothing is appended when the
 * topic was never written (nothing to forget there). Throws the first
 * failure (the batches before it stay: the caller deletes nothing, and a
 * retry writes them again).
 */
export async function appendTombstones(env: Env, groupId: string, offsets: TopicPartition[], group: boolean): Promise<void> {
  const nowMs = Date.now();
  const tombstones = offsets.map((o) => offsetTombstone(groupId, o.topic, o.partition));
  if (group) tombstones.push(groupTombstone(groupId));
  if (tombstones.length === 0 || !(await offsetsTopicExists(env))) return;
  const records = tombstones.map((t) => ({ ...t, headers: [], timestampMs: nowMs }));
  for (let i = 0; i < records.length; i += limits.offsetsTopicFlushRecordsMax) {
    await append(env, offsetsPartitionFor(groupId), records.slice(i, i + limits.offsetsTopicFlushRecordsMax));
  }
}

/** Whether `__consumer_offsets` exists yet. */
async function offsetsTopicExists(env: Env): Promise<boolean> {
  try {
    await topicMeta(env, OFFSETS_TOPIC);
    return true;
  } catch (e) {
    if (e instanceof RunnelError && e.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) return false;
    throw e;
  }
}

/** The group as GroupMetadataValue shows it: every member with its subscription and assignment in the consumer protocol. */
function metadataOf(g: GroupParts, groupId: string, nowMs: number) {
  const members = g.members.all().map((m) => memberOf(m, g.membership.assignor));
  return { group: groupId, generation: g.membership.generation, protocol: members.length > 0 ? g.membership.assignor : null, leader: members[0]?.memberId ?? null, currentStateTimestampMs: nowMs, members };
}

function memberOf(m: MemberState, assignor: string): GroupMember {
  const offered = m.kafka?.protocols.find((p) => p.name === assignor)?.metadata;
  const topics = m.subscription !== null && "topics" in m.subscription ? m.subscription.topics : [...new Set(owned(m).map((tp) => tp.topic))];
  return {
    memberId: m.memberId,
    clientId: clientIdOf(m),
    clientHost: m.kafka?.clientHost ?? "",
    rebalanceTimeoutMs: m.kafka?.rebalanceTimeoutMs ?? m.config.sessionTimeoutMs,
    sessionTimeoutMs: m.config.sessionTimeoutMs,
    subscription: offered === undefined ? encodeSubscription(topics) : Uint8Array.from(atob(offered), (ch) => ch.charCodeAt(0)),
    assignment: encodeAssignment(owned(m)),
  };
}

/** Appends `records` as one batch to `partition` of the offsets topic (acks=1, as Kafka's coordinator with one replica in sync); throws its failure. */
async function append(env: Env, partition: number, records: RecordInput[]): Promise<void> {
  const topic = await offsetsTopic(env);
  const baseTimestampMs = Math.min(...records.map((r) => r.timestampMs));
  const maxTimestampMs = Math.max(...records.map((r) => r.timestampMs));
  const batch = buildBatch({ recordCount: records.length, baseTimestampMs, maxTimestampMs, recordsSection: encodeRecords(records, baseTimestampMs) });
  const appended = await callLeader<AppendOk>(env, topic, partition, (leader) => leader.replica.append({ topicId: topic.topicId, leaderEpoch: leader.leaderEpoch, batches: [batch], acks: 1 }));
  unwrap(appended);
}

/** The offsets topic, created (Kafka's defaults) when it is missing. */
async function offsetsTopic(env: Env): Promise<TopicMeta> {
  try {
    return await topicMeta(env, OFFSETS_TOPIC);
  } catch (e) {
    if (!(e instanceof RunnelError) || e.errorCode !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) throw e;
  }
  const args = { topicName: OFFSETS_TOPIC, partitionsCount: OFFSETS_TOPIC_PARTITIONS, replicationFactor: OFFSETS_TOPIC_REPLICATION_FACTOR, configs: OFFSETS_TOPIC_CONFIGS };
  const created = await callController(env).createTopic(args);
  if (!created.ok && created.error_code !== ErrorCode.TOPIC_ALREADY_EXISTS) unwrap(created); // another coordinator made it first: fine
  forgetTopic(OFFSETS_TOPIC);
  return topicMeta(env, OFFSETS_TOPIC);
}

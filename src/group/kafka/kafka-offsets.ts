/**
 * Kafka's OffsetCommit and OffsetFetch on the group's committed offsets —
 * the same store HTTP instances and WebSocket subscribers commit to, with
 * the same meaning: each offset is the next one to read. The router has
 * already checked the topics (READ to commit, DESCRIBE to fetch).
 */
import { ErrorCode, failure, isFailure, type Failure } from "../../errors";
import { limits } from "../../limits";
import type { GroupParts } from "../group-admin";
import { kafkaMember } from "./kafka-rules";
import type { KafkaCommitArgs, KafkaCommittedOffset, KafkaPartitionResult } from "./kafka-types";
import { topicIndex, topicOf } from "../lookups";
import { staleEpoch, unknownMember } from "../kip848/kip848-rules";
import { tpKey, type MemberState, type OffsetWrite, type TopicPartition } from "../types";

type Offset = KafkaCommitArgs["offsets"][number];

/**
 * Which partitions the committer may commit (an error name for the
 * others), or why it may commit none. A member commits with the
 * generation its JoinGroup was last answered with (else ILLEGAL_GENERATION):
 * in the current generation, what it owns; in an older one — the group
 * rebalanced and it has not joined again yet — only what it was given then
 * (as Kafka accepts commits during PreparingRebalance, which clients make
 * before joining again), anything else REBALANCE_IN_PROGRESS. Member ""
 * with generation -1 stores offsets only, allowed while the group has no
 * members (else UNKNOWN_MEMBER_ID, as Kafka answers).
 */
async function committer(g: GroupParts, groupId: string, a: KafkaCommitArgs): Promise<((tp: TopicPartition) => string | null) | Failure> {
  if (a.memberId === "" && a.generation < 0) {
    if (g.members.size > 0) {
      return failure(ErrorCode.CONSUMER_INSTANCE_NOT_FOUND, `UNKNOWN_MEMBER_ID: group '${groupId}' has ${g.members.size} member(s); only they commit, with their generation`, "UNKNOWN_MEMBER_ID");
    }
    const listed = await g.membership.register(groupId);
    return listed.ok ? () => null : listed;
  }
  const consumer = g.members.get(a.memberId);
  if (consumer?.kip848 !== undefined) return kip848Committer(consumer, a);
  const m = kafkaMember(g, a.memberId);
  if (isFailure(m)) return m;
  m.lastSeenMs = Date.now();
  const k = m.kafka!;
  if (a.generation !== k.joinedGeneration) {
    return failure(ErrorCode.STALE_MEMBER, `ILLEGAL_GENERATION: member '${a.memberId}' commits with generation ${a.generation}, but was given ${k.joinedGeneration}`, "ILLEGAL_GENERATION");
  }
  const current = a.generation === g.membership.generation;
  const may = new Set((current ? [...m.assignment, ...k.held] : k.held).map(tpKey));
  return (tp) => (may.has(tpKey(tp)) ? null : current ? "ILLEGAL_GENERATION" : "REBALANCE_IN_PROGRESS");
}

/**
 * A KIP-848 member commits with its member epoch (else
 * STALE_MEMBER_EPOCH), with OffsetCommit v9 or later (else
 * UNSUPPORTED_VERSION), as Kafka rules; like Kafka, any partition.
 */
function kip848Committer(m: MemberState, a: KafkaCommitArgs): (() => null) | Failure {
  if (a.apiVersion !== undefined && a.apiVersion < KIP848_COMMIT_VERSION) {
    return failure(ErrorCode.BAD_REQUEST, `UNSUPPORTED_VERSION: OffsetCommit version ${KIP848_COMMIT_VERSION} or above must be used by members using the consumer group protocol (KIP-848)`, "UNSUPPORTED_VERSION");
  }
  m.lastSeenMs = Date.now();
  return staleEpoch(m.memberId, a.generation, m.kip848!) ?? (() => null);
}

/**
 * OffsetFetch v9's member check, for a KIP-848 group: a fetch that names
 * a member (or an epoch) must name one of the group's members with its
 * epoch — UNKNOWN_MEMBER_ID, STALE_MEMBER_EPOCH otherwise — as Kafka
 * rules; one naming neither (an admin tool) is served. Null when served.
 */
export function kip848FetchProblem(g: GroupParts, groupId: string, member: { memberId: string | null; memberEpoch: number } | undefined): Failure | null {
  if (member === undefined || (member.memberId === null && member.memberEpoch < 0)) return null;
  if (g.kip848.groupType(g.members.all()) !== "consumer") return null;
  const m = member.memberId === null ? undefined : g.members.get(member.memberId);
  if (m?.kip848 === undefined) return unknownMember(groupId, member.memberId ?? "");
  return staleEpoch(m.memberId, member.memberEpoch, m.kip848);
}

/** The first OffsetCommit version that carries a member epoch. */
const KIP848_COMMIT_VERSION = 9;

/**
 * Each offset checked against its partition: its write, or Kafka's name
 * for why not. Topic by topic, each looked up once; no leader is asked.
 */
async function checkAll(g: GroupParts, offsets: Offset[], allowed: (tp: TopicPartition) => string | null): Promise<(OffsetWrite | string)[]> {
  const outcomes: (OffsetWrite | string)[] = [];
  const byTopic = new Map<string, number[]>();
  offsets.forEach((o, i) => {
    const refused = allowed(o) ?? ((o.metadata?.length ?? 0) > limits.kafkaOffsetMetadataLengthMax ? "OFFSET_METADATA_TOO_LARGE" : null);
    if (refused !== null) outcomes[i] = refused;
    else if (byTopic.has(o.topic)) byTopic.get(o.topic)!.push(i); // push, not a copy per offset (quadratic: 10,000 of one topic took ~260 ms)
    else byTopic.set(o.topic, [i]);
  });
  for (const [topic, indexes] of byTopic) {
    const meta = await topicOf(g.env, topic);
    if (isFailure(meta)) {
      for (const i of indexes) outcomes[i] = meta.error_name ?? "UNKNOWN_SERVER_ERROR";
      continue;
    }
    for (const i of indexes) {
      const o = offsets[i]!;
      // As Kafka: the partition must exist; the offset is not checked against the log (past the high watermark is stored).
      if (o.partition < 0 || o.partition >= meta.partitionsCount) outcomes[i] = "UNKNOWN_TOPIC_OR_PARTITION";
      else if (!Number.isSafeInteger(o.offset) || o.offset < 0) outcomes[i] = "OFFSET_OUT_OF_RANGE";
      else outcomes[i] = { topic, partition: o.partition, offset: o.offset, metadata: o.metadata, topicId: meta.topicId };
    }
  }
  return outcomes;
}

/**
 * OffsetCommit: stores each offset its committer may commit (see
 * `committer`) whose partition exists, any offset of 0 or more (as Kafka,
 * not checked against the log); answers each partition's outcome. Metadata over
 * `kafkaOffsetMetadataLengthMax` is OFFSET_METADATA_TOO_LARGE.
 */
export async function kafkaCommit(g: GroupParts, groupId: string, a: KafkaCommitArgs): Promise<{ ok: true; partitions: KafkaPartitionResult[] } | Failure> {
  const allowed = await committer(g, groupId, a);
  if (typeof allowed !== "function") return allowed;
  const outcomes = await checkAll(g, a.offsets, allowed);
  g.offsets.write(outcomes.filter((o): o is OffsetWrite => typeof o !== "string"));
  return {
    ok: true,
    partitions: a.offsets.map((o, i) => ({ topic: o.topic, partition: o.partition, error: typeof outcomes[i] === "string" ? outcomes[i] : null })),
  };
}

/**
 * OffsetFetch: the committed offset (the next to read) and metadata of
 * each partition asked for, -1 and "" where none is (a topic that does not
 * exist has none); with `topics` null, every partition with a commit.
 * A KIP-848 group checks the member the fetch names (`kip848FetchProblem`).
 */
export async function kafkaCommitted(
  g: GroupParts,
  groupId: string,
  topics: { topic: string; partitions: number[] }[] | null,
  member?: { memberId: string | null; memberEpoch: number },
): Promise<{ ok: true; offsets: KafkaCommittedOffset[] } | Failure> {
  const refused = kip848FetchProblem(g, groupId, member);
  if (refused !== null) return refused;
  const serves = g.membership.serves(groupId);
  if (topics === null) {
    if (!serves) return { ok: true, offsets: [] };
    const listed = await topicIndex(g.env);
    if (!listed.ok) return listed;
    g.offsets.forgetGone(listed.topics);
    return { ok: true, offsets: g.offsets.all().map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset, metadata: o.metadata ?? "", error: null })) };
  }
  const offsets: KafkaCommittedOffset[] = [];
  for (const t of topics) {
    const meta = serves ? await topicOf(g.env, t.topic) : null;
    for (const partition of t.partitions) {
      const tp = { topic: t.topic, partition };
      if (isFailure(meta) && meta.error_code !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
        offsets.push({ ...tp, offset: -1, metadata: "", error: meta.error_name ?? "UNKNOWN_SERVER_ERROR" });
        continue;
      }
      const c = meta === null || isFailure(meta) ? null : g.offsets.get(tp, meta.topicId);
      offsets.push({ ...tp, offset: c?.offset ?? -1, metadata: c?.metadata ?? "", error: null });
    }
  }
  return { ok: true, offsets };
}

/** Group admin (v3): describe, lags, and offset resets while the group has no members. */
import type { Env } from "../env";
import { ErrorCode, failure, isFailure, type Failure } from "../errors";
import { confluentGroupState } from "./kafka/kafka-describe";
import { kip848Assignor } from "./kip848/kip848-describe";
import type { Kip848Store } from "./kip848/kip848-store";
import { lagRows } from "./lags";
import type { GroupCounters } from "./metrics";
import { topicIndex, topicOf } from "./lookups";
import type { MemberStore } from "./member-store";
import { noGroup, subscribedTopics, type Membership } from "./membership";
import type { OffsetStore } from "./offset-store";
import { owned } from "./positions";
import { offsetIn } from "./seek";
import { topicReadability } from "./topic-access";
import { tpKey, type CommittedOffset, type GroupDescription, type LagRow, type MemberState, type OffsetWrite, type SeekTarget } from "./types";

export { GroupCounters } from "./metrics";


/** The parts of a group the admin calls read. */
export interface GroupParts {
  readonly env: Env;
  readonly membership: Membership;
  readonly members: MemberStore;
  readonly offsets: OffsetStore;
  /** Records delivered, and the group's answer to a scrape (GET /metrics). */
  readonly counters: GroupCounters;
  /** A KIP-848 group's group-level state, and which kind the group is. */
  readonly kip848: Kip848Store;
}

/** State, generation, assignor, and members with their partitions; 40405 when this coordinator never served `groupId`. */
export function describeGroup(g: GroupParts, groupId: string): GroupDescription | Failure {
  if (!g.membership.serves(groupId)) return noGroup(groupId);
  const consumer = g.kip848.groupType(g.members.all()) === "consumer";
  return {
    ok: true,
    groupId,
    state: confluentGroupState(g),
    type: consumer ? "CONSUMER" : "CLASSIC",
    generation: g.membership.generation,
    assignor: consumer ? kip848Assignor(g) : g.membership.assignor,
    members: g.members.all().map((m) => ({
      memberId: m.memberId,
      kind: m.kind,
      assignment: owned(m),
      subscription: m.subscription,
      ...(m.kafka === undefined ? {} : { kafka: { clientId: m.kafka.clientId } }),
      ...(m.kip848 === undefined ? {} : { kafka: { clientId: m.kip848.clientId } }),
    })),
  };
}

/**
 * Lag per partition of every topic subscribed to or committed for (that
 * exists: a deleted topic's offsets are dropped here): high watermark
 * minus committed offset.
 */
export async function groupLags(g: GroupParts, groupId: string): Promise<{ ok: true; rows: LagRow[] } | Failure> {
  if (!g.membership.serves(groupId)) return noGroup(groupId);
  const listed = await topicIndex(g.env);
  if (!listed.ok) return listed;
  g.offsets.forgetGone(listed.topics);
  const readable = await topicReadability(g.env);
  const owners = new Map<string, MemberState>();
  const topics = g.offsets.topics();
  for (const m of g.members.all()) {
    for (const tp of owned(m)) owners.set(tpKey(tp), m);
    topics.push(...subscribedTopics(m, listed.topics, readable), ...(m.manual ?? []).map((tp) => tp.topic));
  }
  return lagRows(g.env, topics, listed.topics, g.offsets, owners);
}

/**
 * Sets the committed offsets of `topic` (all partitions, or `partitions`)
 * to `target`; only while the group has no live members (40903). The
 * failure is the real one: unknown topic 40401, partition 40402, no leader 40404, …
 */
export async function resetGroupOffsets(
  g: GroupParts,
  groupId: string,
  topic: string,
  partitions: number[] | null,
  target: SeekTarget,
): Promise<{ ok: true; offsets: CommittedOffset[] } | Failure> {
  if (!g.membership.serves(groupId)) return noGroup(groupId);
  if (g.members.size > 0) return failure(ErrorCode.ILLEGAL_STATE, `group '${groupId}' has ${g.members.size} live member(s); offsets can be reset only while it has none`, "NON_EMPTY_GROUP");
  const meta = await topicOf(g.env, topic);
  if (isFailure(meta)) return meta;
  const changes: OffsetWrite[] = [];
  for (const partition of partitions ?? Array.from({ length: meta.partitionsCount }, (_, p) => p)) {
    const offset = await offsetIn(g.env, meta, partition, target);
    if (typeof offset !== "number") return offset;
    changes.push({ topic, partition, offset, metadata: null, topicId: meta.topicId });
  }
  g.offsets.write(changes);
  return { ok: true, offsets: changes.map((c) => ({ topic: c.topic, partition: c.partition, offset: c.offset, metadata: null })) };
}

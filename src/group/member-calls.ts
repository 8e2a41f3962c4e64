/**
 * The coordinator's member calls that read or move offsets — a records
 * request's plan, commits, committed offsets, the subscription view —
 * over the group's parts. Each is done as the principal of the request:
 * every topic it reads or commits needs READ (topic-access.ts).
 */
import { ErrorCode, failure, isFailure, type Failure } from "../errors";
import type { RecordFormat } from "../fetch/format";
import type { GroupParts } from "./group-admin";
import { topicIndex, topicOf } from "./lookups";
import { subscribedTopics } from "./membership";
import { owned, owns, positionOf, positionsToCommit, resolvePositions, unresolved } from "./positions";
import { checkOffsets } from "./seek";
import { readDenied, topicReadability, unreadable } from "./topic-access";
import { OK, type CommittedOffset, type MemberState, type Ok, type OffsetChange, type PollOk, type Subscription, type TopicPartition } from "./types";

/**
 * A records request of `memberId` by `principal`: counts as a heartbeat,
 * auto-commits what was returned so far, and says where to read each
 * owned partition from (only those of `topic`, when given). A topic the
 * principal may not READ (any more) is a 403 — or, matched by a pattern,
 * is skipped until the next rebalance drops it.
 */
export async function pollPlan(g: GroupParts, memberId: string, principal: string, topic: string | undefined, formats: RecordFormat[]): Promise<PollOk | Failure> {
  const m = g.members.touch(memberId);
  if (isFailure(m)) return m;
  const mismatch = formatMismatch(m, formats);
  if (mismatch !== null) return mismatch;
  const readable = await topicReadability(g.env);
  const byPattern = m.subscription !== null && "pattern" in m.subscription;
  const wanted = owned(m).filter((tp) => (topic === undefined || tp.topic === topic) && (!byPattern || readable(principal, tp.topic)));
  const denied = wanted.find((tp) => !readable(principal, tp.topic));
  if (denied !== undefined) return readDenied(g.env, principal, denied.topic, "consumer.records");
  if (m.config.autoCommit) g.offsets.write(positionsToCommit(m));
  const problem = await resolvePositions(g.env, g.offsets, m, unresolved(m));
  if (problem !== null) return problem;
  g.members.save(m);
  const partitions = wanted.flatMap((tp) => {
    const p = positionOf(m, tp);
    return p === undefined ? [] : [{ ...tp, ...p }];
  });
  const poll: PollOk = { ok: true, generation: g.membership.generation, format: m.config.format, partitions };
  if (m.config.requestTimeoutMs !== undefined) poll.requestTimeoutMs = m.config.requestTimeoutMs;
  return poll;
}

/** 40601 when the client accepts only formats (`formats`) other than the instance's, fixed when it was created; else null. */
export function formatMismatch(m: MemberState, formats: RecordFormat[]): Failure | null {
  if (formats.includes(m.config.format)) return null;
  return failure(
    ErrorCode.NOT_ACCEPTABLE,
    `consumer instance '${m.memberId}' reads in format ${m.config.format}, fixed when it was created; its records come as application/vnd.kafka.${m.config.format}.v2+json, which Accept does not allow`,
  );
}

/**
 * Commits offsets of `memberId` by `principal` (or, with null, everything
 * returned so far). Each `offset` is the next offset to read (Kafka's
 * meaning), or, with `lastConsumed` (the REST proxy's meaning), the last
 * offset consumed, stored as offset + 1. A topic the principal may not
 * READ is 403; a partition the member does not own 40904; past the high
 * watermark 41601; a topic gone 40401, no leader 40404; nothing is
 * committed then.
 */
export async function commitOffsets(g: GroupParts, memberId: string, offsets: OffsetChange[] | null, principal: string, lastConsumed: boolean): Promise<Ok | Failure> {
  const m = g.members.touch(memberId);
  if (isFailure(m)) return m;
  if (offsets === null) {
    g.offsets.write(positionsToCommit(m));
    return OK;
  }
  const denied = await unreadable(g.env, principal, offsets.map((o) => o.topic), "consumer.commit");
  if (denied !== null) return denied;
  const negative = offsets.find((o) => o.offset < 0);
  if (negative !== undefined) return failure(ErrorCode.OFFSET_OUT_OF_RANGE, `offset ${negative.offset} for ${negative.topic}-${negative.partition} is negative`);
  const stale = offsets.find((o) => !owns(m, o));
  if (stale !== undefined) {
    return failure(ErrorCode.STALE_MEMBER, `member '${memberId}' does not own ${stale.topic}-${stale.partition} (generation ${g.membership.generation})`);
  }
  const stored = lastConsumed ? offsets.map((o) => ({ ...o, offset: o.offset + 1 })) : offsets;
  const checked = await checkOffsets(g.env, stored);
  if (!checked.ok) {
    if (!lastConsumed || checked.error_code !== ErrorCode.OFFSET_OUT_OF_RANGE) return checked;
    return failure(checked.error_code, `${checked.message} (the posted offset is the last one consumed: the group stores offset + 1, so at most the high watermark − 1 may be posted)`);
  }
  g.offsets.write(checked.offsets);
  return OK;
}

/** Committed offsets of `partitions` (null: every partition the member owns; named ones need READ); a deleted topic has none. */
export async function committedOffsets(g: GroupParts, memberId: string, partitions: TopicPartition[] | null, principal: string): Promise<{ ok: true; offsets: CommittedOffset[] } | Failure> {
  const m = g.members.touch(memberId);
  if (isFailure(m)) return m;
  const denied = partitions === null ? null : await unreadable(g.env, principal, partitions.map((tp) => tp.topic), "consumer.committed");
  if (denied !== null) return denied;
  const offsets: CommittedOffset[] = [];
  for (const tp of partitions ?? owned(m)) {
    const meta = await topicOf(g.env, tp.topic);
    if (isFailure(meta) && meta.error_code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) continue;
    if (isFailure(meta)) return meta;
    const c = g.offsets.get(tp, meta.topicId);
    if (c !== null) offsets.push(c);
  }
  return { ok: true, offsets };
}

/** A member's subscription and the topics it names, or its pattern matches (and its member may READ) now. */
export async function subscriptionOf(g: GroupParts, memberId: string): Promise<{ ok: true; subscription: Subscription | null; topics: string[] } | Failure> {
  const m = g.members.touch(memberId);
  if (isFailure(m)) return m;
  if (m.subscription === null || "topics" in m.subscription) return { ok: true, subscription: m.subscription, topics: m.subscription?.topics ?? [] };
  const listed = await topicIndex(g.env);
  if (!listed.ok) return listed;
  return { ok: true, subscription: m.subscription, topics: subscribedTopics(m, listed.topics, await topicReadability(g.env)).sort() };
}

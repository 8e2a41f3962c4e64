/**
 * The coordinator's member calls that read or move offsets — a records
 * request's plan, commits, committed offsets, the subscription view,
 * seeks, assignment by hand — over the group's parts. Each is done as the principal of the request:
 * every topic it reads or commits needs READ (topic-access.ts).
 */
import { ErrorCode, failure, isFailure, type Failure } from "../errors";
import type { RecordFormat } from "../fetch/format";
import type { GroupParts } from "./group-admin";
import { topicIndex, topicOf } from "./lookups";
import { subscribedTopics } from "./membership";
import { noMember } from "./member-store";
import { advancePositions, owned, owns, positionOf, positionsToCommit, resolvePositions, setPosition, unresolved } from "./positions";
import { checkOffsets, offsetFor, partitionProblem } from "./seek";
import { readDenied, topicReadability, unreadable } from "./topic-access";
import { OK, tpKey, type CommitOk, type CommittedOffset, type MemberState, type Ok, type OffsetChange, type PollOk, type PositionMove, type SeekTarget, type Subscription, type TopicPartition } from "./types";

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
 * offset consumed, stored as offset + 1. As in Kafka, offsets are not
 * checked against the log (one past the high watermark is stored); a
 * negative one is 41601. A topic the principal may not READ is 403; a
 * partition the member does not own 40904; a topic or partition that does
 * not exist 40401 / 40402; nothing is committed then. Answers what was stored.
 */
export async function commitOffsets(g: GroupParts, memberId: string, offsets: OffsetChange[] | null, principal: string, lastConsumed: boolean): Promise<CommitOk | Failure> {
  const m = g.members.touch(memberId);
  if (isFailure(m)) return m;
  if (offsets === null) {
    const all = positionsToCommit(m);
    g.offsets.write(all);
    return { ok: true, offsets: all };
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
  if (!checked.ok) return checked;
  g.offsets.write(checked.offsets);
  return { ok: true, offsets: checked.offsets };
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

/**
 * The v1 read of one topic, before its poll: OK when the member already
 * reads just that topic, "subscribe" when it takes no part yet (the caller
 * subscribes it), 40901 when it takes part in another way, 40601 for a
 * format the client does not accept.
 */
export function subscribeOncePlan(g: GroupParts, memberId: string, topic: string, formats: RecordFormat[]): Ok | Failure | "subscribe" {
  const m = g.members.touch(memberId);
  if (isFailure(m)) return m;
  const mismatch = formatMismatch(m, formats);
  if (mismatch !== null) return mismatch;
  if (m.manual === null && m.subscription !== null && "topics" in m.subscription && m.subscription.topics.includes(topic)) return OK;
  if (m.manual !== null || m.subscription !== null) {
    return failure(ErrorCode.ALREADY_SUBSCRIBED, `consumer instance '${memberId}' is already subscribed to other topics; a v1 instance reads one topic`);
  }
  return "subscribe";
}

/** Assigns partitions by hand (no group management for this member); each must exist, and `principal` may READ it. */
export async function assignByHand(g: GroupParts, memberId: string, partitions: TopicPartition[], principal: string): Promise<Ok | Failure> {
  const m = g.members.touch(memberId);
  if (isFailure(m)) return m;
  const denied = await unreadable(g.env, principal, partitions.map((tp) => tp.topic), "consumer.assign");
  if (denied !== null) return denied;
  for (const tp of partitions) {
    const problem = await partitionProblem(g.env, tp);
    if (problem !== null) return problem;
  }
  const unique = [...new Map(partitions.map((tp) => [tpKey(tp), { topic: tp.topic, partition: tp.partition }])).values()];
  return g.membership.takePart(memberId, null, unique, principal);
}

/**
 * Moves positions by offset, time, or to either end, for partitions the
 * member owns (40904 otherwise) of topics `principal` may READ (403);
 * `repositioned` hears of the member after (its deliveries restart there).
 */
export async function seekMember(
  g: GroupParts,
  memberId: string,
  targets: (TopicPartition & SeekTarget)[],
  principal: string,
  repositioned: (m: MemberState) => void,
): Promise<Ok | Failure> {
  const m = g.members.touch(memberId);
  if (isFailure(m)) return m;
  const denied = await unreadable(g.env, principal, targets.map((t) => t.topic), "consumer.seek");
  if (denied !== null) return denied;
  const next: [TopicPartition, { offset: number; topicId: string }][] = [];
  for (const t of targets) {
    if (!owns(m, t)) return failure(ErrorCode.STALE_MEMBER, `member '${memberId}' does not own ${t.topic}-${t.partition}`);
    const found = await offsetFor(g.env, t, t);
    if (isFailure(found)) return found;
    next.push([t, found]);
  }
  for (const [tp, position] of next) setPosition(m, tp, position);
  g.members.save(m);
  repositioned(m);
  return OK;
}

/** Moves a member's positions past records returned to it (see `advancePositions`); the partitions whose move counted. */
export function advanceMember(g: GroupParts, memberId: string, moves: PositionMove[]): { ok: true; accepted: TopicPartition[] } | Failure {
  const m = g.members.get(memberId);
  if (m === undefined) return noMember(memberId);
  const accepted = advancePositions(m, moves);
  g.members.save(m);
  return { ok: true, accepted };
}

/** Resets a member's positions in `partitions` (those it owns) by its auto.offset.reset: they were out of range, or their topic was created again. */
export async function resetMemberPositions(g: GroupParts, memberId: string, partitions: TopicPartition[]): Promise<Ok | Failure> {
  const m = g.members.get(memberId);
  if (m === undefined) return noMember(memberId);
  const problem = await resolvePositions(g.env, g.offsets, m, partitions.filter((tp) => owns(m, tp)), true);
  if (problem !== null) return problem;
  g.members.save(m);
  return OK;
}

/** Removes a member: it leaves the group (its partitions are reassigned; an auto-committing one commits first). */
export function removeOne(g: GroupParts, memberId: string): Promise<Ok | Failure> {
  if (!g.members.has(memberId)) return Promise.resolve(noMember(memberId));
  return g.membership.change(() => {
    const m = g.members.get(memberId);
    if (m === undefined) return noMember(memberId);
    if (m.config.autoCommit) g.offsets.write(positionsToCommit(m));
    g.members.delete(memberId);
    return null;
  });
}

/** The partitions a member owns now (by hand, or by the group); counts as a heartbeat. */
export function ownedBy(g: GroupParts, memberId: string): { ok: true; partitions: TopicPartition[] } | Failure {
  const m = g.members.touch(memberId);
  return isFailure(m) ? m : { ok: true, partitions: owned(m) };
}

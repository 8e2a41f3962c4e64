/**
 * Kafka's DeleteGroups and OffsetDelete on a group's coordinator: a group
 * with no members is deleted with its committed offsets, and a group's
 * offsets of a topic none of its members subscribes to can be deleted.
 * Both write Kafka's tombstones to `__consumer_offsets` first (so its
 * readers forget them too) and change nothing when that fails.
 */
import { ErrorCode, failure, RunnelError, type Failure } from "../errors";
import type { GroupParts } from "./group-admin";
import { appendTombstones } from "./offsets-log";
import { patternMatches } from "./topic-pattern";
import { OK, type MemberState, type Ok, type TopicPartition } from "./types";

/** GROUP_ID_NOT_FOUND (40405): this coordinator does not serve `groupId` (never used, or deleted). */
function notFound(groupId: string): Failure {
  return failure(ErrorCode.GROUP_NOT_FOUND, `GROUP_ID_NOT_FOUND: consumer group '${groupId}' not found`, "GROUP_ID_NOT_FOUND");
}

/** Runs `write` (the tombstones); a refusal it throws (no leader, say) is the answer, a bug is rethrown. */
async function tombstoned(write: () => Promise<void>): Promise<Failure | null> {
  try {
    await write();
    return null;
  } catch (e) {
    if (!(e instanceof RunnelError) || e.errorCode === ErrorCode.INTERNAL) throw e;
    return failure(e.errorCode, `the group's tombstones could not be written to __consumer_offsets, so nothing was deleted: ${e.message}`, e.errorName ?? null);
  }
}

/**
 * DeleteGroups: a group with no members (of any kind) is deleted with
 * every committed offset; it is listed no more until it is used again.
 * NON_EMPTY_GROUP (40903) while it has members, GROUP_ID_NOT_FOUND (40405)
 * for a group this coordinator does not serve.
 */
export async function deleteGroup(g: GroupParts, groupId: string): Promise<Ok | Failure> {
  if (!g.membership.serves(groupId)) return notFound(groupId);
  if (g.members.size > 0) return failure(ErrorCode.ILLEGAL_STATE, `NON_EMPTY_GROUP: group '${groupId}' has ${g.members.size} member(s); a group is deleted only once it has none`, "NON_EMPTY_GROUP");
  const offsets = g.offsets.all();
  const refused = await tombstoned(() => appendTombstones(g.env, groupId, offsets, true));
  if (refused !== null) return refused;
  if (g.members.size > 0) return failure(ErrorCode.ILLEGAL_STATE, `NON_EMPTY_GROUP: a member joined group '${groupId}' while it was being deleted`, "NON_EMPTY_GROUP");
  g.offsets.delete(g.offsets.all()); // a commit that came meanwhile goes too, as if it had come first
  g.membership.forget();
  return OK;
}

/** What OffsetDelete answers: the partitions asked (or, when none were named, those whose offsets were forgotten). */
export interface OffsetsDeleted {
  ok: true;
  partitions: TopicPartition[];
}

/** Whether `m` subscribes to `topic`: by name, by a pattern matching it, or by hand. */
function subscribes(m: MemberState, topic: string): boolean {
  if (m.manual !== null) return m.manual.some((tp) => tp.topic === topic);
  if (m.subscription === null) return false;
  return "topics" in m.subscription ? m.subscription.topics.includes(topic) : patternMatches(m.subscription.pattern, topic);
}

/**
 * OffsetDelete: forgets the committed offsets of `partitions` of `topic`
 * (null: every partition with one), answering the partitions asked (or
 * forgotten). GROUP_SUBSCRIBED_TO_TOPIC (40903) while a member subscribes
 * to the topic, as Kafka refuses it; GROUP_ID_NOT_FOUND (40405) for a
 * group this coordinator does not serve.
 */
export async function deleteOffsets(g: GroupParts, groupId: string, topic: string, partitions: number[] | null): Promise<OffsetsDeleted | Failure> {
  if (!g.membership.serves(groupId)) return notFound(groupId);
  const subscriber = g.members.all().find((m) => subscribes(m, topic));
  if (subscriber !== undefined) {
    return failure(ErrorCode.ILLEGAL_STATE, `GROUP_SUBSCRIBED_TO_TOPIC: member '${subscriber.memberId}' of group '${groupId}' subscribes to topic '${topic}'`, "GROUP_SUBSCRIBED_TO_TOPIC");
  }
  const committed = g.offsets.all().filter((o) => o.topic === topic && (partitions === null || partitions.includes(o.partition)));
  const refused = await tombstoned(() => appendTombstones(g.env, groupId, committed, false));
  if (refused !== null) return refused;
  g.offsets.delete(committed);
  const asked = partitions === null ? committed.map((o) => o.partition) : partitions;
  return { ok: true, partitions: asked.map((partition) => ({ topic, partition })) };
}

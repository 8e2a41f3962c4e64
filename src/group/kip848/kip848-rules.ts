/**
 * The checks of KIP-848's ConsumerGroupHeartbeat, as Kafka's group
 * coordinator makes them, and its refusals. Every refusal's message
 * starts with Kafka's error name, which the front door turns into the
 * code (INVALID_REQUEST, UNSUPPORTED_ASSIGNOR, INVALID_REGULAR_EXPRESSION,
 * FENCED_MEMBER_EPOCH, UNKNOWN_MEMBER_ID, GROUP_ID_NOT_FOUND,
 * UNRELEASED_INSTANCE_ID, FENCED_INSTANCE_ID, STALE_MEMBER_EPOCH).
 */
import { ErrorCode, failure, type Failure } from "../../errors";
import { limits } from "../../limits";
import { tpKey, type TopicPartition } from "../types";
import { regexProblem } from "./kip848-topics";
import type { Kip848HeartbeatArgs, Kip848MemberInfo } from "./kip848-types";
import { isServerAssignor, SERVER_ASSIGNORS } from "./server-assignors";

/** The epoch a member leaves with. */
export const LEAVE_EPOCH = -1;
/** The epoch a static member leaves with when it means to come back (its partitions wait for it until its session ends). */
export const STATIC_LEAVE_EPOCH = -2;
/** The first version in which a member always names itself (KIP-1082). */
const MEMBER_ID_REQUIRED_VERSION = 1;

const blank = (s: string | null) => s !== null && s.trim() === "";

/** Why the heartbeat is refused before anything is looked up (Kafka's request validation), or null. */
export function requestProblem(a: Kip848HeartbeatArgs): Failure | null {
  if ((a.version >= MEMBER_ID_REQUIRED_VERSION || a.memberEpoch > 0 || a.memberEpoch === LEAVE_EPOCH) && a.memberId.trim() === "") return invalid("MemberId can't be empty.");
  if (blank(a.instanceId)) return invalid("InstanceId can't be empty.");
  if (blank(a.rackId)) return invalid("RackId can't be empty.");
  if (a.memberEpoch === 0) {
    if (a.rebalanceTimeoutMs === -1) return invalid("RebalanceTimeoutMs must be provided in first request.");
    if (a.ownedPartitions === null || a.ownedPartitions.length > 0) return invalid("TopicPartitions must be empty when (re-)joining.");
    if (a.subscribedTopicNames === null && a.subscribedTopicRegex === null) return invalid("Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when (re-)joining.");
  } else if (a.memberEpoch === STATIC_LEAVE_EPOCH) {
    if (a.instanceId === null) return invalid("InstanceId can't be null.");
  } else if (a.memberEpoch < STATIC_LEAVE_EPOCH) {
    return invalid("MemberEpoch is invalid.");
  }
  if (a.rebalanceTimeoutMs < -1) return invalid("RebalanceTimeoutMs is invalid.");
  if ((a.subscribedTopicNames?.length ?? 0) > limits.topicsCountMax) return invalid(`SubscribedTopicNames names at most ${limits.topicsCountMax} topics.`);
  if (a.serverAssignor !== null && !isServerAssignor(a.serverAssignor)) {
    const why = `UNSUPPORTED_ASSIGNOR: ServerAssignor ${a.serverAssignor} is not supported. Supported assignors: ${SERVER_ASSIGNORS.join(", ")}.`;
    return failure(ErrorCode.BAD_REQUEST, why, "UNSUPPORTED_ASSIGNOR");
  }
  return a.subscribedTopicRegex === null || a.subscribedTopicRegex === "" ? null : regexProblem(a.subscribedTopicRegex);
}

function invalid(why: string): Failure {
  return failure(ErrorCode.BAD_REQUEST, `INVALID_REQUEST: ${why}`, "INVALID_REQUEST");
}

/**
 * FENCED_MEMBER_EPOCH when the member comes with an epoch the
 * coordinator did not give it, or null. An older epoch is accepted when
 * it is the member's previous one and it owns only what it was given
 * (the answer that moved it on may have been lost), as Kafka accepts it.
 */
export function fencedEpoch(k: Kip848MemberInfo, assigned: TopicPartition[], received: number, owned: TopicPartition[] | null): Failure | null {
  if (received === k.memberEpoch) return null;
  if (received < k.memberEpoch && received === k.previousMemberEpoch && owned !== null) {
    const keys = new Set(assigned.map(tpKey));
    if (owned.every((tp) => keys.has(tpKey(tp)))) return null;
  }
  const side = received > k.memberEpoch ? "greater" : "smaller";
  const why = `FENCED_MEMBER_EPOCH: the member has a ${side} member epoch (${received}) than the one known by the group coordinator (${k.memberEpoch}); it must abandon all its partitions and rejoin`;
  return failure(ErrorCode.STALE_MEMBER, why, "FENCED_MEMBER_EPOCH");
}

/** UNKNOWN_MEMBER_ID: no such member of this KIP-848 group (it left, or timed out). */
export function unknownMember(groupId: string, memberId: string): Failure {
  return failure(ErrorCode.CONSUMER_INSTANCE_NOT_FOUND, `UNKNOWN_MEMBER_ID: member ${memberId} is not a member of group ${groupId}`, "UNKNOWN_MEMBER_ID");
}

/** UNKNOWN_MEMBER_ID: no static member has that instance id. */
export function unknownInstance(instanceId: string): Failure {
  return failure(ErrorCode.CONSUMER_INSTANCE_NOT_FOUND, `UNKNOWN_MEMBER_ID: instance id ${instanceId} is unknown`, "UNKNOWN_MEMBER_ID");
}

/** GROUP_ID_NOT_FOUND: the group is a classic group (or none at all), not a KIP-848 one. */
export function notConsumerGroup(groupId: string, exists: boolean): Failure {
  const why = exists ? `GROUP_ID_NOT_FOUND: group ${groupId} is not a consumer group` : `GROUP_ID_NOT_FOUND: consumer group ${groupId} not found`;
  return failure(ErrorCode.GROUP_NOT_FOUND, why, "GROUP_ID_NOT_FOUND");
}

/** UNRELEASED_INSTANCE_ID: another member has the instance id and has not left. */
export function unreleasedInstance(memberId: string, instanceId: string, owner: string): Failure {
  const why = `UNRELEASED_INSTANCE_ID: static member ${memberId} with instance id ${instanceId} cannot join the group because the instance id is owned by member ${owner}`;
  return failure(ErrorCode.ILLEGAL_STATE, why, "UNRELEASED_INSTANCE_ID");
}

/** FENCED_INSTANCE_ID: the instance id belongs to another member now. */
export function fencedInstance(memberId: string, instanceId: string, owner: string): Failure {
  return failure(ErrorCode.ILLEGAL_STATE, `FENCED_INSTANCE_ID: static member ${memberId} with instance id ${instanceId} was fenced by member ${owner}`, "FENCED_INSTANCE_ID");
}

/** GROUP_MAX_SIZE_REACHED: the group has `groupMembersMax` members. */
export function groupFull(groupId: string): Failure {
  return failure(ErrorCode.OVERLOADED, `GROUP_MAX_SIZE_REACHED: group ${groupId} has reached its maximum capacity of ${limits.groupMembersMax} members`, "GROUP_MAX_SIZE_REACHED");
}

/**
 * Whether a KIP-848 member may commit or fetch offsets with `epoch`:
 * STALE_MEMBER_EPOCH for another epoch than its own, as Kafka answers.
 */
export function staleEpoch(memberId: string, epoch: number, k: Kip848MemberInfo): Failure | null {
  if (epoch === k.memberEpoch) return null;
  return failure(ErrorCode.STALE_MEMBER, `STALE_MEMBER_EPOCH: member ${memberId} came with member epoch ${epoch}, but its epoch is ${k.memberEpoch}`, "STALE_MEMBER_EPOCH");
}

/**
 * The Kafka group protocol's checks and refusals. Every refusal's message
 * starts with Kafka's error name, which the front door turns into the
 * code (UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, REBALANCE_IN_PROGRESS,
 * INCONSISTENT_GROUP_PROTOCOL, INVALID_SESSION_TIMEOUT).
 */
import { fromBase64 } from "../../bytes/base64";
import { ErrorCode, failure, type Failure } from "../../errors";
import { limits } from "../../limits";
import type { GroupParts } from "../group-admin";
import { decodeSubscription } from "./kafka-consumer-protocol";
import type { KafkaJoinArgs } from "./kafka-types";
import type { MemberState, TopicPartition } from "../types";

/** What a JoinGroup subscribes to, read from its protocols' metadata. */
export interface JoinChecked {
  topics: string[];
  /** What it says it still owns (cooperative clients; none for eager ones). */
  owned: TopicPartition[];
}

/**
 * The subscription of a JoinGroup, or why it is refused: a protocol type
 * other than "consumer", no protocols, or no protocol whose metadata is a
 * consumer subscription (INCONSISTENT_GROUP_PROTOCOL); a session timeout
 * outside [sessionTimeoutMsMin, sessionTimeoutMsMax] (INVALID_SESSION_TIMEOUT).
 * Every protocol names the same topics in the clients Runnel knows; the
 * first that reads is taken.
 */
export function joinProblem(a: KafkaJoinArgs): JoinChecked | Failure {
  if (a.protocolType !== "consumer") return inconsistent(`protocol type '${a.protocolType}' is not served: Runnel groups are consumer groups`);
  if (a.protocols.length === 0) return inconsistent("the JoinGroup offers no protocol");
  if (a.sessionTimeoutMs < limits.sessionTimeoutMsMin || a.sessionTimeoutMs > limits.sessionTimeoutMsMax) {
    const message = `INVALID_SESSION_TIMEOUT: session timeout ${a.sessionTimeoutMs} ms is outside [${limits.sessionTimeoutMsMin}, ${limits.sessionTimeoutMsMax}]`;
    return failure(ErrorCode.INVALID_CONSUMER_CONFIG, message, "INVALID_SESSION_TIMEOUT");
  }
  for (const p of a.protocols) {
    let bytes: Uint8Array;
    try {
      bytes = fromBase64(p.metadata);
    } catch {
      continue;
    }
    const s = decodeSubscription(bytes);
    if (s === null) continue;
    if (s.topics.length > limits.topicsCountMax) return inconsistent(`a subscription names at most ${limits.topicsCountMax} topics`);
    return { topics: [...new Set(s.topics)], owned: s.ownedPartitions };
  }
  return inconsistent("no protocol's metadata is a consumer subscription (ConsumerProtocolSubscription)");
}

function inconsistent(why: string): Failure {
  return failure(ErrorCode.ILLEGAL_STATE, `INCONSISTENT_GROUP_PROTOCOL: ${why}`, "INCONSISTENT_GROUP_PROTOCOL");
}

/** The Kafka member `memberId`, or UNKNOWN_MEMBER_ID (also for an HTTP or WebSocket member of that id). */
export function kafkaMember(g: GroupParts, memberId: string): MemberState | Failure {
  const m = g.members.get(memberId);
  if (m?.kafka !== undefined) return m;
  return failure(ErrorCode.CONSUMER_INSTANCE_NOT_FOUND, `UNKNOWN_MEMBER_ID: '${memberId}' is not a Kafka member of group '${g.membership.groupId}' (it may have left or timed out)`, "UNKNOWN_MEMBER_ID");
}

/** ILLEGAL_GENERATION: `generation` is not the one the member was last given. */
export function illegalGeneration(memberId: string, generation: number, given: number): Failure {
  return failure(ErrorCode.STALE_MEMBER, `ILLEGAL_GENERATION: member '${memberId}' was given generation ${given}, not ${generation}`, "ILLEGAL_GENERATION");
}

/** REBALANCE_IN_PROGRESS: the member must join again. */
export function rebalancing(why: string): Failure {
  return failure(ErrorCode.ILLEGAL_STATE, `REBALANCE_IN_PROGRESS: ${why}`, "REBALANCE_IN_PROGRESS");
}

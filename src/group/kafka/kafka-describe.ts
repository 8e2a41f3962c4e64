/**
 * A group as Kafka's DescribeGroups shows it — every member, whatever its
 * kind — and the group's state in Kafka's terms, which the v3 admin
 * views share (in Confluent's spelling).
 */
import { toBase64 } from "../../bytes/base64";
import { ErrorCode, failure, type Failure } from "../../errors";
import { consumerGroupState } from "../kip848/kip848-describe";
import type { GroupParts } from "../group-admin";
import { encodeAssignment, encodeSubscription } from "./kafka-consumer-protocol";
import { chooseProtocol, kafkaMembers } from "./kafka-protocol";
import type { KafkaDescription, KafkaGroupState } from "./kafka-types";
import { clientIdOf } from "../lags";
import { owned } from "../positions";
import type { MemberState } from "../types";

/**
 * The group's state: PreparingRebalance while a change waits or runs, or
 * a Kafka member has not joined again since the generation changed;
 * CompletingRebalance while a Kafka member has joined but not yet synced;
 * else Empty without members, Stable with them. (Dead is a group never
 * used, which only DescribeGroups shows.)
 */
export function groupState(g: GroupParts): Exclude<KafkaGroupState, "Dead"> {
  const generation = g.membership.generation;
  const kafka = kafkaMembers(g.members.all()).map((m) => m.kafka!);
  if (g.membership.rebalancing || kafka.some((k) => k.joinedGeneration !== generation)) return "PreparingRebalance";
  if (kafka.some((k) => k.syncedGeneration !== generation)) return "CompletingRebalance";
  return g.members.size === 0 ? "Empty" : "Stable";
}

/** Kafka's group states in Confluent's spelling. */
const CONFLUENT_STATE = {
  Empty: "EMPTY",
  Stable: "STABLE",
  PreparingRebalance: "PREPARING_REBALANCE",
  CompletingRebalance: "COMPLETING_REBALANCE",
} as const;

/** KIP-848 groups' states in Confluent's spelling. */
const CONFLUENT_CONSUMER_STATE = { Empty: "EMPTY", Assigning: "ASSIGNING", Reconciling: "RECONCILING", Stable: "STABLE" } as const;

/** A group's state as the v3 API and `/metrics` show it (Confluent's spelling of `groupState`). */
export type ConfluentGroupState = (typeof CONFLUENT_STATE)[keyof typeof CONFLUENT_STATE] | (typeof CONFLUENT_CONSUMER_STATE)[keyof typeof CONFLUENT_CONSUMER_STATE];

/** `groupState(g)` in Confluent's spelling; a KIP-848 group's own state (kip848-describe.ts) for such a group. */
export function confluentGroupState(g: GroupParts): ConfluentGroupState {
  if (g.kip848.groupType(g.members.all()) === "consumer") return CONFLUENT_CONSUMER_STATE[consumerGroupState(g)];
  return CONFLUENT_STATE[groupState(g)];
}

/**
 * DescribeGroups for `groupId`: Dead for a group never used; otherwise
 * its state, protocol type "consumer", the protocol its Kafka members
 * share (else the group's assignor), and every member with its client id
 * and host, subscription and assignment in Kafka's consumer-protocol bytes.
 * A KIP-848 group is GROUP_ID_NOT_FOUND, as Kafka answers (it is not a classic group).
 */
export function kafkaDescribe(g: GroupParts, groupId: string): KafkaDescription | Failure {
  if (!g.membership.serves(groupId)) return { ok: true, state: "Dead", protocolType: "", protocol: "", members: [] };
  if (g.kip848.groupType(g.members.all()) === "consumer") {
    return failure(ErrorCode.GROUP_NOT_FOUND, `GROUP_ID_NOT_FOUND: group ${groupId} is not a classic group (it uses the consumer group protocol of KIP-848: ConsumerGroupDescribe describes it)`);
  }
  const all = g.members.all();
  const state = groupState(g);
  const choice = chooseProtocol(all);
  const protocol = state === "Empty" ? "" : (choice?.name ?? g.membership.assignor);
  const members = all.map((m) => ({
    memberId: m.memberId,
    clientId: m.kafka?.clientId ?? clientIdOf(m),
    clientHost: m.kafka?.clientHost ?? "",
    metadata: metadataOf(m, choice?.name),
    assignment: toBase64(encodeAssignment(owned(m))),
  }));
  return { ok: true, state, protocolType: "consumer", protocol, members };
}

/** A Kafka member's metadata for the group's protocol (else its first); another member's made from its topics. */
function metadataOf(m: MemberState, protocol: string | undefined): string {
  if (m.kafka !== undefined) return (m.kafka.protocols.find((p) => p.name === protocol) ?? m.kafka.protocols[0])?.metadata ?? "";
  const topics = m.subscription !== null && "topics" in m.subscription ? m.subscription.topics : [...new Set(owned(m).map((tp) => tp.topic))];
  return toBase64(encodeSubscription(topics));
}

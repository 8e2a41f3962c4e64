/**
 * A KIP-848 group as Kafka's ConsumerGroupDescribe shows it — state,
 * group and target-assignment epochs, assignor, every member with what it
 * owns and its target — and its state for the other views (ListGroups,
 * the v3 admin API).
 */
import type { Failure } from "../../errors";
import type { GroupParts } from "../group-admin";
import type { TopicIndex } from "../types";
import { kip848Members, preferredAssignor } from "./kip848-members";
import { notConsumerGroup } from "./kip848-rules";
import { byTopic } from "./kip848-topics";
import type { ConsumerGroupState, Kip848Description } from "./kip848-types";
import { reconciledTo } from "./reconcile";
import { DEFAULT_SERVER_ASSIGNOR } from "./server-assignors";

/**
 * Kafka's state of a KIP-848 group: Empty without members; Assigning
 * while the group epoch is past the target's (a new target is due);
 * Reconciling while a member is not yet at the target; else Stable.
 */
export function consumerGroupState(g: GroupParts): ConsumerGroupState {
  const members = kip848Members(g);
  if (members.length === 0) return "Empty";
  const targetEpoch = g.kip848.targetEpoch;
  if (g.membership.generation > targetEpoch) return "Assigning";
  return members.every((m) => reconciledTo(m.kip848!, targetEpoch)) ? "Stable" : "Reconciling";
}

/** The assignor the group uses (or would, were it to plan now). */
export function kip848Assignor(g: GroupParts): string {
  return preferredAssignor(kip848Members(g), DEFAULT_SERVER_ASSIGNOR);
}

/** ConsumerGroupDescribe of `groupId`; GROUP_ID_NOT_FOUND for a group that is not a KIP-848 group (or none). Topics are named with `topics`' ids. */
export function kip848Describe(g: GroupParts, groupId: string, topics: TopicIndex): Kip848Description | Failure {
  if (!g.membership.serves(groupId)) return notConsumerGroup(groupId, false);
  if (g.kip848.groupType(g.members.all()) !== "consumer") return notConsumerGroup(groupId, true);
  const members = kip848Members(g).map((m) => {
    const k = m.kip848!;
    return {
      memberId: m.memberId,
      instanceId: k.instanceId,
      rackId: k.rackId,
      memberEpoch: k.memberEpoch,
      clientId: k.clientId,
      clientHost: k.clientHost,
      subscribedTopicNames: k.subscribedTopicNames,
      subscribedTopicRegex: k.subscribedTopicRegex,
      assignment: byTopic(m.assignment, topics),
      targetAssignment: byTopic(k.target, topics),
    };
  });
  return {
    ok: true,
    state: consumerGroupState(g),
    groupEpoch: g.membership.generation,
    assignmentEpoch: g.kip848.targetEpoch,
    assignorName: kip848Assignor(g),
    members,
  };
}

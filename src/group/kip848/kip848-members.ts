/**
 * Which member a KIP-848 heartbeat is from, as Kafka's coordinator finds
 * it: a joining member (epoch 0) is created, or — a static member coming
 * back under its instance id — takes the place of its earlier self with
 * that one's partitions; any other heartbeat must name a member that
 * exists, with the epoch it was given. Also what a heartbeat changes in
 * its member.
 */
import { isFailure, type Failure } from "../../errors";
import { limits } from "../../limits";
import type { GroupParts } from "../group-admin";
import type { MemberState, TopicPartition } from "../types";
import { fencedEpoch, fencedInstance, groupFull, STATIC_LEAVE_EPOCH, unknownInstance, unknownMember, unreleasedInstance } from "./kip848-rules";
import type { Kip848HeartbeatArgs } from "./kip848-types";

/** The KIP-848 members of the group, in joining order. */
export function kip848Members(g: GroupParts): MemberState[] {
  return g.members.all().filter((m) => m.kip848 !== undefined);
}

/** The member a heartbeat is from (a new one, unsaved, for a join), or why it is refused. */
export function memberFor(g: GroupParts, groupId: string, a: Kip848HeartbeatArgs, owned: TopicPartition[] | null, nowMs: number): MemberState | Failure {
  const staticMember = a.instanceId === null ? undefined : kip848Members(g).find((m) => m.kip848!.instanceId === a.instanceId);
  if (a.memberEpoch === 0) {
    const memberId = a.memberId === "" ? crypto.randomUUID() : a.memberId; // v0: the coordinator names the member
    if (staticMember !== undefined) return replacing(g, staticMember, memberId);
    const existing = g.members.get(memberId);
    if (existing?.kip848 !== undefined) return existing; // joining again (it was fenced, say): it keeps its state
    if (g.members.size >= limits.groupMembersMax) return groupFull(groupId);
    return newMember(memberId, a, nowMs);
  }
  let m: MemberState | undefined;
  if (a.instanceId === null) {
    m = g.members.get(a.memberId);
    if (m?.kip848 === undefined) return unknownMember(groupId, a.memberId);
  } else {
    if (staticMember === undefined) return unknownInstance(a.instanceId);
    if (staticMember.memberId !== a.memberId) return fencedInstance(a.memberId, a.instanceId, staticMember.memberId);
    m = staticMember;
  }
  return fencedEpoch(m.kip848!, m.assignment, a.memberEpoch, owned) ?? m;
}

/**
 * A static member joining under an instance id another member holds:
 * allowed only once that one left meaning to come back (epoch -2); the
 * new member takes its place, subscription, partitions and target.
 */
function replacing(g: GroupParts, old: MemberState, memberId: string): MemberState | Failure {
  const k = old.kip848!;
  if (k.memberEpoch !== STATIC_LEAVE_EPOCH && old.memberId !== memberId) return unreleasedInstance(memberId, k.instanceId!, old.memberId);
  g.members.delete(old.memberId);
  return { ...old, memberId, kip848: { ...k, memberEpoch: 0, previousMemberEpoch: 0 } };
}

function newMember(memberId: string, a: Kip848HeartbeatArgs, nowMs: number): MemberState {
  return {
    memberId,
    kind: "kip848",
    principal: a.principal,
    config: { format: "binary", autoOffsetReset: "latest", autoCommit: false, sessionTimeoutMs: limits.consumerGroupSessionTimeoutMsDefault },
    subscription: null,
    manual: null,
    assignment: [],
    positions: {},
    lastSeenMs: nowMs,
    kip848: {
      clientId: a.clientId,
      clientHost: a.clientHost,
      instanceId: a.instanceId,
      rackId: a.rackId,
      rebalanceTimeoutMs: Math.max(0, a.rebalanceTimeoutMs),
      serverAssignor: a.serverAssignor,
      subscribedTopicNames: [],
      subscribedTopicRegex: null,
      memberEpoch: 0,
      previousMemberEpoch: -1,
      state: "stable",
      pendingRevocation: [],
      target: [],
      revokeDeadlineMs: null,
    },
  };
}

/**
 * Takes what the heartbeat says (fields it sent; null ones stay as they
 * were) into `m`; whether its subscription changed (which moves the
 * group epoch). An empty regex is none.
 */
export function takeHeartbeat(m: MemberState, a: Kip848HeartbeatArgs, sessionTimeoutMs: number, nowMs: number): boolean {
  const k = m.kip848!;
  const names = a.subscribedTopicNames === null ? k.subscribedTopicNames : [...new Set(a.subscribedTopicNames)].sort();
  const regex = a.subscribedTopicRegex === null ? k.subscribedTopicRegex : a.subscribedTopicRegex === "" ? null : a.subscribedTopicRegex;
  const changed = regex !== k.subscribedTopicRegex || names.length !== k.subscribedTopicNames.length || names.some((t, i) => t !== k.subscribedTopicNames[i]);
  m.kip848 = {
    ...k,
    clientId: a.clientId,
    clientHost: a.clientHost,
    instanceId: a.instanceId ?? k.instanceId,
    rackId: a.rackId ?? k.rackId,
    rebalanceTimeoutMs: a.rebalanceTimeoutMs === -1 ? k.rebalanceTimeoutMs : Math.min(a.rebalanceTimeoutMs, limits.kafkaRebalanceTimeoutMsMax),
    serverAssignor: a.serverAssignor ?? k.serverAssignor,
    subscribedTopicNames: names,
    subscribedTopicRegex: regex,
  };
  m.principal = a.principal;
  m.config = { ...m.config, sessionTimeoutMs };
  m.lastSeenMs = nowMs;
  return changed;
}

/** The assignor the group uses: the one most of its members ask for (ties by name), else the default. */
export function preferredAssignor(members: MemberState[], fallback: string): string {
  const counts = new Map<string, number>();
  for (const m of members) {
    const name = m.kip848?.serverAssignor;
    if (name !== null && name !== undefined) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const best = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
  return best?.[0] ?? fallback;
}

/** Whether `value` is a refusal rather than a member. */
export const refused = (value: MemberState | Failure): value is Failure => isFailure(value);

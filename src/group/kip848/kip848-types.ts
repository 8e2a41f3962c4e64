/**
 * The consumer group protocol of KIP-848 (ConsumerGroupHeartbeat,
 * ConsumerGroupDescribe): what a member of such a group keeps, and the
 * coordinator's RPC shapes for it. Partitions are named by topic here;
 * the front door turns Kafka's topic ids into Runnel's (a UUID as text)
 * and back, and the coordinator names topics by id only at its edges.
 */
import type { TopicPartition } from "../types";

/**
 * Where a member is in its reconciliation (Kafka's MemberState): stable
 * at the target epoch; waiting for it to give up partitions
 * (`unrevoked`); or given what was free of the target, waiting for the
 * rest to be released by other members (`unreleased`).
 */
export type ReconcileState = "stable" | "unrevoked" | "unreleased";

/** A KIP-848 member's own state, beside the common member state (whose `assignment` is what it owns now). */
export interface Kip848MemberInfo {
  clientId: string;
  /** The address it connects from, as Kafka shows it ("/127.0.0.1"). */
  clientHost: string;
  /** Its group.instance.id (a static member), or null. */
  instanceId: string | null;
  rackId: string | null;
  /** How long it may take to give up partitions before it is removed. */
  rebalanceTimeoutMs: number;
  /** The server assignor it asked for (group.remote.assignor), or null. */
  serverAssignor: string | null;
  subscribedTopicNames: string[];
  /** Its subscription's regular expression (RE2, whole names), or null. */
  subscribedTopicRegex: string | null;
  /** Its epoch: the target epoch it was last brought to; -2 while a static member is away. */
  memberEpoch: number;
  /** Its epoch before the last change (a heartbeat that lost its answer may come with it). */
  previousMemberEpoch: number;
  state: ReconcileState;
  /** Partitions it still owns but must give up (it reads them until it says it let go). */
  pendingRevocation: TopicPartition[];
  /** Its part of the group's target assignment. */
  target: TopicPartition[];
  /** While `unrevoked`: when it is removed if it has not given its partitions up (epoch ms), else null. */
  revokeDeadlineMs: number | null;
}

/** Partitions of one topic, by Runnel's topic id (a UUID as text). */
export interface TopicIdPartitions {
  topicId: string;
  partitions: number[];
}

/** Partitions of one topic, by id and name. */
export interface NamedTopicPartitions extends TopicIdPartitions {
  topic: string;
}

/** A ConsumerGroupHeartbeat as the coordinator takes it (Kafka's fields; null where the member sent none). */
export interface Kip848HeartbeatArgs {
  /** The request's version: from v1 the member always names itself. */
  version: number;
  memberId: string;
  /** 0 to join, -1 to leave, -2 for a static member leaving for a while, else the member's epoch. */
  memberEpoch: number;
  instanceId: string | null;
  rackId: string | null;
  /** -1: unchanged. */
  rebalanceTimeoutMs: number;
  subscribedTopicNames: string[] | null;
  subscribedTopicRegex: string | null;
  serverAssignor: string | null;
  /** What the member owns now (null: unchanged since its last heartbeat). */
  ownedPartitions: TopicIdPartitions[] | null;
  clientId: string;
  clientHost: string;
  /** Who the member acts as (READ on its topics is checked for it). */
  principal: string;
}

export interface Kip848HeartbeatOk {
  ok: true;
  memberId: string;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  /** What it owns now, when it changed or the member sent a full request; else null. */
  assignment: NamedTopicPartitions[] | null;
}

/** KIP-848 group states as Kafka names them. */
export type ConsumerGroupState = "Empty" | "Assigning" | "Reconciling" | "Stable";

export interface Kip848MemberDescription {
  memberId: string;
  instanceId: string | null;
  rackId: string | null;
  memberEpoch: number;
  clientId: string;
  clientHost: string;
  subscribedTopicNames: string[];
  subscribedTopicRegex: string | null;
  assignment: NamedTopicPartitions[];
  targetAssignment: NamedTopicPartitions[];
}

export interface Kip848Description {
  ok: true;
  state: ConsumerGroupState;
  groupEpoch: number;
  assignmentEpoch: number;
  assignorName: string;
  members: Kip848MemberDescription[];
}

/** The group-level settings of a KIP-848 group (Kafka's group configs consumer.session.timeout.ms, consumer.heartbeat.interval.ms). */
export interface Kip848Configs {
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
}

/** What the group coordinator keeps per member, and its RPC shapes. */
import type { RecordFormat } from "../fetch/format";
import type { Assignor, TopicPartition } from "./assignors";
import type { Kip848MemberInfo } from "./kip848/kip848-types";

export type { TopicPartition };

/** The plain success result of a coordinator RPC method. */
export type Ok = { ok: true };
export const OK: Ok = { ok: true };

export interface MemberConfig {
  format: RecordFormat;
  autoOffsetReset: "earliest" | "latest";
  autoCommit: boolean;
  /** A member silent this long leaves the group. */
  sessionTimeoutMs: number;
  /** Default `timeout` of a records request (`consumer.request.timeout.ms`); absent: `consumerPollMsDefault`. */
  requestTimeoutMs?: number;
}

export type Subscription = { topics: string[] } | { pattern: string };

/**
 * Where a member reads a partition next, in the topic it was resolved
 * for: a topic deleted and created again under the same name has a new
 * topic id, and a position of the old one means nothing there. A topic
 * id of "" is a position stored before ids were kept (matches any id).
 */
export interface Position {
  offset: number;
  topicId: string;
}

/**
 * How a member takes part: an HTTP consumer instance, a WebSocket
 * subscriber, a Kafka consumer of the classic protocol (JoinGroup), or a
 * Kafka consumer of KIP-848's consumer group protocol (ConsumerGroupHeartbeat);
 * the last only in groups of its own kind.
 */
export type MemberKind = "http" | "ws" | "kafka" | "kip848";

/** A Kafka consumer's part of its member state: what it joined with, and where it is in the group's generations. */
export interface KafkaMemberInfo {
  clientId: string;
  /** The address it connects from, as Kafka shows it ("/127.0.0.1"). */
  clientHost: string;
  /** How long its JoinGroup may wait for the group's other Kafka members to rejoin (capped by `kafkaRebalanceTimeoutMsMax`). */
  rebalanceTimeoutMs: number;
  /** The protocols (assignor names) it offered, in its order, each with its subscription metadata (base64). */
  protocols: { name: string; metadata: string }[];
  /** The generation its last JoinGroup was answered with; 0 before the first answer. */
  joinedGeneration: number;
  /** The generation its last SyncGroup was answered with; 0 before the first. */
  syncedGeneration: number;
  /**
   * The partitions it may still be reading and may commit with the
   * generation it last joined: what its last SyncGroup gave it, until its
   * next JoinGroup is answered (then what it says it still owns).
   */
  held: TopicPartition[];
}

export interface MemberState {
  memberId: string;
  kind: MemberKind;
  /**
   * Who the member acts as where no request says (a rebalance matching
   * its pattern, its WebSocket frames): the principal it joined or last
   * subscribed as.
   */
  principal: string;
  config: MemberConfig;
  subscription: Subscription | null;
  /** Partitions assigned by hand (no group management for this member), or null. */
  manual: TopicPartition[] | null;
  /** What the group gave this member in the current generation. */
  assignment: TopicPartition[];
  /** Next offset to deliver per owned partition (by `tpKey`); absent until resolved. */
  positions: Record<string, Position>;
  /**
   * WebSocket subscribers only: partitions whose delivery waits at a
   * record the member's format cannot show (by `tpKey`: that offset),
   * until the subscriber seeks elsewhere.
   */
  blocked?: Record<string, number>;
  /** Kafka members only. */
  kafka?: KafkaMemberInfo;
  /** KIP-848 members only (their `assignment` is what they own now; their subscription is kept here, not in `subscription`). */
  kip848?: Kip848MemberInfo;
  lastSeenMs: number;
}

export interface CreateMemberArgs {
  name?: string;
  principal: string;
  config: MemberConfig;
  assignor?: Assignor;
}

/** One partition to read for a poll, from `offset` of topic id `topicId`. */
export interface PollPartition extends TopicPartition, Position {}

export interface PollOk {
  ok: true;
  generation: number;
  format: RecordFormat;
  /** The instance's `consumer.request.timeout.ms`, if it set one. */
  requestTimeoutMs?: number;
  partitions: PollPartition[];
}

/** A position moved past records returned to a member: from `from` to `next` (exclusive). */
export interface PositionMove extends TopicPartition {
  from: number;
  next: number;
}

export interface CommittedOffset extends TopicPartition {
  offset: number;
  metadata: string | null;
}

export interface OffsetChange extends TopicPartition {
  offset: number;
  metadata?: string | null;
}

/** An offset to store, stamped with the id of the topic it was checked against. */
export interface OffsetWrite extends OffsetChange {
  topicId: string;
}

/** What a commit stored: each offset (the next to read) with its topic id. */
export interface CommitOk {
  ok: true;
  offsets: OffsetWrite[];
}

/** A partition's offset by number, by time, or at either end. */
export type SeekTarget = { offset: number } | { timestamp: number } | { to: "earliest" | "latest" };

/** Every topic that exists now, by name: its partition count and topic id. */
export type TopicIndex = Map<string, { partitionsCount: number; topicId: string }>;

export interface GroupDescription {
  ok: true;
  groupId: string;
  /** Confluent's spelling of Kafka's group states (the last two are KIP-848 groups'). */
  state: "EMPTY" | "STABLE" | "PREPARING_REBALANCE" | "COMPLETING_REBALANCE" | "ASSIGNING" | "RECONCILING";
  /** Confluent's spelling of the group's kind: CONSUMER for a KIP-848 group. */
  type: "CLASSIC" | "CONSUMER";
  /** The generation; a KIP-848 group's epoch. */
  generation: number;
  /** The assignor: a classic one, or a KIP-848 group's server assignor (uniform, range). */
  assignor: string;
  /** Each member; a Kafka member with its client id. */
  members: { memberId: string; kind: MemberKind; assignment: TopicPartition[]; subscription: Subscription | null; kafka?: { clientId: string } }[];
}

export interface LagRow extends TopicPartition {
  currentOffset: number | null;
  logEndOffset: number;
  lag: number;
  /** The member that owns the partition now, or "". */
  consumerId: string;
  clientId: string;
}

/** "topic\u0000partition": the key of a partition in maps. */
export function tpKey(tp: TopicPartition): string {
  return `${tp.topic}\u0000${tp.partition}`;
}

/** What the group coordinator keeps per member, and its RPC shapes. */
import type { RecordFormat } from "../fetch/format";
import type { Assignor, TopicPartition } from "./assignors";

export type { TopicPartition };

export interface MemberConfig {
  format: RecordFormat;
  autoOffsetReset: "earliest" | "latest";
  autoCommit: boolean;
  /** A member silent this long leaves the group. */
  sessionTimeoutMs: number;
}

export type Subscription = { topics: string[] } | { pattern: string };

export interface MemberState {
  memberId: string;
  kind: "http" | "ws";
  config: MemberConfig;
  subscription: Subscription | null;
  /** Partitions assigned by hand (no group management for this member), or null. */
  manual: TopicPartition[] | null;
  /** What the group gave this member in the current generation. */
  assignment: TopicPartition[];
  /** Next offset to deliver per owned partition ("topic\u0000partition"); absent until resolved. */
  positions: Record<string, number>;
  lastSeenMs: number;
}

export interface CreateMemberArgs {
  name?: string;
  config: MemberConfig;
  assignor?: Assignor;
}

/** One partition to read for a poll, from `offset`. */
export interface PollPartition extends TopicPartition {
  offset: number;
}

export interface PollOk {
  ok: true;
  generation: number;
  format: RecordFormat;
  partitions: PollPartition[];
}

export interface CommittedOffset extends TopicPartition {
  offset: number;
  metadata: string | null;
}

export interface OffsetChange extends TopicPartition {
  offset: number;
  metadata?: string | null;
}

/** A partition's offset by number, by time, or at either end. */
export type SeekTarget = { offset: number } | { timestamp: number } | { to: "earliest" | "latest" };

export interface GroupDescription {
  ok: true;
  groupId: string;
  state: "Empty" | "Stable" | "PreparingRebalance" | "CompletingRebalance" | "Dead";
  generation: number;
  assignor: Assignor;
  members: { memberId: string; kind: "http" | "ws"; assignment: TopicPartition[]; subscription: Subscription | null }[];
}

export interface LagRow extends TopicPartition {
  currentOffset: number | null;
  logEndOffset: number;
  lag: number;
  consumerId: string;
}

/** "topic\u0000partition": the key of a partition in maps. */
export function tpKey(tp: TopicPartition): string {
  return `${tp.topic}\u0000${tp.partition}`;
}

/**
 * The RPC shapes of the Kafka group protocol on the coordinator: what the
 * Kafka front door's calls (through the Worker's `…/kafka/…` routes)
 * carry in and get back. Byte fields (member metadata, assignments) are
 * base64 of Kafka's own consumer-protocol bytes.
 */
import type { TopicPartition } from "../types";

/** The member id a JoinGroup answer names as the leader: the coordinator's own, never a member's, so every Kafka client is a follower. */
export const KAFKA_LEADER_ID = "runnel-coordinator";

/** Kafka's names of group states, as DescribeGroups shows them. */
export type KafkaGroupState = "Dead" | "Empty" | "PreparingRebalance" | "CompletingRebalance" | "Stable";

export interface KafkaJoinArgs {
  /** "" for a member joining for the first time. */
  memberId: string;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  /** Each protocol's name and its ConsumerProtocolSubscription (base64). */
  protocols: { name: string; metadata: string }[];
  /** Who the member acts as (READ on its topics is checked for it). */
  principal: string;
}

export interface KafkaJoinOk {
  ok: true;
  generation: number;
  /** The protocol (assignor name) the group uses: one every Kafka member offered. */
  protocol: string;
  leaderId: string;
  memberId: string;
}

export interface KafkaSyncOk {
  ok: true;
  protocol: string;
  /** The member's partitions in this generation. */
  partitions: TopicPartition[];
  /** The same, as a ConsumerProtocolAssignment (base64). */
  assignment: string;
}

export interface KafkaCommitArgs {
  /** "" with generation -1: a commit by a client outside the group (allowed only while the group has no members). */
  memberId: string;
  /** The generation; a KIP-848 member's epoch. */
  generation: number;
  /** The OffsetCommit version (a KIP-848 member must use v9+); absent: not checked. */
  apiVersion?: number;
  offsets: { topic: string; partition: number; offset: number; metadata: string | null }[];
}

/** One partition's outcome: error null, or Kafka's name for why it was not committed or read. */
export interface KafkaPartitionResult extends TopicPartition {
  error: string | null;
}

export interface KafkaCommittedOffset extends KafkaPartitionResult {
  /** The next offset to read; -1 when nothing is committed. */
  offset: number;
  metadata: string;
}

export interface KafkaDescription {
  ok: true;
  state: KafkaGroupState;
  protocolType: "consumer" | "";
  protocol: string;
  members: {
    memberId: string;
    clientId: string;
    clientHost: string;
    /** ConsumerProtocolSubscription (base64): a Kafka member's own, or one made from an HTTP or WebSocket member's topics. */
    metadata: string;
    /** ConsumerProtocolAssignment (base64) of what the member owns. */
    assignment: string;
  }[];
}

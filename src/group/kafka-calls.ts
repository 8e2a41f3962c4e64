/**
 * The group coordinator's RPC methods for Kafka consumers through the
 * front door: the classic protocol (JoinGroup, SyncGroup, Heartbeat,
 * LeaveGroup: kafka/kafka-members.ts), offsets (kafka/kafka-offsets.ts),
 * DescribeGroups, and KIP-848's consumer group protocol
 * (ConsumerGroupHeartbeat, ConsumerGroupDescribe: kip848/). A base of
 * GroupCoordinator (coordinator.ts), which makes the parts they run on;
 * its methods are RPC methods of the coordinator like its own.
 */
import type { Failure } from "../errors";
import { limits } from "../limits";
import { RunnelObject } from "../rpc/runnel-object";
import type { GroupParts } from "./group-admin";
import { kafkaDescribe } from "./kafka/kafka-describe";
import type { KafkaMembers } from "./kafka/kafka-members";
import { kafkaCommit, kafkaCommitted } from "./kafka/kafka-offsets";
import type { KafkaCommitArgs, KafkaCommittedOffset, KafkaDescription, KafkaJoinArgs, KafkaJoinOk, KafkaPartitionResult, KafkaSyncOk } from "./kafka/kafka-types";
import type { ConsumerGroup } from "./kip848/consumer-group";
import { kip848Describe } from "./kip848/kip848-describe";
import type { Kip848Configs, Kip848Description, Kip848HeartbeatArgs, Kip848HeartbeatOk } from "./kip848/kip848-types";
import type { Ok } from "./types";

/** What the Kafka calls run on; set by the coordinator's constructor. */
export interface KafkaCallParts {
  parts: GroupParts;
  kafka: KafkaMembers;
  consumers: ConsumerGroup;
}

export abstract class KafkaGroupCalls extends RunnelObject {
  /** Set by the coordinator's constructor. Not reachable over RPC (instance fields are not). */
  protected kafkaCalls!: KafkaCallParts;

  /** JoinGroup: answered once the group has settled, with the generation and the shared protocol. */
  async kafkaJoin(groupId: string, args: KafkaJoinArgs): Promise<KafkaJoinOk | Failure> {
    return this.kafkaCalls.kafka.join(groupId, args);
  }

  /** SyncGroup: the member's partitions in the generation it joined. */
  async kafkaSync(memberId: string, generation: number): Promise<KafkaSyncOk | Failure> {
    return this.kafkaCalls.kafka.sync(memberId, generation);
  }

  /** Heartbeat: REBALANCE_IN_PROGRESS once the member must join again. */
  async kafkaHeartbeat(memberId: string, generation: number): Promise<Ok | Failure> {
    return this.kafkaCalls.kafka.heartbeat(memberId, generation);
  }

  /** LeaveGroup: the members leave at once; unknown ones are named. */
  async kafkaLeave(memberIds: string[]): Promise<{ ok: true; members: { memberId: string; error: string | null }[] } | Failure> {
    return this.kafkaCalls.kafka.leave(memberIds);
  }

  /** OffsetCommit: each partition's outcome (each offset is the next to read); a KIP-848 member commits with its member epoch. */
  async kafkaCommit(groupId: string, args: KafkaCommitArgs): Promise<{ ok: true; partitions: KafkaPartitionResult[] } | Failure> {
    return kafkaCommit(this.kafkaCalls.parts, groupId, args);
  }

  /** OffsetFetch: committed offsets (-1 where none; `topics` null: every one committed); `member`: the KIP-848 member (v9) asking. */
  async kafkaCommitted(
    groupId: string,
    topics: { topic: string; partitions: number[] }[] | null,
    member?: { memberId: string | null; memberEpoch: number },
  ): Promise<{ ok: true; offsets: KafkaCommittedOffset[] } | Failure> {
    return kafkaCommitted(this.kafkaCalls.parts, groupId, topics, member);
  }

  /** DescribeGroups: the group in Kafka's terms, every member included (GROUP_ID_NOT_FOUND for a KIP-848 group). */
  async kafkaDescribe(groupId: string): Promise<KafkaDescription | Failure> {
    return kafkaDescribe(this.kafkaCalls.parts, groupId);
  }

  /** ConsumerGroupHeartbeat (kip848/consumer-group.ts). */
  async kafkaConsumerHeartbeat(groupId: string, args: Kip848HeartbeatArgs): Promise<Kip848HeartbeatOk | Failure> {
    return this.kafkaCalls.consumers.heartbeat(groupId, args);
  }

  /** ConsumerGroupDescribe; GROUP_ID_NOT_FOUND for a classic group, or none. */
  async kafkaConsumerDescribe(groupId: string): Promise<Kip848Description | Failure> {
    const view = await this.kafkaCalls.consumers.topicView(Date.now() - limits.consumerGroupTopicsRefreshMs);
    return view.ok ? kip848Describe(this.kafkaCalls.parts, groupId, view.topics) : view;
  }

  /**
   * Sets a KIP-848 group's configs — Kafka's group configs
   * consumer.session.timeout.ms and consumer.heartbeat.interval.ms (ms;
   * null: back to the default) — and answers them. Bounds: the session
   * timeout within [sessionTimeoutMsMin, sessionTimeoutMsMax], the
   * heartbeat interval from 100 ms to below the session timeout.
   */
  async kafkaConsumerConfigure(groupId: string, configs: { [K in keyof Kip848Configs]?: number | null }): Promise<({ ok: true } & Kip848Configs) | Failure> {
    return this.kafkaCalls.consumers.configure(groupId, configs);
  }
}

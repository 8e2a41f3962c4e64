/**
 * The Worker's KIP-848 group routes (`…/consumer-groups/{g}/kafka/consumer…`,
 * API.md) as ConsumerGroupHeartbeat and ConsumerGroupDescribe call them:
 * one HTTP call each. Topic ids go as Runnel names them (a UUID as text)
 * and come back in Kafka's form (`kafkaTopicId`).
 */
import { groupCall } from "./group-api";
import { kafkaTopicId, runnelTopicId, type RunnelApi } from "./runnel-api";

/** Partitions of one topic by its Kafka topic id (and name, where the Worker says). */
export interface IdPartitions {
  topicId: string;
  topicName: string;
  partitions: number[];
}

export interface HeartbeatCall {
  version: number;
  memberId: string;
  memberEpoch: number;
  instanceId: string | null;
  rackId: string | null;
  rebalanceTimeoutMs: number;
  subscribedTopicNames: string[] | null;
  subscribedTopicRegex: string | null;
  serverAssignor: string | null;
  /** By Kafka topic id. */
  ownedPartitions: { topicId: string; partitions: number[] }[] | null;
  clientId: string;
  clientHost: string;
}

export interface HeartbeatAnswer {
  memberId: string;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  assignment: IdPartitions[] | null;
}

type Wire = { topic_id: string; topic: string; partitions: number[] };
const fromWire = (list: Wire[]): IdPartitions[] => list.map((t) => ({ topicId: kafkaTopicId(t.topic_id), topicName: t.topic, partitions: t.partitions }));

/** One ConsumerGroupHeartbeat: the member's epoch and, when it changed, what it owns. */
export async function consumerHeartbeat(api: RunnelApi, groupId: string, h: HeartbeatCall): Promise<HeartbeatAnswer> {
  const body = {
    version: h.version,
    member_id: h.memberId,
    member_epoch: h.memberEpoch,
    instance_id: h.instanceId,
    rack_id: h.rackId,
    rebalance_timeout_ms: h.rebalanceTimeoutMs,
    subscribed_topic_names: h.subscribedTopicNames,
    subscribed_topic_regex: h.subscribedTopicRegex,
    server_assignor: h.serverAssignor,
    owned_partitions: h.ownedPartitions?.map((t) => ({ topic_id: runnelTopicId(t.topicId), partitions: t.partitions })) ?? null,
    client_id: h.clientId,
    client_host: h.clientHost,
  };
  const b = await groupCall(api, "POST", groupId, "consumer-heartbeat", body);
  return { memberId: b.member_id, memberEpoch: b.member_epoch, heartbeatIntervalMs: b.heartbeat_interval_ms, assignment: b.assignment === null ? null : fromWire(b.assignment) };
}

export interface ConsumerMember {
  memberId: string;
  instanceId: string | null;
  rackId: string | null;
  memberEpoch: number;
  clientId: string;
  clientHost: string;
  subscribedTopicNames: string[];
  subscribedTopicRegex: string | null;
  assignment: IdPartitions[];
  targetAssignment: IdPartitions[];
}

export interface ConsumerGroupDescribed {
  state: string;
  groupEpoch: number;
  assignmentEpoch: number;
  assignorName: string;
  members: ConsumerMember[];
}

/** ConsumerGroupDescribe of one group. */
export async function consumerDescribe(api: RunnelApi, groupId: string): Promise<ConsumerGroupDescribed> {
  const b = await groupCall(api, "GET", groupId, "consumer");
  const members = (b.members as Record<string, any>[]).map((m) => ({
    memberId: m.member_id,
    instanceId: m.instance_id,
    rackId: m.rack_id,
    memberEpoch: m.member_epoch,
    clientId: m.client_id,
    clientHost: m.client_host,
    subscribedTopicNames: m.subscribed_topic_names,
    subscribedTopicRegex: m.subscribed_topic_regex,
    assignment: fromWire(m.assignment),
    targetAssignment: fromWire(m.target_assignment),
  }));
  return { state: b.state, groupEpoch: b.group_epoch, assignmentEpoch: b.assignment_epoch, assignorName: b.assignor_name, members };
}

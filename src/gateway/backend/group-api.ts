/**
 * The Worker's Kafka group routes (`…/consumer-groups/{g}/kafka/…`, API.md)
 * as the group APIs call them: one HTTP call each, byte fields base64.
 * A JoinGroup (and a SyncGroup during a rebalance) is held by the group's
 * coordinator, so its call waits up to the request's rebalance timeout.
 */
import { KafkaCode } from "../errors";
import { gatewayLimits } from "../limits";
import { limits } from "../../limits";
import { BackendError, type RunnelApi } from "./runnel-api";

export interface JoinCall {
  memberId: string;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: { name: string; metadata: Uint8Array }[];
}

export interface Joined {
  generation: number;
  protocol: string;
  leaderId: string;
  memberId: string;
}

/** A group member's or partition's outcome: a Kafka error name, or null. */
type Outcome = { error: string | null };

export interface GroupMember {
  memberId: string;
  clientId: string;
  clientHost: string;
  metadata: Buffer;
  assignment: Buffer;
}

export interface GroupDescribed {
  state: string;
  protocolType: string;
  protocol: string;
  members: GroupMember[];
}

/** How long a held call may take: its wait (capped as the Worker caps it) plus slack. */
const heldMs = (waitMs: number) => Math.min(Math.max(waitMs, 0), limits.kafkaRebalanceTimeoutMsMax) + gatewayLimits.httpSlackMs;

/** A call to the group's Kafka routes; a group id of "" is INVALID_GROUP_ID without asking (Kafka's answer; the Worker has no route for it). */
export function groupCall(api: RunnelApi, method: "GET" | "POST", groupId: string, action: string, body?: unknown, timeoutMs?: number): Promise<any> {
  if (groupId === "") return Promise.reject(new BackendError(400, "INVALID_GROUP_ID: a group id may not be empty", KafkaCode.INVALID_GROUP_ID));
  return api.groupCall(method, groupId, action, body, timeoutMs);
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");

export async function joinGroup(api: RunnelApi, groupId: string, j: JoinCall): Promise<Joined> {
  const body = {
    member_id: j.memberId,
    client_id: j.clientId,
    client_host: j.clientHost,
    session_timeout_ms: j.sessionTimeoutMs,
    rebalance_timeout_ms: j.rebalanceTimeoutMs,
    protocol_type: j.protocolType,
    protocols: j.protocols.map((p) => ({ name: p.name, metadata: b64(p.metadata) })),
  };
  const b = await groupCall(api, "POST", groupId, "join", body, heldMs(j.rebalanceTimeoutMs));
  return { generation: b.generation_id, protocol: b.protocol_name, leaderId: b.leader_id, memberId: b.member_id };
}

/** The member's assignment (ConsumerProtocolAssignment bytes) in `generation`. */
export async function syncGroup(api: RunnelApi, groupId: string, memberId: string, generation: number): Promise<Buffer> {
  const b = await groupCall(api, "POST", groupId, "sync", { member_id: memberId, generation_id: generation }, heldMs(limits.kafkaRebalanceTimeoutMsMax));
  return Buffer.from(b.assignment, "base64");
}

export async function heartbeat(api: RunnelApi, groupId: string, memberId: string, generation: number): Promise<void> {
  await groupCall(api, "POST", groupId, "heartbeat", { member_id: memberId, generation_id: generation });
}

/** Each member's outcome, in the order asked. */
export async function leaveGroup(api: RunnelApi, groupId: string, memberIds: string[]): Promise<Outcome[]> {
  const b = await groupCall(api, "POST", groupId, "leave", { member_ids: memberIds });
  return (b.members as { error: string | null }[]).map((m) => ({ error: m.error }));
}

export interface OffsetToCommit {
  topic: string;
  partition: number;
  offset: number;
  metadata: string | null;
}

/** Each partition's outcome (the Worker answers every partition asked). */
export async function commitOffsets(api: RunnelApi, groupId: string, memberId: string, generation: number, offsets: OffsetToCommit[], apiVersion: number): Promise<Map<string, Outcome>> {
  const b = await groupCall(api, "POST", groupId, "commit", { member_id: memberId, generation_id: generation, offsets, api_version: apiVersion });
  return new Map((b.partitions as { topic: string; partition: number; error: string | null }[]).map((p) => [`${p.topic}\u0000${p.partition}`, { error: p.error }]));
}

export interface CommittedOffset extends Outcome {
  topic: string;
  partition: number;
  offset: number;
  metadata: string;
}

/**
 * Committed offsets of the partitions asked for (-1 where none); `topics`
 * null: every partition with a commit. `member`: the KIP-848 member
 * asking and its epoch (OffsetFetch v9), checked by the group.
 */
export async function fetchOffsets(
  api: RunnelApi,
  groupId: string,
  topics: { topic: string; partitions: number[] }[] | null,
  member: { memberId: string | null; memberEpoch: number } = { memberId: null, memberEpoch: -1 },
): Promise<CommittedOffset[]> {
  return (await groupCall(api, "POST", groupId, "offsets", { topics, member_id: member.memberId, member_epoch: member.memberEpoch })).offsets;
}

export async function describeGroup(api: RunnelApi, groupId: string): Promise<GroupDescribed> {
  const b = await groupCall(api, "GET", groupId, "");
  const members = (b.members as Record<string, string>[]).map((m) => ({
    memberId: m.member_id!,
    clientId: m.client_id!,
    clientHost: m.client_host!,
    metadata: Buffer.from(m.metadata!, "base64"),
    assignment: Buffer.from(m.assignment!, "base64"),
  }));
  return { state: b.state, protocolType: b.protocol_type, protocol: b.protocol, members };
}

/**
 * The Kafka code for a failed group call: the coordinator's answer, but
 * a Worker or coordinator that did not answer is COORDINATOR_NOT_AVAILABLE
 * (clients find the coordinator again and retry). Anything but a
 * `BackendError` is a bug, rethrown.
 */
export function groupCodeOf(e: unknown): number {
  if (!(e instanceof BackendError)) throw e;
  return e.kafkaCode === KafkaCode.REQUEST_TIMED_OUT ? KafkaCode.COORDINATOR_NOT_AVAILABLE : e.kafkaCode;
}

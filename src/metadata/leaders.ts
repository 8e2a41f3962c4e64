/**
 * Reaching the replica that serves a partition: its leader (from the
 * controller's metadata) or, for follower fetch, an in-sync follower.
 * When the leader cannot be reached (`isUnreachable`: a down broker, a
 * call that threw or got no answer), the controller hears of it (and may
 * elect another leader) and the caller gets a retriable failure.
 */
import { brokerById, brokersOf } from "../cluster/brokers";
import { isUnreachable, unreachableDetail } from "../rpc/call";
import { callController, callReplica } from "../rpc/objects";
import type { Env } from "../env";
import { ErrorCode, retriable, RunnelError, type Failure } from "../errors";
import { limits } from "../limits";
import type { PartitionReplica } from "../replication/partition-replica";
import type { Caller } from "../rpc/call";
import type { TopicMeta } from "../topic/types";
import { forgetTopic } from "./topic-cache";

export interface Leader {
  brokerId: number;
  leaderEpoch: number;
  /** Calls to the leader (rpc/call.ts): never throw. */
  replica: Caller<PartitionReplica>;
}

/**
 * The current leader of a partition; 40404 when it has none. A partition
 * without a leader is reported to the controller (at most once per
 * `limits.leaderlessReportMs` per partition from this isolate), so that a
 * replica that came back is elected: nothing else would ask for it.
 */
async function leaderOf(env: Env, topic: TopicMeta, partition: number): Promise<Leader> {
  const role = topic.partitions[partition]!;
  if (role.leader < 0) {
    const key = `${topic.topicId}/${partition}`;
    const nowMs = Date.now();
    if (nowMs - (leaderlessReportedAtMs.get(key) ?? 0) >= limits.leaderlessReportMs) {
      if (leaderlessReportedAtMs.size >= limits.leaderlessReportsTrackedMax) leaderlessReportedAtMs.clear();
      leaderlessReportedAtMs.set(key, nowMs);
      forgetTopic(topic.topicName);
      await reportUnreachable(env, topic, partition, role.leaderEpoch);
    }
    throw new RunnelError(ErrorCode.LEADER_NOT_AVAILABLE, `partition ${partition} of '${topic.topicName}' has no leader available (no in-sync replica answers)`, undefined, "LEADER_NOT_AVAILABLE");
  }
  return { brokerId: role.leader, leaderEpoch: role.leaderEpoch, replica: callReplica(env, topic.topicId, partition, role.leader, { where: "callLeader" }) };
}

/** When this isolate last reported each leaderless partition ("topic id/partition"). */
const leaderlessReportedAtMs = new Map<string, number>();

/** The replica on `brokerId` for reading, which must be in the ISR (40406 for an unknown broker, 40404 otherwise). */
export function inSyncReplica(env: Env, topic: TopicMeta, partition: number, brokerId: number): Caller<PartitionReplica> {
  const role = topic.partitions[partition]!;
  if (brokerById(env, brokerId) === undefined) throw new RunnelError(ErrorCode.BROKER_NOT_FOUND, `broker ${brokerId} does not exist`);
  const replica = callReplica(env, topic.topicId, partition, brokerId, { where: "inSyncReplica" });
  if (!role.replicas.includes(brokerId)) throw new RunnelError(ErrorCode.LEADER_NOT_AVAILABLE, `broker ${brokerId} holds no replica of partition ${partition}`, undefined, "NOT_LEADER_OR_FOLLOWER");
  if (!role.isr.includes(brokerId)) throw new RunnelError(ErrorCode.LEADER_NOT_AVAILABLE, `the replica on broker ${brokerId} is not in the ISR of partition ${partition}`, undefined, "REPLICA_NOT_AVAILABLE");
  return replica;
}

/**
 * The broker of an in-sync replica placed at `location` (a location hint or
 * jurisdiction), leader first; undefined when none is, and the leader serves.
 */
export function replicaAt(env: Env, topic: TopicMeta, partition: number, location: string): number | undefined {
  const role = topic.partitions[partition]!;
  const brokers = brokersOf(env);
  const inSync = [role.leader, ...role.isr.filter((b) => b !== role.leader)];
  return inSync.find((id) => {
    const b = brokers.find((x) => x.id === id);
    return b !== undefined && (b.locationHint === location || b.jurisdiction === location);
  });
}

/**
 * Calls the partition's leader (throws 40404 when it has none). When it
 * cannot be reached the cached metadata is dropped, the controller is told
 * (so it can elect), and a retriable BROKER_NOT_AVAILABLE failure comes
 * back; when it no longer leads or no longer knows the topic id, the
 * cached metadata is dropped and its failure comes back.
 */
export async function callLeader<R extends { ok: true }>(
  env: Env,
  topic: TopicMeta,
  partition: number,
  call: (leader: Leader) => Promise<R | Failure>,
): Promise<R | Failure> {
  const leader = await leaderOf(env, topic, partition);
  const result = await call(leader);
  if (isUnreachable(result) && !result.ok) {
    forgetTopic(topic.topicName);
    await reportUnreachable(env, topic, partition, leader.leaderEpoch);
    return retriable("BROKER_NOT_AVAILABLE", `the leader of partition ${partition} (broker ${leader.brokerId}) did not answer (${unreachableDetail(result)}); retry`);
  }
  // A moved leader, or a replica that no longer knows this topic id (deleted or re-created): look again next time.
  const stale = !result.ok && (result.error_code === ErrorCode.RETRIABLE || result.error_code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  if (stale) forgetTopic(topic.topicName);
  return result;
}

/**
 * Tells the controller a leader did not answer; it elects another if the
 * leader is indeed gone. Its refusals (the topic was deleted meanwhile)
 * are expected; a controller out of reach is worth one warning line, as
 * no election happens until the next report.
 */
async function reportUnreachable(env: Env, topic: TopicMeta, partition: number, leaderEpoch: number): Promise<void> {
  const args = { topicId: topic.topicId, partition, leaderEpoch };
  await callController(env, { where: "reportUnreachable", context: args, warnUnreachable: true }).leaderUnreachable(args);
}

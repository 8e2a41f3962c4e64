/**
 * Reaching the replica that serves a partition: its leader (from the
 * controller's metadata) or, for follower fetch, an in-sync follower. A
 * call that throws means the replica could not be reached: the
 * controller hears of it (and may elect another leader) and the caller
 * gets a retriable failure.
 */
import { brokersOf } from "../cluster/brokers";
import type { Env } from "../env";
import { ErrorCode, failure, RunnelError, type Failure } from "../errors";
import { replicaStub } from "../partition/replica-stub";
import type { TopicMeta } from "../topic/types";
import { controllerStub } from "./controller-stub";
import { forgetTopic } from "./topic-cache";

export type ReplicaStub = ReturnType<typeof replicaStub>;

export interface Leader {
  brokerId: number;
  leaderEpoch: number;
  stub: ReplicaStub;
}

/** The stub of `topic`'s partition replica on `brokerId`. */
export function replicaOn(env: Env, topic: TopicMeta, partition: number, brokerId: number): ReplicaStub {
  const broker = brokersOf(env).find((b) => b.id === brokerId);
  if (broker === undefined) throw new RunnelError(ErrorCode.BROKER_NOT_FOUND, `broker ${brokerId} does not exist`);
  return replicaStub(env, topic.topicId, partition, broker);
}

/** The current leader of a partition; 40404 when it has none. */
function leaderOf(env: Env, topic: TopicMeta, partition: number): Leader {
  const role = topic.partitions[partition]!;
  if (role.leader < 0) {
    throw new RunnelError(ErrorCode.LEADER_NOT_AVAILABLE, `partition ${partition} of '${topic.topicName}' has no leader available (no in-sync replica answers)`);
  }
  return { brokerId: role.leader, leaderEpoch: role.leaderEpoch, stub: replicaOn(env, topic, partition, role.leader) };
}

/** The replica on `brokerId` for reading, which must be in the ISR (40404 otherwise). */
export function inSyncReplica(env: Env, topic: TopicMeta, partition: number, brokerId: number): ReplicaStub {
  const role = topic.partitions[partition]!;
  if (!brokersOf(env).some((b) => b.id === brokerId)) throw new RunnelError(ErrorCode.BROKER_NOT_FOUND, `broker ${brokerId} does not exist`);
  if (!role.replicas.includes(brokerId)) throw new RunnelError(ErrorCode.LEADER_NOT_AVAILABLE, `broker ${brokerId} holds no replica of partition ${partition}`);
  if (!role.isr.includes(brokerId)) throw new RunnelError(ErrorCode.LEADER_NOT_AVAILABLE, `the replica on broker ${brokerId} is not in the ISR of partition ${partition}`);
  return replicaOn(env, topic, partition, brokerId);
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
 * Calls the partition's leader. When it cannot be reached, or no longer
 * leads, the cached metadata is dropped, the controller is told (so it
 * can elect), and a retriable failure comes back.
 */
export async function callLeader<R extends { ok: true }>(
  env: Env,
  topic: TopicMeta,
  partition: number,
  call: (leader: Leader) => unknown,
): Promise<R | Failure> {
  const leader = leaderOf(env, topic, partition);
  try {
    // RPC stubs type their results as unions of promises; the method's own result type is R | Failure.
    const result = (await call(leader)) as R | Failure;
    // A moved leader, or a replica that no longer knows this topic id (deleted or re-created): look again next time.
    const stale = !result.ok && (result.error_code === ErrorCode.RETRIABLE || result.error_code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    if (stale) forgetTopic(topic.topicName);
    return result;
  } catch (e) {
    forgetTopic(topic.topicName);
    await reportUnreachable(env, topic, partition, leader.leaderEpoch);
    return failure(ErrorCode.RETRIABLE, `the leader of partition ${partition} (broker ${leader.brokerId}) did not answer: ${(e as Error).message}; retry`);
  }
}

/** Tells the controller a leader did not answer; it elects another if the leader is indeed gone. */
async function reportUnreachable(env: Env, topic: TopicMeta, partition: number, leaderEpoch: number): Promise<void> {
  try {
    await controllerStub(env).leaderUnreachable({ topicId: topic.topicId, partition, leaderEpoch });
  } catch (e) {
    console.error("could not report an unreachable leader", e);
  }
}

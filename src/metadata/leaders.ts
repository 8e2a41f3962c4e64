/**
 * Which replica serves a partition's appends and reads. Until leader
 * election exists the leader is the preferred replica (replica 0) at
 * leader epoch 0.
 */
import { brokersOf, replicaBrokers } from "../cluster/brokers";
import type { Env } from "../env";
import { replicaStub } from "../partition/replica-stub";
import type { TopicInfo } from "../topic/types";

export interface Leader {
  brokerId: number;
  leaderEpoch: number;
  stub: ReturnType<typeof replicaStub>;
}

/** The current leader of `topic`'s partition `partition`. */
export function leaderOf(env: Env, topic: TopicInfo, partition: number): Leader {
  const broker = replicaBrokers(partition, topic.replicationFactor, brokersOf(env))[0]!;
  return { brokerId: broker.id, leaderEpoch: 0, stub: replicaStub(env, topic.topicId, partition, broker) };
}

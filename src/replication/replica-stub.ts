/** Reaching a partition replica object by name: `{topic id}/{partition}/{broker id}`. */
import { brokerById, type Broker } from "../cluster/brokers";
import type { Env } from "../env";
import { ErrorCode, RunnelError } from "../errors";
import type { PartitionReplica } from "./partition-replica";

export type ReplicaStub = DurableObjectStub<PartitionReplica>;

/** The stub of `topicId`'s partition `partition` replica on `broker`, placed as the broker says. */
export function replicaStub(env: Pick<Env, "PARTITIONS">, topicId: string, partition: number, broker: Broker): ReplicaStub {
  const ns = broker.jurisdiction === undefined ? env.PARTITIONS : env.PARTITIONS.jurisdiction(broker.jurisdiction);
  const id = ns.idFromName(`${topicId}/${partition}/${broker.id}`);
  return broker.locationHint === undefined ? ns.get(id) : ns.get(id, { locationHint: broker.locationHint });
}

/**
 * The stub of `topicId`'s partition `partition` replica on broker
 * `brokerId`: the one way from a broker id to a replica. Throws 40406 when
 * no broker has that id.
 */
export function replicaOn(env: Pick<Env, "PARTITIONS" | "BROKERS">, topicId: string, partition: number, brokerId: number): ReplicaStub {
  const broker = brokerById(env, brokerId);
  if (broker === undefined) throw new RunnelError(ErrorCode.BROKER_NOT_FOUND, `broker ${brokerId} does not exist`);
  return replicaStub(env, topicId, partition, broker);
}

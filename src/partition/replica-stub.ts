/** Reaching a partition replica object by name: `{topic id}/{partition}/{broker id}`. */
import type { Broker } from "../cluster/brokers";
import type { Env } from "../env";
import type { PartitionReplica } from "./partition-replica";

/** The stub of the replica of `topicId`'s partition `partition` on `broker`. */
export function replicaStub(env: Pick<Env, "PARTITIONS">, topicId: string, partition: number, broker: Broker): DurableObjectStub<PartitionReplica> {
  const ns = broker.jurisdiction === undefined ? env.PARTITIONS : env.PARTITIONS.jurisdiction(broker.jurisdiction);
  const id = ns.idFromName(`${topicId}/${partition}/${broker.id}`);
  return broker.locationHint === undefined ? ns.get(id) : ns.get(id, { locationHint: broker.locationHint });
}

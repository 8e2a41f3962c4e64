/**
 * Raw Durable Object stubs, for tests that look inside an object
 * (runInDurableObject) or call its methods raw. src/ never does: it
 * reaches objects only through the typed callers of src/rpc/objects.ts.
 */
import { env } from "cloudflare:test";
import type { AccessControl } from "../src/access/access-control";
import type { Controller } from "../src/controller/controller";
import type { Faults } from "../src/faults/faults";
import type { GroupCoordinator } from "../src/group/coordinator";
import type { PartitionReplica } from "../src/replication/partition-replica";

/** The controller's stub. */
export function controllerStub(e: Pick<typeof env, "CONTROLLER"> = env): DurableObjectStub<Controller> {
  return e.CONTROLLER.get(e.CONTROLLER.idFromName("controller"));
}

/** The access-control object's stub. */
export function accessStub(e: Pick<typeof env, "ACCESS"> = env): DurableObjectStub<AccessControl> {
  return e.ACCESS.get(e.ACCESS.idFromName("access"));
}

/** Group `groupId`'s coordinator's stub. */
export function groupStub(e: Pick<typeof env, "GROUPS">, groupId: string): DurableObjectStub<GroupCoordinator> {
  return e.GROUPS.get(e.GROUPS.idFromName(groupId));
}

/** The Faults object's stub (the development build binds it). */
export function faultsStub(e: Pick<typeof env, "FAULTS"> = env): DurableObjectStub<Faults> {
  return e.FAULTS!.get(e.FAULTS!.idFromName("faults"));
}

/** The stub of `topicId`'s partition `partition` replica on broker `brokerId` (no placement hints: the tests' brokers have none). */
export function replicaStub(e: Pick<typeof env, "PARTITIONS">, topicId: string, partition: number, brokerId: number): DurableObjectStub<PartitionReplica> {
  return e.PARTITIONS.get(e.PARTITIONS.idFromName(`${topicId}/${partition}/${brokerId}`));
}

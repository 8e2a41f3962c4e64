/**
 * Every Durable Object class, how each is named, and the typed caller
 * that reaches it (call.ts): the one map from "which object" to "call
 * it". Nothing else in src/ makes a stub. Each caller's methods answer
 * the object's result or a `Failure` and never throw.
 *
 * | object            | named                              | owns                                  |
 * |-------------------|------------------------------------|---------------------------------------|
 * | Controller        | "controller" (one)                 | topics, configs, roles, epochs, ISR   |
 * | PartitionReplica  | "{topic id}/{partition}/{broker}"  | one replica's log                     |
 * | GroupCoordinator  | the group id                       | members, generations, offsets         |
 * | AccessControl     | "access" (one)                     | keys, ACLs, quotas, audit log         |
 * | PrincipalQuota    | the principal                      | that principal's quota windows        |
 * | RouterMetrics     | "router-metrics" (one)             | the Worker's counters                 |
 * | PushSubscription  | the subscription's name            | its settings, retries, counters       |
 *
 * (The Faults object of development builds is reached from src/faults/.)
 */
import type { AccessControl } from "../access/access-control";
import type { PrincipalQuota } from "../access/principal-quota";
import { brokerById, type Broker } from "../cluster/brokers";
import type { Controller } from "../controller/controller";
import type { Env } from "../env";
import { ErrorCode, RunnelError } from "../errors";
import type { GroupCoordinator } from "../group/coordinator";
import { limits } from "../limits";
import type { RouterMetrics } from "../metrics/router-metrics";
import type { PushSubscription } from "../push/push-subscription";
import type { PartitionReplica } from "../replication/partition-replica";
import { caller, type Callee, type Caller } from "./call";

/** What a caller may add to its calls' `Callee` (the callee's name in words is given here). */
export type CallOptions = Omit<Callee, "who">;

/** The controller (there is one). */
export function callController(env: Pick<Env, "CONTROLLER">, options: CallOptions = {}): Caller<Controller> {
  return caller<Controller>(() => env.CONTROLLER.get(env.CONTROLLER.idFromName("controller")), { who: "the controller", ...options });
}

/** The replica of `topicId`'s partition `partition` on broker `broker` (an id, or the broker); 40406 for an unknown broker id. */
export function callReplica(
  env: Pick<Env, "PARTITIONS" | "BROKERS">,
  topicId: string,
  partition: number,
  broker: number | Broker,
  options: CallOptions = {},
): Caller<PartitionReplica> {
  const brokerId = typeof broker === "number" ? broker : broker.id;
  const context = { topicId, partition, broker: brokerId, ...options.context };
  return caller<PartitionReplica>(() => replicaStub(env, topicId, partition, broker), { who: `broker ${brokerId}`, ...options, context });
}

/** The stub of a replica, placed as its broker says (location hint, jurisdiction). */
function replicaStub(env: Pick<Env, "PARTITIONS" | "BROKERS">, topicId: string, partition: number, broker: number | Broker): DurableObjectStub<PartitionReplica> {
  const b = typeof broker === "number" ? brokerById(env, broker) : broker;
  if (b === undefined) throw new RunnelError(ErrorCode.BROKER_NOT_FOUND, `broker ${String(broker)} does not exist`);
  const ns = b.jurisdiction === undefined ? env.PARTITIONS : env.PARTITIONS.jurisdiction(b.jurisdiction);
  const id = ns.idFromName(`${topicId}/${partition}/${b.id}`);
  return b.locationHint === undefined ? ns.get(id) : ns.get(id, { locationHint: b.locationHint });
}

/** The coordinator of consumer group `groupId`; a 400 failure for an empty or overlong id. */
export function callGroup(env: Pick<Env, "GROUPS">, groupId: string, options: CallOptions = {}): Caller<GroupCoordinator> {
  return caller<GroupCoordinator>(() => groupStub(env, groupId), { who: `consumer group '${groupId}'`, ...options });
}

/**
 * Hands a WebSocket upgrade to group `groupId`'s coordinator (the
 * subscriber's socket then belongs to it). A coordinator that cannot be
 * reached is a 503 with a retriable 50003 body.
 */
export async function upgradeToGroup(env: Pick<Env, "GROUPS">, groupId: string, request: Request): Promise<Response> {
  const stub = groupStub(env, groupId);
  try {
    return await stub.fetch(request);
  } catch (e) {
    const message = `BROKER_NOT_AVAILABLE: consumer group '${groupId}' did not answer (${e instanceof Error ? e.message : String(e)}); retry`;
    return Response.json({ error_code: ErrorCode.RETRIABLE, error_name: "BROKER_NOT_AVAILABLE", message }, { status: 500 });
  }
}

function groupStub(env: Pick<Env, "GROUPS">, groupId: string): DurableObjectStub<GroupCoordinator> {
  if (groupId.length === 0 || groupId.length > limits.groupIdLengthMax) {
    throw new RunnelError(ErrorCode.BAD_REQUEST, `a consumer group id is 1 to ${limits.groupIdLengthMax} characters`);
  }
  return env.GROUPS.get(env.GROUPS.idFromName(groupId));
}

/** The access-control object (there is one). */
export function callAccess(env: Pick<Env, "ACCESS">, options: CallOptions = {}): Caller<AccessControl> {
  return caller<AccessControl>(() => env.ACCESS.get(env.ACCESS.idFromName("access")), { who: "access control", ...options });
}

/** `principal`'s quota object. */
export function callQuota(env: Pick<Env, "QUOTAS">, principal: string, options: CallOptions = {}): Caller<PrincipalQuota> {
  return caller<PrincipalQuota>(() => env.QUOTAS.get(env.QUOTAS.idFromName(principal)), { who: `the quota of ${principal}`, ...options });
}

/** The metrics object that gathers the Worker's counters (there is one). */
export function callRouterMetrics(env: Pick<Env, "ROUTER_METRICS">, options: CallOptions = {}): Caller<RouterMetrics> {
  return caller<RouterMetrics>(() => env.ROUTER_METRICS.get(env.ROUTER_METRICS.idFromName("router-metrics")), { who: "the metrics object", ...options });
}

/** The push subscription `name` (its group's offsets are its consumer group's: callGroup with the same name). */
export function callSubscription(env: Pick<Env, "SUBSCRIPTIONS">, name: string, options: CallOptions = {}): Caller<PushSubscription> {
  return caller<PushSubscription>(() => env.SUBSCRIPTIONS.get(env.SUBSCRIPTIONS.idFromName(name)), { who: `subscription '${name}'`, ...options });
}

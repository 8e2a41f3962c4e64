import { env, runInDurableObject } from "cloudflare:test";
import { WorkerEntrypoint } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import * as development from "../../src/dev";
import * as deployed from "../../src/index";
import { isGuarded, rpcMethodNames } from "../../src/rpc/boundary";
import { RunnelObject } from "../../src/rpc/runnel-object";

/** Every object class's binding in the development build. A class missing here fails the first test. */
const BINDINGS: Record<string, { newUniqueId(): DurableObjectId; get(id: DurableObjectId): unknown }> = {
  AccessControl: env.ACCESS,
  Controller: env.CONTROLLER,
  Faults: env.FAULTS!,
  GroupCoordinator: env.GROUPS,
  PartitionReplica: env.PARTITIONS,
  PrincipalQuota: env.QUOTAS,
  RouterMetrics: env.ROUTER_METRICS,
  PushSubscription: env.SUBSCRIPTIONS,
};

/** The entrypoints other Workers bind to: exported classes that are not objects. */
const ENTRYPOINTS = ["RunnelService"];

type ObjectClass = { name: string; prototype: object };
const classesOf = (entry: Record<string, unknown>): ObjectClass[] =>
  Object.entries(entry).flatMap(([name, value]) => (name !== "default" && !ENTRYPOINTS.includes(name) && typeof value === "function" ? [value as unknown as ObjectClass] : []));

describe("the entrypoints", () => {
  it("are WorkerEntrypoints, in both builds", () => {
    for (const build of [development, deployed] as Record<string, unknown>[]) {
      for (const name of ENTRYPOINTS) expect((build[name] as { prototype: object }).prototype instanceof WorkerEntrypoint, name).toBe(true);
    }
  });
});

describe("every Durable Object class", () => {
  it("extends RunnelObject, in both builds, and the deployed build has no Faults", () => {
    const dev = classesOf(development);
    expect(dev.map((c) => c.name).sort()).toEqual(Object.keys(BINDINGS).sort());
    for (const cls of dev) expect(cls.prototype instanceof RunnelObject, cls.name).toBe(true);
    expect(classesOf(deployed).map((c) => c.name).sort()).toEqual(Object.keys(BINDINGS).filter((n) => n !== "Faults").sort());
  });

  it("has every RPC method guarded by the boundary once an instance exists, without the class listing them", async () => {
    for (const cls of classesOf(development)) {
      const ns = BINDINGS[cls.name]!;
      // A fresh instance: guarding happens at the first construction.
      const stub = ns.get(ns.newUniqueId()) as DurableObjectStub;
      const made: boolean = await runInDurableObject(stub, (instance: object) => instance instanceof (cls as unknown as new () => object));
      expect(made, cls.name).toBe(true);
      const methods = rpcMethodNames(cls, RunnelObject);
      expect(methods.length, cls.name).toBeGreaterThan(0);
      expect(methods.filter((m) => !isGuarded(cls, m)), cls.name).toEqual([]);
    }
  });
});

import { afterAll, describe, expect, it } from "vitest";
import { V3, call, createTopic } from "../helpers";
import { fault, quiesce, replica } from "../replication/helpers";
import { received, until, webhookSubscription } from "./helpers";

const offsets = async (hook: string) => (await received(hook)).filter((r) => r.answered === 200).flatMap((r) => (JSON.parse(r.body) as { records: { offset: number }[] }).records.map((x) => x.offset));
const watching = async (topic: string, broker: number) => {
  const { stub } = await replica(topic, 0, broker);
  const { runInDurableObject } = await import("cloudflare:test");
  return runInDurableObject(stub, (_o, state) => state.storage.sql.exec<{ subscription: string }>("SELECT subscription FROM push_watchers").toArray().map((r) => r.subscription));
};

afterAll(() => quiesce(["fo-"]));

describe("an idle subscription is woken", () => {
  it("after its partition's leader restarts: the watch is stored", async () => {
    await createTopic("fo-restart", 1, [], 1);
    await webhookSubscription("fo-restart", ["fo-restart"], { max_wait_ms: 0 });
    await until("a watch", () => watching("fo-restart", 0), (w) => w.includes("fo-restart"));
    expect((await call("POST", `${V3}/brokers/0/restart`)).status).toBe(204);
    await call("POST", `${V3}/topics/fo-restart/records`, { partition_id: 0, value: { type: "JSON", data: 1 } });
    expect(await until("the record", () => offsets("fo-restart"), (o) => o.length === 1)).toEqual([0]);
  });

  it("after its partition's leader fails over: every replica keeps the watch, and the new leader tells it", async () => {
    await createTopic("fo-failover", 1, [{ name: "min.insync.replicas", value: "1" }], 3);
    await webhookSubscription("fo-failover", ["fo-failover"], { max_wait_ms: 0 });
    for (const b of [0, 1, 2]) await until(`a watch on broker ${b}`, () => watching("fo-failover", b), (w) => w.includes("fo-failover"));
    await fault(0, "down");
    await until("a new leader", async () => {
      const r = await call("POST", `${V3}/topics/fo-failover/records`, { partition_id: 0, value: { type: "JSON", data: "after" } });
      return r.status;
    }, (s) => s === 200);
    expect((await call("GET", `${V3}/topics/fo-failover/partitions/0`)).body.leader.related).not.toMatch(/brokers\/0$/);
    expect(await until("the record", () => offsets("fo-failover"), (o) => o.length >= 1)).toEqual([0]);
  });
});

import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { PartitionReplica } from "../../src/replication/partition-replica";
import { call, createTopic, fetchStrings, V3 } from "../helpers";
import { acked, batchMarks, errorCode, fault, partition, produce, replica, values, waitFor, quiesce } from "./helpers";

const rf3 = (name: string, configs: { name: string; value: string }[] = []) => createTopic(name, 1, configs, 3);

afterEach(async () => {
  for (const b of [0, 1, 2]) await fault(b, "heal");
});

const PREFIXES = ["rep-", "isr-", "idem-", "fault-"];
afterAll(() => quiesce(PREFIXES), 20_000);

describe("a replication-factor-3 partition", () => {
  it("keeps three identical copies of everything acknowledged with acks=all", async () => {
    await rf3("rep-copies");
    for (let i = 0; i < 5; i++) expect(acked(await produce("rep-copies", [`a${i}`, `b${i}`]))).toBe(true);
    const p = await partition("rep-copies");
    expect(p).toMatchObject({ leader: { broker_id: 0 }, high_watermark: 10, log_end_offset: 10 });
    expect(p.isr.map((r: any) => r.broker_id)).toEqual([0, 1, 2]);
    const marks = await Promise.all([0, 1, 2].map((b) => waitFor(`broker ${b} caught up`, async () => {
      const m = await batchMarks("rep-copies", 0, b);
      return m.length === 5 ? m : null;
    })));
    expect(marks[1]).toEqual(marks[0]);
    expect(marks[2]).toEqual(marks[0]);
  });

  it("serves a fetch from an in-sync follower up to the high watermark, and refuses a replica out of the ISR", async () => {
    await rf3("rep-follower-fetch");
    await produce("rep-follower-fetch", ["x", "y"]);
    const fromFollower = await waitFor("follower high watermark", async () => {
      const r = await call("GET", `${V3}/topics/rep-follower-fetch/partitions/0/records?offset=0&format=json&replica=2`);
      return r.body.records?.length === 2 ? r : null;
    });
    expect(fromFollower.body.records.map((r: any) => r.value)).toEqual(["x", "y"]);
    const none = await call("GET", `${V3}/topics/rep-follower-fetch/partitions/0/records?offset=0&replica=7`);
    expect(none.body.error_code).toBe(40406);
  });

  it("serves a fetch naming a location from an in-sync replica placed there, and from the leader when none is", async () => {
    await rf3("rep-location");
    await produce("rep-location", ["x"]);
    const { default: app } = await import("../../src/dev");
    const { env } = await import("cloudflare:test");
    const placed = {
      ...env,
      BROKERS: JSON.stringify([{ id: 0, name: "a" }, { id: 1, name: "b", location_hint: "weur" }, { id: 2, name: "c", location_hint: "enam" }]),
    };
    const ctx = { waitUntil: () => undefined, passThroughOnException: () => undefined, props: {} } as unknown as ExecutionContext;
    const read = async (query: string) => {
      const res = await app.request(`${V3}/topics/rep-location/partitions/0/records?offset=0&format=json${query}`, {}, placed, ctx);
      return (await res.json()) as Record<string, any>;
    };
    const fromWeur = await waitFor("the follower in weur", async () => {
      const body = await read("&location=weur");
      return body.records?.length === 1 ? body : null;
    });
    expect(fromWeur.records[0].value).toBe("x");
    expect((await read("&location=mars")).records.map((r: any) => r.value)).toEqual(["x"]);
    await fault(1, "down"); // proves where location=weur is served: broker 1, which now does not answer
    expect((await read("&location=weur")).error_code).toBe(40404);
    expect((await read("&location=mars")).records).toHaveLength(1);
  });

  it("refuses an append carrying a stale leader epoch", async () => {
    await rf3("rep-stale");
    const { topicId, stub } = await replica("rep-stale", 0, 0);
    const res = await stub.append({ topicId, leaderEpoch: -1, acks: 1, batches: [] });
    expect(res).toMatchObject({ ok: false, error_code: 50003 });
    const follower = await replica("rep-stale", 0, 1);
    const onFollower = await follower.stub.append({ topicId, leaderEpoch: 0, acks: 1, batches: [] });
    expect(onFollower).toMatchObject({ ok: false, error_code: 50003, message: expect.stringMatching(/not the leader/) });
  });

  it("fails acks=all with the retriable error when too few replicas are in sync, and shows nothing new", async () => {
    await rf3("rep-min-isr", [{ name: "min.insync.replicas", value: "2" }, { name: "replica.lag.time.max.ms", value: "300" }]);
    expect(acked(await produce("rep-min-isr", ["kept"]))).toBe(true);
    await fault(1, "down");
    await fault(2, "down");
    const refused = await produce("rep-min-isr", ["lost"]);
    expect(refused.body.offsets[0]).toMatchObject({ offset: null, error_code: 50003, error: expect.stringMatching(/^NOT_ENOUGH_REPLICAS(_AFTER_APPEND)?: /) });
    expect(refused.body.offsets[0].error_name).toMatch(/^NOT_ENOUGH_REPLICAS(_AFTER_APPEND)?$/);
    await waitFor("the ISR to shrink to the leader", async () => (await partition("rep-min-isr")).isr.length === 1);
    const again = await produce("rep-min-isr", ["lost too"]);
    expect(again.body.offsets[0]).toMatchObject({ error_code: 50003, error_name: "NOT_ENOUGH_REPLICAS", error: expect.stringMatching(/^NOT_ENOUGH_REPLICAS: 1 in-sync replicas, min.insync.replicas is 2/) });
    const v3 = await call("POST", `${V3}/topics/rep-min-isr/records`, { value: { type: "STRING", data: "lost as well" } });
    expect([v3.status, v3.body]).toEqual([500, { error_code: 50003, error_name: "NOT_ENOUGH_REPLICAS", message: expect.stringMatching(/^NOT_ENOUGH_REPLICAS: 1 in-sync replicas/) }]);
    expect(await values("rep-min-isr")).toEqual(["kept"]);
    expect((await partition("rep-min-isr")).high_watermark).toBe(1);
  });

  it("elects a new leader when the leader's broker goes down mid-stream, losing and duplicating nothing acknowledged", async () => {
    await rf3("rep-failover", [{ name: "replica.lag.time.max.ms", value: "1000" }]);
    const acknowledged: string[] = [];
    let failures = 0;
    for (let i = 0; i < 30; i++) {
      if (i === 10) await fault(0, "down");
      const batch = [`m${i}-a`, `m${i}-b`, `m${i}-c`];
      await waitFor(`batch ${i} acknowledged`, async () => {
        const res = await produce("rep-failover", batch, { key: `batch-${i}` });
        if (acked(res)) return true;
        failures++;
        expect(errorCode(res)).toBeOneOf([50003, 40404]);
        return false;
      });
      acknowledged.push(...batch);
    }
    expect(failures).toBeGreaterThan(0);
    const p = await partition("rep-failover");
    expect(p.leader.broker_id).not.toBe(0);
    expect(p.leader_epoch).toBeGreaterThan(0);
    expect(await values("rep-failover")).toEqual(acknowledged);
  });

  it("elects the only replica again once its broker is back, though no client can reach a leader meanwhile", async () => {
    await createTopic("rep-alone", 1, [], 1); // partition 0's only replica lives on broker 0
    expect(acked(await produce("rep-alone", ["before"]))).toBe(true);
    await fault(0, "down");
    expect(errorCode(await produce("rep-alone", ["lost"]))).toBe(50003); // unreachable: the controller finds no one to elect
    await waitFor("no leader", async () => (await partition("rep-alone")).leader === null);
    expect(errorCode(await produce("rep-alone", ["refused"]))).toBe(40404);
    await fault(0, "heal");
    // Only clients ask for the partition now; their requests must bring it back.
    await waitFor("a produce accepted again", async () => acked(await produce("rep-alone", ["after"])));
    expect((await partition("rep-alone")).leader).toEqual({ broker_id: 0, related: expect.any(String) });
    expect((await fetchStrings("rep-alone", 0, 0)).body.records.map((r: { value: string }) => r.value)).toEqual(['"before"', '"after"']);
  });

  it("truncates a returning leader's divergent suffix, takes it back into the ISR and makes it leader again", async () => {
    await rf3("rep-diverge", [{ name: "replica.lag.time.max.ms", value: "60000" }]);
    expect(acked(await produce("rep-diverge", ["c0", "c1"]))).toBe(true);
    await waitFor("followers caught up", async () => (await batchMarks("rep-diverge", 0, 2)).length === 1);
    // Followers down: acks=1 records reach the old leader only, and the high watermark stays.
    await fault(1, "down");
    await fault(2, "down");
    expect(acked(await produce("rep-diverge", ["only-on-0"], { acks: "1" }))).toBe(true);
    await fault(0, "down");
    await fault(1, "heal");
    await fault(2, "heal");
    const taken = await waitFor("a new leader", async () => {
      const res = await produce("rep-diverge", ["n0", "n1"], { key: "n" });
      return acked(res) ? res : null;
    });
    expect(taken.body.offsets[0].offset).toBe(2);
    await fault(0, "heal");
    const back = await waitFor("broker 0 to lead again, in sync", async () => {
      const p = await partition("rep-diverge");
      return p.leader?.broker_id === 0 && p.isr.length === 3 ? p : null;
    });
    expect(back.leader_epoch).toBeGreaterThanOrEqual(2);
    expect(await values("rep-diverge")).toEqual(["c0", "c1", "n0", "n1"]);
    const marks = await Promise.all([0, 1, 2].map((b) => waitFor(`broker ${b} identical`, async () => {
      const m = await batchMarks("rep-diverge", 0, b);
      return m.length === 2 ? m : null;
    })));
    expect(marks[0]).toEqual(marks[1]);
    expect(marks[2]).toEqual(marks[1]);
  });
});

describe("idempotent produce", () => {
  it("answers a retry with the original offsets and appends nothing", async () => {
    await createTopic("idem-retry", 3);
    const first = await produce("idem-retry", ["a", "b", "c"], { key: "order-1" });
    const again = await produce("idem-retry", ["a", "b", "c"], { key: "order-1", acks: "1" });
    expect(again.body.offsets).toEqual(first.body.offsets);
    const p = first.body.offsets[0].partition;
    expect(await values("idem-retry", p)).toEqual(["a", "b", "c"]);
  });

  it("refuses the same key with other records with 42206, appending nothing", async () => {
    await createTopic("idem-other", 2);
    await produce("idem-other", ["a"], { key: "k", partition: 0 });
    const other = await produce("idem-other", ["b"], { key: "k", partition: 0 });
    expect(other.status).toBe(422);
    expect(other.body.error_code).toBe(42206);
    expect(await values("idem-other", 0)).toEqual(["a"]);
  });

  it("refuses a key that is not 1 to 255 printable ASCII characters", async () => {
    await createTopic("idem-bad");
    const res = await produce("idem-bad", ["a"], { key: "x".repeat(256) });
    expect(res.body).toMatchObject({ error_code: 400, message: expect.stringMatching(/Idempotency-Key/) });
  });

  it("dedups on v3 records and batch endpoints too", async () => {
    await createTopic("idem-v3");
    const body = { value: { type: "STRING", data: "once" } };
    const a = await call("POST", `${V3}/topics/idem-v3/records`, body, { "idempotency-key": "v3-1" });
    const b = await call("POST", `${V3}/topics/idem-v3/records`, body, { "idempotency-key": "v3-1" });
    expect(b.body.offset).toBe(a.body.offset);
    expect(b.body.timestamp).toBe(a.body.timestamp);
    expect(await values("idem-v3", 0, "string")).toEqual(["once"]);
  });
});

describe("faults on demand", () => {
  it("refuse an unknown broker and a bad mode", async () => {
    expect((await call("POST", `${V3}/brokers/9/faults`, { mode: "down" })).body.error_code).toBe(40406);
    expect((await call("POST", `${V3}/brokers/0/faults`, { mode: "sideways" })).body.error_code).toBe(400);
    expect((await call("POST", `${V3}/brokers/0/faults`, { mode: "slow", latency_ms: -5 })).body.error_code).toBe(400);
  });

  it("make a slow broker answer later, and a restarted one keep its data", async () => {
    await createTopic("fault-slow");
    await produce("fault-slow", ["x"], { partition: 0 });
    await fault(0, "slow", 300);
    const started = Date.now();
    await call("GET", `${V3}/topics/fault-slow/partitions/0/records?offset=0`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await fault(0, "heal");
    expect((await call("POST", `${V3}/brokers/0/restart`)).status).toBe(204);
    expect(await values("fault-slow")).toEqual(["x"]);
  });
});

describe("the ISR", () => {
  it("shrinks to the leader when both followers stop answering, and does not swap one laggard for the other", async () => {
    await rf3("isr-both-down", [{ name: "replica.lag.time.max.ms", value: "200" }]);
    expect(acked(await produce("isr-both-down", ["a"]))).toBe(true);
    await fault(1, "down");
    await fault(2, "down");
    await waitFor("the ISR to shrink to the leader", async () => (await partition("isr-both-down")).isr.length === 1);
    // Three more heartbeats, each with its ISR upkeep settled: neither laggard comes back on a stale log end.
    const { stub: leader } = await replica("isr-both-down", 0, 0);
    for (let beat = 0; beat < 3; beat++) {
      await waitFor("a heartbeat to run", () => runDurableObjectAlarm(leader));
      await waitFor("the ISR upkeep to settle", () => runInDurableObject(leader, (r: PartitionReplica) => !r.state!.leader.busy()));
      expect((await partition("isr-both-down")).isr).toEqual([{ broker_id: 0 }]);
    }
    await fault(1, "heal");
    await fault(2, "heal");
    await waitFor("both followers back in the ISR", async () => (await partition("isr-both-down")).isr.length === 3);
  });
});

describe("faults in production configuration", () => {
  it("are refused with 403 even to the admin, and so is restart", async () => {
    const { default: app } = await import("../../src/dev");
    const { env } = await import("cloudflare:test");
    const production = { ...env, MODE: "production", RUNNEL_ADMIN_KEY: "prod-secret" };
    const admin = { authorization: "Bearer admin.prod-secret" };
    const ctx = { waitUntil: () => undefined, passThroughOnException: () => undefined, props: {} } as unknown as ExecutionContext;
    const init = { method: "POST", headers: { "content-type": "application/json", ...admin }, body: JSON.stringify({ mode: "down" }) };
    const faults = await app.request(`${V3}/brokers/0/faults`, init, production, ctx);
    expect(faults.status).toBe(403);
    expect(await faults.json()).toMatchObject({ error_code: 403 });
    expect((await app.request(`${V3}/brokers/0/restart`, { method: "POST", headers: admin }, production, ctx)).status).toBe(403);
    // Without an admin key, production refuses everything first.
    const closed = await app.request(`${V3}/brokers/0/restart`, { method: "POST" }, { ...env, MODE: "production" }, ctx);
    expect(closed.status).toBe(503);
    expect(await closed.json()).toMatchObject({ error_code: 50301 });
  });
});

import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { PartitionReplica } from "../../src/replication/partition-replica";
import { V3, call, createTopic, fetchStrings } from "../helpers";
import { SUBS, received, script, until, webhookSubscription } from "./helpers";

type Pushed = { subscription: string; topic: string; partition: number; records: { offset: number; timestamp: number; key: unknown; value: unknown; headers: { name: string; value: string }[] }[] };

const produce = (topic: string, values: unknown[], partition = 0, extra: Record<string, unknown> = {}) =>
  call("POST", `${V3}/topics/${topic}/records:batch`, { entries: values.map((v, i) => ({ id: String(i), partition_id: partition, value: { type: "JSON", data: v }, ...extra })) });

const bodies = async (hook: string): Promise<Pushed[]> => (await received(hook)).filter((r) => r.answered === 200).map((r) => JSON.parse(r.body));
const offsetsOf = (pushed: Pushed[]) => pushed.flatMap((p) => p.records.map((r) => r.offset));
const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

/** The hex HMAC-SHA256 of `text` keyed with `secret`'s UTF-8 bytes, written here apart from src/push/signature.ts. */
async function hmac(secret: string, text: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return [...new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(text)))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

describe("webhook delivery", () => {
  it("pushes every record in offset order, batch by batch, signed; the group's offset follows", async () => {
    await createTopic("dl-order", 1);
    await produce("dl-order", range(7));
    const made = await webhookSubscription("dl-order", ["dl-order"], { start: "earliest", batch_records: 3, max_wait_ms: 0, format: "json" });
    const pushed = await until("7 records", () => bodies("dl-order"), (b) => offsetsOf(b).length >= 7);
    expect(offsetsOf(pushed)).toEqual(range(7));
    expect(pushed.map((p) => p.records.length)).toEqual([3, 3, 1]);
    expect(pushed[0]).toMatchObject({ subscription: "dl-order", topic: "dl-order", partition: 0 });
    expect(pushed[0]!.records[0]).toMatchObject({ offset: 0, key: null, value: 0, headers: [] });
    expect(Object.keys(pushed[0]!.records[0]!)).toEqual(["offset", "timestamp", "key", "value", "headers"]);
    for (const r of await received("dl-order")) {
      expect(r.headers["content-type"]).toBe("application/json");
      const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(r.headers["runnel-signature"] ?? "");
      expect(m).not.toBeNull();
      expect(Math.abs(Number(m![1]) - Date.now() / 1000)).toBeLessThan(60);
      expect(m![2]).toBe(await hmac(made.signing_secret, `${m![1]}.${r.body}`));
      expect(m![2]).not.toBe(await hmac(made.signing_secret, `${m![1]}.${r.body} `)); // any other body does not verify
    }
    await until("the commit of offset 7", async () => (await call("GET", `${SUBS}/dl-order`)).body.partitions[0], (p) => p.committed_offset === 7 && p.lag === 0);
  });

  it("is woken by new records, and an idle subscription has no alarm set: it waits on a watch the partition keeps", async () => {
    const t = await createTopic("dl-wake", 1);
    await webhookSubscription("dl-wake", ["dl-wake"], { max_wait_ms: 0 });
    const replica = env.PARTITIONS.get(env.PARTITIONS.idFromName(`${t.topic_id}/0/0`));
    await until("a watch", () => watchesOf(replica), (w) => w.includes("dl-wake"));
    const sub = env.SUBSCRIPTIONS.get(env.SUBSCRIPTIONS.idFromName("dl-wake"));
    expect(await runInDurableObject(sub, (_o, state) => state.storage.getAlarm())).toBeNull();
    await produce("dl-wake", ["a"]);
    expect(offsetsOf(await until("the record", () => bodies("dl-wake"), (b) => b.length === 1))).toEqual([0]);
    // Caught up again: the alarm kept while the batch was out finds nothing to do, and none is set after it.
    await until("a watch again", () => watchesOf(replica), (w) => w.includes("dl-wake"));
    await runDurableObjectAlarm(sub);
    expect(await runInDurableObject(sub, (_o, state) => state.storage.getAlarm())).toBeNull();
    expect((await received("dl-wake")).length).toBe(1);
  });

  it("retries a refused batch with backoff and never lets a later record overtake it", async () => {
    await createTopic("dl-retry", 1);
    await script("dl-retry", { fail: 3, status: 503, body: "busy" });
    await produce("dl-retry", range(5));
    await webhookSubscription("dl-retry", ["dl-retry"], { start: "earliest", batch_records: 2, max_wait_ms: 0, retry_backoff_ms: 20 });
    await until("5 records", () => bodies("dl-retry"), (b) => offsetsOf(b).length >= 5);
    const all = await received("dl-retry");
    expect(all.map((r) => r.answered)).toEqual([503, 503, 503, 200, 200, 200]);
    const firsts = all.map((r) => (JSON.parse(r.body) as Pushed).records[0]!.offset);
    expect(firsts).toEqual([0, 0, 0, 0, 2, 4]);
    const gaps = all.slice(1, 4).map((r, i) => r.at - all[i]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(20); // 20, 40, 80 ms nominal: each at least that, at most 20% more (plus the request)
    expect(gaps[1]).toBeGreaterThanOrEqual(40);
    expect(gaps[2]).toBeGreaterThanOrEqual(80);
    const view = (await call("GET", `${SUBS}/dl-retry`)).body;
    expect(view.last_error).toMatchObject({ message: "the webhook answered 503: busy", topic: "dl-retry", partition: 0, offset: 0 });
    const metrics = await runInDurableObject(env.SUBSCRIPTIONS.get(env.SUBSCRIPTIONS.idFromName("dl-retry")), (o) => o.metrics());
    expect(metrics).toMatchObject({ ok: true, state: "active", stalled: 0, counters: { batchesDelivered: 3, recordsDelivered: 5, failures: 3, retries: 3, deadLetters: 0 } });
  });

  it("after 1 + max_retries attempts sends the batch to the dead-letter topic with the runnel-dlq-* headers, and goes on", async () => {
    await createTopic("dl-poison", 1);
    await createTopic("dl-poison-dlq", 1);
    await script("dl-poison", { fail: 3, status: 500, body: "no thanks" });
    await call("POST", `${V3}/topics/dl-poison/records`, { partition_id: 0, key: { type: "STRING", data: "k1" }, value: { type: "STRING", data: "v1" }, headers: [{ name: "h", value: btoa("hv") }] });
    await call("POST", `${V3}/topics/dl-poison/records`, { partition_id: 0, key: { type: "STRING", data: "k2" }, value: { type: "STRING", data: "v2" } });
    await webhookSubscription("dl-poison", ["dl-poison"], { start: "earliest", batch_records: 2, max_wait_ms: 0, max_retries: 2, retry_backoff_ms: 10, dead_letter_topic: "dl-poison-dlq" });
    const dead = await until("two dead letters", () => fetchStrings("dl-poison-dlq", 0, 0), (r) => r.body.records?.length === 2);
    expect(dead.body.records.map((r: { key: string; value: string }) => [r.key, r.value])).toEqual([["k1", "v1"], ["k2", "v2"]]);
    const headers = dead.body.records[0].headers.map((h: { name: string; value: string }) => [h.name, atob(h.value)]);
    expect(headers).toEqual([["h", "hv"], ["runnel-dlq-topic", "dl-poison"], ["runnel-dlq-partition", "0"], ["runnel-dlq-offset", "0"], ["runnel-dlq-error", "the webhook answered 500: no thanks"]]);
    expect(atob(dead.body.records[1].headers.find((h: { name: string }) => h.name === "runnel-dlq-offset").value)).toBe("1");
    expect((await received("dl-poison")).length).toBe(3); // 1 + max_retries
    await produce("dl-poison", ["after"]);
    expect(offsetsOf(await until("the next record", () => bodies("dl-poison"), (b) => b.length === 1))).toEqual([2]);
    const view = (await call("GET", `${SUBS}/dl-poison`)).body;
    expect(view).toMatchObject({ state: "active", partitions: [{ committed_offset: 3, lag: 0, state: "active" }] });
  });

  it("without a dead-letter topic stalls the partition with its last error; resume tries it afresh", async () => {
    await createTopic("dl-stall", 1);
    await script("dl-stall", { fail: 2, status: 400, body: "bad batch" });
    await produce("dl-stall", ["x"]);
    await webhookSubscription("dl-stall", ["dl-stall"], { start: "earliest", max_wait_ms: 0, max_retries: 1, retry_backoff_ms: 10 });
    const stalled = await until("a stall", async () => (await call("GET", `${SUBS}/dl-stall`)).body, (v) => v.state === "stalled");
    expect(stalled.last_error).toMatchObject({ message: "the webhook answered 400: bad batch", topic: "dl-stall", partition: 0, offset: 0 });
    expect(stalled.partitions).toEqual([{ topic_name: "dl-stall", partition_id: 0, committed_offset: 0, lag: 1, state: "stalled" }]);
    await produce("dl-stall", ["y"]); // a stalled partition stays stalled, whatever arrives
    expect((await call("GET", `${SUBS}/dl-stall`)).body.state).toBe("stalled");
    expect((await call("POST", `${SUBS}/dl-stall:resume`)).body.state).toBe("active");
    const pushed = await until("both records", () => bodies("dl-stall"), (b) => offsetsOf(b).length >= 2);
    expect(offsetsOf(pushed)).toEqual([0, 1]);
  });

  it("keeps a slow target from holding up the other partitions, and the other subscriptions", async () => {
    await createTopic("dl-slow", 2);
    await script("dl-slow", { slowPartition: 0, delayMs: 4_000 });
    await webhookSubscription("dl-slow", ["dl-slow"], { max_wait_ms: 0 });
    await webhookSubscription("dl-slow-other", ["dl-slow"], { max_wait_ms: 0 });
    await produce("dl-slow", ["slow"], 0);
    await until("partition 0's request under way", () => received("dl-slow"), (r) => r.some((e) => e.answered === null));
    const startedMs = Date.now();
    await produce("dl-slow", ["fast"], 1);
    const fast = await until("partition 1's record", () => bodies("dl-slow"), (b) => b.some((p) => p.partition === 1));
    expect(Date.now() - startedMs).toBeLessThan(3_000);
    expect(fast.some((p) => p.partition === 0)).toBe(false); // partition 0's batch is still out
    await until("the other subscription's records", () => bodies("dl-slow-other"), (b) => b.length === 2);
    await until("partition 0's record", () => bodies("dl-slow"), (b) => b.some((p) => p.partition === 0));
  });
});

async function watchesOf(replica: DurableObjectStub<PartitionReplica>): Promise<string[]> {
  return runInDurableObject(replica, (_o, state) => state.storage.sql.exec<{ subscription: string }>("SELECT subscription FROM push_watchers").toArray().map((r) => r.subscription));
}

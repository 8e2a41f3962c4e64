import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { PartitionReplica } from "../../src/replication/partition-replica";
import { call, createTopic, fetchStrings, V3 } from "../helpers";
import { fault, partition, produce, quiesce, replica, waitFor } from "../replication/helpers";
import { scrape, scrapeUntil } from "./helpers";

afterEach(async () => {
  for (const b of [0, 1, 2]) await fault(b, "heal");
});
afterAll(() => quiesce(["mf-"]), 20_000);

const isrOf = async (topic: string) => (await partition(topic)).isr.map((r: { broker_id: number }) => r.broker_id) as number[];

describe("metrics under faults", () => {
  it("count an ISR shrink and expand, and show the partition under-replicated meanwhile", async () => {
    await createTopic("mf-isr", 1, [{ name: "replica.lag.time.max.ms", value: "1000" }], 3);
    expect((await produce("mf-isr", ["a"])).status).toBe(200);
    await waitFor("every replica in sync", async () => (await isrOf("mf-isr")).length === 3);
    const before = await scrape();
    const shrinks = before.value("runnel_isr_shrinks_total");
    const expands = before.value("runnel_isr_expands_total");
    expect(before.value("runnel_partition_under_replicated", { topic: "mf-isr", partition: 0 })).toBe(0);

    await fault(2, "down");
    await waitFor("broker 2 out of the ISR", async () => !(await isrOf("mf-isr")).includes(2));
    const during = await scrape();
    expect(during.value("runnel_isr_shrinks_total")).toBeGreaterThan(shrinks);
    expect(during.value("runnel_partition_under_replicated", { topic: "mf-isr", partition: 0 })).toBe(1);
    expect(during.value("runnel_partition_in_sync_replicas", { topic: "mf-isr", partition: 0 })).toBe(2);
    expect(during.value("runnel_under_replicated_partitions")).toBeGreaterThanOrEqual(1);
    // The down broker's replica does not answer the scrape: left out, and counted.
    expect(during.samples("runnel_partition_records_in_total", { topic: "mf-isr", broker: 2 })).toEqual([]);
    expect(during.value("runnel_scrape_objects_missing", { object: "partition", reason: "unreachable" })).toBeGreaterThanOrEqual(1);

    await fault(2, "heal");
    await waitFor("broker 2 back in the ISR", async () => (await isrOf("mf-isr")).includes(2));
    const after = await scrapeUntil("the scrape error counted", (m) => m.sum("runnel_scrape_errors_total", { object: "partition", reason: "unreachable" }) >= 1 && m);
    expect(after.value("runnel_isr_expands_total")).toBeGreaterThan(expands);
    await scrapeUntil("the partition in sync again", (m) => m.value("runnel_partition_under_replicated", { topic: "mf-isr", partition: 0 }) === 0);
  });

  it("never hang on a slow broker: its replicas are left out once the time limit passes, and counted", async () => {
    await createTopic("mf-slow", 2); // partition 1 lives on broker 1
    await fault(1, "slow", 8_000);
    const startedMs = Date.now();
    const m = await scrape();
    const tookMs = Date.now() - startedMs;
    expect(tookMs).toBeLessThan(6_000); // limits.metricsScrapeMs is 5 s
    expect(m.samples("runnel_partition_high_watermark", { topic: "mf-slow", partition: 1 })).toEqual([]);
    expect(m.value("runnel_partition_high_watermark", { topic: "mf-slow", partition: 0 })).toBe(0);
    expect(m.value("runnel_scrape_objects_missing", { object: "partition", reason: "timeout" })).toBeGreaterThanOrEqual(1);
    expect(m.sum("runnel_scrape_errors_total", { object: "partition", reason: "timeout" })).toBeGreaterThanOrEqual(1);
  }, 20_000);

  it("do not go down when a broker restarts and its replicas start again from storage", async () => {
    await createTopic("mf-restart", 1);
    const at = { topic: "mf-restart", partition: 0, broker: 0 };
    await produce("mf-restart", ["a", "b"]);
    await fetchStrings("mf-restart", 0, 0);
    const first = await scrape();
    expect(first.value("runnel_partition_records_in_total", at)).toBe(2);
    expect(first.value("runnel_partition_records_out_total", at)).toBe(2);

    // Moved after the scrape, then written by the replica's schedule (not by a scrape) before the restart.
    await produce("mf-restart", ["c"]);
    const { topicId, stub } = await replica("mf-restart", 0, 0);
    await waitFor("the counters written on schedule", () =>
      runInDurableObject(stub, (instance: PartitionReplica) => JSON.parse(instance.state!.log.meta.get("counters") ?? "{}").recordsIn === 3),
    );
    expect((await call("POST", `${V3}/brokers/0/restart`)).status).toBe(204);
    const second = await scrape();
    expect(second.value("runnel_partition_records_in_total", at)).toBe(3);
    expect(second.value("runnel_partition_records_out_total", at)).toBe(2);
    expect(await runInDurableObject(stub, (instance: PartitionReplica) => instance.retired !== null)).toBe(true); // the memory was indeed rebuilt

    // Moved and restarted before any write: lost, but never below what a scrape showed.
    await produce("mf-restart", ["d"]);
    await call("POST", `${V3}/brokers/0/restart`);
    const third = await scrape();
    expect(third.value("runnel_partition_records_in_total", at)).toBeGreaterThanOrEqual(3);
    expect(third.value("runnel_partition_high_watermark", { topic: "mf-restart", partition: 0 })).toBe(4);
    expect(topicId).toBeTruthy();
  });

  it("keep the router's totals when the metrics object restarts", async () => {
    const before = await scrape();
    const scrapes = before.sum("runnel_http_requests_total", { route: "/metrics" });
    await evictDurableObject(env.ROUTER_METRICS.get(env.ROUTER_METRICS.idFromName("router-metrics")));
    const after = await scrape();
    expect(after.sum("runnel_http_requests_total", { route: "/metrics" })).toBeGreaterThan(scrapes);
  });
});

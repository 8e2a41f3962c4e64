import { describe, expect, it } from "vitest";
import { call, createTopic, fetchStrings, V3 } from "../helpers";
import { consumer, fill, lags, pollUntil, subscribe } from "../group/helpers";
import { scrape, scrapeUntil } from "./helpers";

const v2 = { "content-type": "application/vnd.kafka.json.v2+json" };

describe("GET /metrics", () => {
  it("counts records and bytes in and out per partition, and shows each partition's offsets and size", async () => {
    await createTopic("m-flow", 2);
    const before = await scrape();
    expect(before.value("runnel_partition_records_in_total", { topic: "m-flow", partition: 0, broker: 0 })).toBe(0);
    const produced = await call("POST", "/topics/m-flow/partitions/0", { records: [{ value: 1 }, { value: 2 }, { value: 3 }] }, v2);
    expect(produced.status).toBe(200);
    const fetched = await fetchStrings("m-flow", 0, 1);
    expect(fetched.body.records).toHaveLength(2);

    const m = await scrape();
    const p0 = { topic: "m-flow", partition: 0 };
    expect(m.value("runnel_partition_records_in_total", { ...p0, broker: 0 })).toBe(3);
    expect(m.value("runnel_partition_bytes_in_total", { ...p0, broker: 0 })).toBeGreaterThan(61); // at least one batch header
    expect(m.value("runnel_partition_records_out_total", { ...p0, broker: 0 })).toBe(2); // from offset 1 of the batch
    expect(m.value("runnel_partition_bytes_out_total", { ...p0, broker: 0 })).toBe(m.value("runnel_partition_bytes_in_total", { ...p0, broker: 0 }));
    expect(m.value("runnel_partition_stored_bytes", { ...p0, broker: 0 })).toBe(m.value("runnel_partition_bytes_in_total", { ...p0, broker: 0 }));
    expect(m.value("runnel_partition_log_start_offset", p0)).toBe(0);
    expect(m.value("runnel_partition_high_watermark", p0)).toBe(3);
    expect(m.value("runnel_partition_log_end_offset", p0)).toBe(3);
    expect(m.value("runnel_partition_high_watermark", { topic: "m-flow", partition: 1 })).toBe(0);
    expect(m.value("runnel_partition_records_in_total", { topic: "m-flow", partition: 1, broker: 1 })).toBe(0);
    expect(m.value("runnel_partition_leader", p0)).toBe(0);
    expect(m.value("runnel_partition_under_replicated", p0)).toBe(0);
    expect(m.value("runnel_topics")).toBeGreaterThanOrEqual(1);
  });

  it("counts requests by route and error code, with latency histograms, and produce requests by topic and outcome", async () => {
    await createTopic("m-requests", 1);
    const before = await scrape();
    const route = { route: "/topics/:t/partitions/:p", method: "POST" };
    const okBefore = before.sum("runnel_http_requests_total", { ...route, error_code: 200 });
    await call("POST", "/topics/m-requests/partitions/0", { records: [{ value: 1 }] }, v2);
    await call("POST", "/topics/m-requests/partitions/0", { records: [{ value: 1 }] }, v2);
    await call("POST", "/topics/m-requests/partitions/7", { records: [{ value: 1 }] }, v2); // 40402
    await call("GET", `${V3}/topics/m-nope`); // 40401
    await call("GET", "/no/such/route"); // 404, unmatched
    const m = await scrape();
    expect(m.sum("runnel_http_requests_total", { ...route, error_code: 200 }) - okBefore).toBe(2);
    expect(m.sum("runnel_http_requests_total", { ...route, error_code: 40402 })).toBeGreaterThanOrEqual(1);
    expect(m.sum("runnel_http_requests_total", { route: "/v3/clusters/:c/topics/:t", method: "GET", error_code: 40401 })).toBeGreaterThanOrEqual(1);
    expect(m.sum("runnel_http_requests_total", { route: "unmatched", error_code: 404 })).toBeGreaterThanOrEqual(1);
    expect(m.value("runnel_http_request_duration_seconds_count", route)).toBeGreaterThanOrEqual(3);
    expect(m.value("runnel_produce_requests_total", { topic: "m-requests", error_code: 200 })).toBe(2);
    expect(m.value("runnel_produce_requests_total", { topic: "m-requests", error_code: 40402 })).toBe(1);
    // A topic that does not exist is not named: no series for made-up names.
    await call("POST", "/topics/m-made-up/partitions/0", { records: [{ value: 1 }] }, v2);
    // Nor is one refused before it was looked up: a body that is not JSON, to a name nobody created.
    const badV2 = await call("POST", "/topics/m-made-up-v2", "{not json", v2);
    const badV3 = await call("POST", `${V3}/topics/m-made-up-v3/records`, "{not json");
    expect([badV2.status, badV3.status]).toEqual([400, 400]);
    const after = await scrape();
    for (const topic of ["m-made-up", "m-made-up-v2", "m-made-up-v3"]) expect(after.samples("runnel_produce_requests_total", { topic })).toEqual([]);
    expect(after.sum("runnel_produce_requests_total", { topic: "", error_code: 400 })).toBeGreaterThanOrEqual(2);
  });

  it("counts a v2 produce with refused records as a failed produce request", async () => {
    await createTopic("m-refused", 1, [{ name: "min.insync.replicas", value: "2" }]);
    const res = await call("POST", "/topics/m-refused", { records: [{ value: 1 }] }, v2);
    expect(res.body.offsets[0].error_code).toBe(50003); // NOT_ENOUGH_REPLICAS: one replica, two needed
    const m = await scrape();
    expect(m.value("runnel_produce_requests_total", { topic: "m-refused", error_code: 50003 })).toBe(1);
  });

  it("shows groups: members, state, rebalances and lag per partition", async () => {
    await createTopic("m-group", 2);
    await fill("m-group", 2, 5);
    const base = await consumer("m-group-g");
    await subscribe(base, ["m-group"]);
    await pollUntil(base, 10);
    expect((await call("POST", `${base}/offsets`, { offsets: [{ topic: "m-group", partition: 0, offset: 1 }] })).status).toBeLessThan(300);
    const m = await scrape();
    const g = { group: "m-group-g" };
    expect(m.value("runnel_group_members", g)).toBe(1);
    expect(m.value("runnel_group_state", { ...g, state: "STABLE" })).toBe(1);
    expect(m.value("runnel_group_state", { ...g, state: "EMPTY" })).toBe(0);
    const rebalances = m.value("runnel_group_rebalances_total", g);
    expect(rebalances).toBeGreaterThanOrEqual(1);
    // The same lag as GET …/lags: high watermark 5 minus the committed offset, from the log start when nothing is committed.
    const rows = await lags("m-group-g");
    expect(rows.map((r) => r[4])).toEqual([5 - rows[0]![2]!, 5]);
    expect(m.value("runnel_group_lag", { ...g, topic: "m-group", partition: 0 })).toBe(rows[0]![4]);
    expect(m.value("runnel_group_lag", { ...g, topic: "m-group", partition: 1 })).toBe(5);
    expect((await call("DELETE", base)).status).toBe(204); // leaving is a rebalance
    const after = await scrapeUntil("the group empty", (x) => x.value("runnel_group_state", { ...g, state: "EMPTY" }) === 1 && x);
    expect(after.value("runnel_group_rebalances_total", g)).toBe(rebalances + 1);
    expect(after.value("runnel_group_members", g)).toBe(0);
  });

  it("covers the topics a pattern subscription matched, as GET …/lags does", async () => {
    await createTopic("m-pat-a", 1);
    await fill("m-pat-a", 1, 3);
    const base = await consumer("m-pat-g");
    expect((await call("POST", `${base}/subscription`, { topic_pattern: "m-pat-.*" })).status).toBe(204);
    const rows = await lags("m-pat-g");
    expect(rows).toEqual([["m-pat-a", 0, null, 3, 3]]);
    const m = await scrape();
    expect(m.samples("runnel_group_lag", { group: "m-pat-g" }).map((s) => [s.labels.topic, s.labels.partition, s.value])).toEqual([["m-pat-a", "0", 3]]);
    expect((await call("DELETE", base)).status).toBe(204);
  });

  it("gathers the router's counters from the metrics object, so what one scrape showed the next one shows too", async () => {
    const first = await scrapeUntil("the scrape route counted", (m) => m.sum("runnel_http_requests_total", { route: "/metrics" }) > 0);
    expect(first).toBe(true);
    const a = await scrape();
    const b = await scrape();
    expect(b.sum("runnel_http_requests_total", { route: "/metrics" })).toBeGreaterThan(a.sum("runnel_http_requests_total", { route: "/metrics" }));
    expect(b.value("runnel_scrape_objects", { object: "controller" })).toBe(1);
    expect(b.samples("runnel_scrape_objects_missing")).toEqual([]);
  });
});

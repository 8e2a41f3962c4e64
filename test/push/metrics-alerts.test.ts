import { describe, expect, it } from "vitest";
import { scrapeUntil } from "../metrics/helpers";
import { V3, call, createTopic } from "../helpers";
import { SUBS, hookUrl, received, script, until, webhookSubscription } from "./helpers";

const produce = (topic: string, n: number) =>
  call("POST", `${V3}/topics/${topic}/records:batch`, { entries: Array.from({ length: n }, (_, i) => ({ id: String(i), partition_id: 0, value: { type: "JSON", data: i } })) });

describe("a subscription in /metrics", () => {
  it("shows its deliveries, failures, retries, dead letters and delivery latency; its lag is its group's", async () => {
    await createTopic("mx-topic", 1);
    await createTopic("mx-dlq", 1);
    await script("mx-sub", { fail: 3 }); // the first batch: refused 3 times (1 + max_retries), so dead-lettered
    await produce("mx-topic", 2);
    await webhookSubscription("mx-sub", ["mx-topic"], { start: "earliest", batch_records: 2, max_wait_ms: 0, max_retries: 2, retry_backoff_ms: 10, dead_letter_topic: "mx-dlq" });
    await until("the dead letters", async () => (await call("GET", `${SUBS}/mx-sub`)).body.partitions[0].committed_offset, (o) => o === 2);
    await produce("mx-topic", 2);
    const l = { subscription: "mx-sub" };
    const lag = { group: "mx-sub", topic: "mx-topic", partition: 0 };
    // Counted once the target accepts it, committed just after: wait for both.
    const m = await scrapeUntil("the second batch counted and committed", (x) => x.sum("runnel_subscription_deliveries_total", l) === 1 && x.sum("runnel_group_lag", lag) === 0 && x);
    expect(m.value("runnel_subscription_records_delivered_total", l)).toBe(2);
    expect(m.value("runnel_subscription_delivery_failures_total", l)).toBe(3);
    expect(m.value("runnel_subscription_delivery_retries_total", l)).toBe(2);
    expect(m.value("runnel_subscription_dead_letters_total", l)).toBe(2);
    expect(m.value("runnel_subscription_stalled_partitions", l)).toBe(0);
    expect(m.value("runnel_subscription_paused", l)).toBe(0);
    expect(m.value("runnel_subscription_delivery_latency_seconds_count", l)).toBe(1);
    expect(m.value("runnel_subscription_delivery_latency_seconds_bucket", { ...l, le: "+Inf" })).toBe(1);
    expect(m.value("runnel_group_lag", lag)).toBe(0);
  });
});

describe("the subscription_stalled alert rule", () => {
  it("fires when a partition of the subscription stalls, and tells its webhook", async () => {
    const rule = { name: "mx-stalled", kind: "subscription_stalled", target: "mx-stall", threshold: 0, for_ms: 0, webhook_url: hookUrl("mx-alerts") };
    expect((await call("POST", `${V3}/alerts`, rule)).status).toBe(201);
    expect((await call("POST", `${V3}/alerts`, { ...rule, name: "mx-bad", target: "a/b" })).body.message).toContain("target must be a subscription's name");
    await createTopic("mx-stall", 1);
    await script("mx-stall", { fail: 10 });
    await produce("mx-stall", 1);
    await webhookSubscription("mx-stall", ["mx-stall"], { start: "earliest", max_wait_ms: 0, max_retries: 0 });
    await until("a stall", async () => (await call("GET", `${SUBS}/mx-stall`)).body.state, (s) => s === "stalled");
    const fired = await until("the rule to fire", async () => (await call("GET", `${V3}/alerts/mx-stalled`)).body, (a) => a.state === "firing", 20_000);
    expect(fired.value).toBe(1);
    const notices = await until("the notice", () => received("mx-alerts"), (r) => r.length > 0);
    expect(JSON.parse(notices[0]!.body)).toMatchObject({ alert: "mx-stalled", status: "firing", value: 1 });
    await call("DELETE", `${V3}/alerts/mx-stalled`);
  });
});

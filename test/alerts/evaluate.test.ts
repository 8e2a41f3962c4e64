import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Controller } from "../../src/controller/controller";
import { call, createTopic, V3 } from "../helpers";
import { scrape } from "../metrics/helpers";
import { fault, produce, quiesce, waitFor } from "../replication/helpers";
import { controllerStub } from "../stubs";

/** Every POST the controller made, and how the next ones answer (true: taken). */
const posts: { url: string; body: any; atMs: number }[] = [];
let answers: boolean[] = [];

const inController = <R>(fn: (c: Controller, state: DurableObjectState) => R | Promise<R>) => runInDurableObject(controllerStub(env), fn);

beforeEach(async () => {
  posts.length = 0;
  answers = [];
  await inController((c) => {
    c.alerting.send = async (url, body) => {
      posts.push({ url, body: JSON.parse(body), atMs: Date.now() });
      return answers.shift() ?? true;
    };
  });
});
afterEach(async () => {
  for (const a of (await call("GET", `${V3}/alerts`)).body.data) await call("DELETE", `${V3}/alerts/${a.name}`);
  for (const b of [0, 1, 2]) await fault(b, "heal");
  vi.restoreAllMocks();
});
afterAll(() => quiesce(["al-"]), 20_000);

/** The rule's state as the API shows it. */
const alert = async (name: string) => (await call("GET", `${V3}/alerts/${name}`)).body;

/**
 * Runs the controller's alarm now (it is always set while rules exist);
 * while it is running by itself, waits for it to be set again.
 */
async function evaluateNow() {
  await waitFor("the controller's alarm to be set", () => runDurableObjectAlarm(controllerStub(env)), 5_000);
}

/** Creates a rule and waits for the evaluation its creation asks for. */
async function create(rule: Record<string, unknown>) {
  const created = await call("POST", `${V3}/alerts`, rule);
  expect(created.status).toBe(201);
  await waitFor("the first evaluation", async () => (await alert(rule.name as string)).evaluated_at !== null);
}

describe("alert rules evaluated from the controller's alarm", () => {
  it("fire when the value stays above the threshold, and resolve once it clears, each a POST to the webhook", async () => {
    await createTopic("al-storage", 1);
    await create({ name: "al-bytes", kind: "storage_bytes", target: "al-storage", threshold: 0, for_ms: 0, webhook_url: "http://hooks.test/a" });
    expect((await alert("al-bytes")).state).toBe("inactive"); // an empty topic stores 0 bytes
    await produce("al-storage", ["x", "y"]);
    await evaluateNow();
    const firing = await alert("al-bytes");
    expect(firing).toMatchObject({ state: "firing", value: expect.any(Number) });
    expect(firing.value).toBeGreaterThan(61);
    expect(posts).toEqual([{ url: "http://hooks.test/a", body: { alert: "al-bytes", status: "firing", value: firing.value, since: firing.since }, atMs: expect.any(Number) }]);
    await evaluateNow();
    expect(posts).toHaveLength(1); // still firing: no second notice
    await call("DELETE", `${V3}/topics/al-storage`);
    await evaluateNow();
    expect(await alert("al-bytes")).toMatchObject({ state: "inactive", value: 0 });
    expect(posts[1]!.body).toEqual({ alert: "al-bytes", status: "resolved", value: 0, since: expect.any(Number) });
    const m = await scrape();
    expect(m.value("runnel_alert_firing", { alert: "al-bytes", kind: "storage_bytes" })).toBe(0);
    expect(m.value("runnel_alert_deliveries_total", { outcome: "delivered" })).toBeGreaterThanOrEqual(2);
  });

  it("wait for_ms before firing, and fire on an under-replicated partition", async () => {
    await createTopic("al-isr", 1, [{ name: "replica.lag.time.max.ms", value: "1000" }], 3);
    await create({ name: "al-ur", kind: "under_replicated", target: "al-isr", threshold: 0, for_ms: 500, webhook_url: "http://hooks.test/ur" });
    await fault(1, "down");
    await waitFor("the ISR to shrink", async () => {
      await evaluateNow();
      return (await alert("al-ur")).state !== "inactive";
    });
    const pending = await alert("al-ur");
    expect(pending).toMatchObject({ state: "pending", value: 1 });
    expect(posts).toEqual([]);
    // The controller wakes itself when for_ms has passed.
    await waitFor("the rule to fire", async () => (await alert("al-ur")).state === "firing", 10_000);
    expect(posts.map((p) => p.body)).toEqual([{ alert: "al-ur", status: "firing", value: 1, since: pending.since }]);
    expect(posts[0]!.atMs - pending.since).toBeGreaterThanOrEqual(500);
  });

  it("fire on a topic's produce error rate, as the metrics object measured it over its window", async () => {
    await createTopic("al-err", 1);
    await create({ name: "al-rate", kind: "produce_error_rate", target: "al-err", threshold: 0.4, for_ms: 0, webhook_url: "http://hooks.test/rate" });
    await create({ name: "al-rate-quiet", kind: "produce_error_rate", target: "al-err-quiet", threshold: 0, for_ms: 0, webhook_url: "http://hooks.test/rate" });
    expect((await produce("al-err", ["ok"])).status).toBe(200);
    // Refused once the topic was found (a partition it lacks): a malformed body would count under topic "" instead.
    const refused = await call("POST", "/topics/al-err/partitions/7", { records: [{ value: 1 }] }, { "content-type": "application/vnd.kafka.json.v2+json" });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    await scrape(); // hands this isolate's counts to the metrics object
    await evaluateNow();
    expect(await alert("al-rate")).toMatchObject({ state: "firing", value: 0.5 }); // one request of two failed
    expect(await alert("al-rate-quiet")).toMatchObject({ state: "inactive", value: 0 }); // no produce requests: 0, not unknown
    expect(posts.map((p) => p.body)).toEqual([{ alert: "al-rate", status: "firing", value: 0.5, since: expect.any(Number) }]);
  });

  it("retry a failed delivery with backoff, keep a rule's notices in order, and give up after limits.alertRetryForMs", async () => {
    const warned = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    await createTopic("al-retry", 1);
    await create({ name: "al-r", kind: "storage_bytes", target: "al-retry", threshold: 0, for_ms: 0, webhook_url: "http://hooks.test/r" });
    answers = [false, false];
    await produce("al-retry", ["x"]);
    await evaluateNow(); // fires: first attempt fails
    const queued = () => inController((c) => c.alerting.alerts.due(Number.MAX_SAFE_INTEGER));
    const first = (await queued())[0]!;
    expect(first).toMatchObject({ attempts: 1 });
    expect(first.nextAttemptMs - posts[0]!.atMs).toBeGreaterThanOrEqual(900); // the first pause, 1 s
    await waitFor("the second attempt", async () => posts.length >= 2, 5_000);
    await waitFor("the third attempt (taken)", async () => posts.length >= 3, 8_000);
    const gaps = [posts[1]!.atMs - posts[0]!.atMs, posts[2]!.atMs - posts[1]!.atMs];
    expect(gaps[0]).toBeGreaterThanOrEqual(1_000);
    expect(gaps[1]).toBeGreaterThanOrEqual(2_000); // doubled
    expect(posts.map((p) => p.body.status)).toEqual(["firing", "firing", "firing"]);
    expect(await queued()).toEqual([]);

    // A later notice of a rule waits behind an earlier one that is being retried.
    answers = [false];
    await call("DELETE", `${V3}/topics/al-retry`);
    await evaluateNow(); // resolves: the attempt fails
    await createTopic("al-retry", 1);
    await produce("al-retry", ["x"]);
    await evaluateNow(); // fires again: queued behind the resolved notice
    expect((await queued()).map((d) => JSON.parse(d.body).status)).toEqual(["resolved"]);
    await waitFor("both delivered", async () => (await queued()).length === 0 && posts.length === 6, 8_000);
    expect(posts.slice(3).map((p) => p.body.status)).toEqual(["resolved", "resolved", "firing"]);

    // A delivery failing for longer than the retry period is dropped, with a warning line.
    answers = [false, false, false];
    await call("DELETE", `${V3}/topics/al-retry`);
    await evaluateNow(); // resolves: fails
    await inController((_c, state) => state.storage.sql.exec("UPDATE alert_deliveries SET first_attempt_ms = first_attempt_ms - 600000, next_attempt_ms = 0"));
    await evaluateNow(); // fails once more, past the period: dropped
    expect(await queued()).toEqual([]);
    expect(warned).toHaveBeenCalledTimes(1);
    expect(JSON.parse(String(warned.mock.calls[0]![0]))).toMatchObject({ event: "alert-delivery-dropped", alert: "al-r" });
  }, 20_000);
});

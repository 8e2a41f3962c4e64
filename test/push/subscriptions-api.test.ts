import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import app from "../../src/dev";
import { nonPublicHost } from "../../src/push/webhook-url";
import { V3, call, createTopic } from "../helpers";
import { SUBS, hookUrl, script, until, webhookSubscription } from "./helpers";

const produce = (topic: string, n: number, partition = 0) =>
  call("POST", `${V3}/topics/${topic}/records:batch`, { entries: Array.from({ length: n }, (_, i) => ({ id: String(i), partition_id: partition, value: { type: "JSON", data: i } })) });

describe("creating a subscription", () => {
  it("answers 201 with the subscription and a signing secret shown once; GET shows it without the secret", async () => {
    await createTopic("sa-orders", 2);
    const made = await webhookSubscription("sa-one", ["sa-orders"], { format: "json", batch_records: 10, target: { type: "webhook", url: hookUrl("sa-one"), headers: { authorization: "Bearer x" } } });
    expect(made).toMatchObject({
      name: "sa-one", topics: ["sa-orders"], format: "json", batch_records: 10, batch_bytes: 1048576, max_wait_ms: 1000, max_retries: 10,
      retry_backoff_ms: 1000, dead_letter_topic: null, delivery_delay_ms: 0, start: "latest", isolation: "read_uncommitted", state: "active", last_error: null,
      target: { type: "webhook", url: hookUrl("sa-one"), headers: { authorization: "(hidden)" } },
    });
    expect(made.signing_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const got = await call("GET", `${SUBS}/sa-one`);
    expect(got.status).toBe(200);
    expect(got.body.signing_secret).toBeUndefined();
    expect(JSON.stringify(got.body)).not.toContain(made.signing_secret);
    expect(got.body.partitions).toEqual([
      { topic_name: "sa-orders", partition_id: 0, committed_offset: 0, lag: 0, state: "active" },
      { topic_name: "sa-orders", partition_id: 1, committed_offset: 0, lag: 0, state: "active" },
    ]);
    const listed = await call("GET", SUBS);
    expect(listed.body.kind).toBe("KafkaSubscriptionList");
    expect(listed.body.data.map((s: { name: string }) => s.name)).toContain("sa-one");
  });

  it("is a consumer group of its name: start=earliest commits the log start, and the group's lag shows what is still to deliver", async () => {
    await createTopic("sa-earliest", 1);
    await produce("sa-earliest", 5);
    await script("sa-group", { fail: 1000 }); // the target refuses everything: nothing gets committed past 0
    await webhookSubscription("sa-group", ["sa-earliest"], { start: "earliest", max_retries: 100 });
    const lags = await call("GET", `${V3}/consumer-groups/sa-group/lags`);
    expect(lags.status).toBe(200);
    expect(lags.body.data).toMatchObject([{ topic_name: "sa-earliest", partition_id: 0, current_offset: 0, log_end_offset: 5, lag: 5 }]);
    const got = await call("GET", `${SUBS}/sa-group`);
    expect(got.body.partitions).toEqual([{ topic_name: "sa-earliest", partition_id: 0, committed_offset: 0, lag: 5, state: "active" }]);
    await until("the first failure", async () => (await call("GET", `${SUBS}/sa-group`)).body.last_error, (e) => e !== null);
    expect(unwrapDelete(await call("DELETE", `${SUBS}/sa-group`))).toBe(204);
  });

  it("refuses a taken name with 40902, changing nothing", async () => {
    await createTopic("sa-taken", 1);
    await webhookSubscription("sa-taken", ["sa-taken"]);
    const again = await call("POST", SUBS, { name: "sa-taken", topics: ["sa-taken"], target: { type: "webhook", url: hookUrl("elsewhere") } });
    expect(again.status).toBe(409);
    expect(again.body.error_code).toBe(40902);
    expect((await call("GET", `${SUBS}/sa-taken`)).body.target.url).toBe(hookUrl("sa-taken"));
  });

  it.each([
    [{ topics: ["sa-none"] }, 404, 40401, "topic 'sa-none' does not exist"],
    [{ dead_letter_topic: "sa-no-dlq" }, 404, 40401, "dead_letter_topic 'sa-no-dlq' does not exist"],
    [{ dead_letter_topic: "sa-bad" }, 400, 400, "dead_letter_topic 'sa-bad' is one of the topics read"],
    [{ dead_letter_topic: "__consumer_offsets" }, 403, 403, "internal"],
    [{ batch_records: 1001 }, 400, 400, "batch_records must be an integer from 1 to 1000"],
    [{ retry_backoff_ms: 0 }, 400, 400, "retry_backoff_ms must be an integer from 1 to 60000 ms"],
    [{ start: "middle" }, 400, 400, "start must be earliest or latest"],
    [{ colour: "red" }, 400, 400, "unknown field 'colour'"],
    [{ name: "a/b" }, 400, 400, "name 'a/b' may hold only ASCII letters"],
    [{ topics: [] }, 400, 400, "topics must name at least one topic"],
    [{ target: { type: "webhook", url: "ftp://x.test/" } }, 400, 400, "target.url must be http or https, not ftp"],
    [{ target: { type: "webhook", url: "http://u:p@x.test/" } }, 400, 400, "may not carry credentials"],
    [{ target: { type: "webhook", url: "http://x.test/", headers: { "Runnel-Signature": "x" } } }, 400, 400, "target.headers: Runnel-Signature is set by Runnel"],
    [{ target: { type: "webhook", url: "http://x.test/", headers: { "a b": "x" } } }, 400, 400, "target.headers: 'a b' is not an HTTP header name"],
    [{ target: { type: "webhook", url: "http://x.test/", headers: { a: "x\ny" } } }, 400, 400, "target.headers.a may not hold control characters"],
    [{ target: { type: "carrier-pigeon" } }, 400, 400, 'target.type must be {"type":"webhook","url"} or {"type":"worker","service"}'],
    [{ target: { type: "worker", service: "NO_SUCH_BINDING" } }, 400, 400, "no service binding named NO_SUCH_BINDING"],
    [{ target: { type: "worker", service: "GROUPS" } }, 400, 400, "no service binding named GROUPS"],
  ])("refuses %j with %i (%i), creating nothing", async (change, status, code, message) => {
    if ((await call("GET", `${V3}/topics/sa-bad`)).status === 404) await createTopic("sa-bad", 1);
    const body = { name: "sa-refused", topics: ["sa-bad"], target: { type: "webhook", url: hookUrl("sa-refused") }, ...change };
    const res = await call("POST", SUBS, body);
    expect(res.status).toBe(status);
    expect(res.body.error_code).toBe(code);
    expect(res.body.message).toContain(message);
    expect((await call("GET", `${SUBS}/sa-refused`)).body.error_code).toBe(40407);
    expect((await call("GET", SUBS)).body.data.map((s: { name: string }) => s.name)).not.toContain("sa-refused");
  });
});

describe("an unknown subscription", () => {
  it.each([
    ["GET", `${SUBS}/sa-ghost`],
    ["DELETE", `${SUBS}/sa-ghost`],
    ["POST", `${SUBS}/sa-ghost:pause`],
    ["POST", `${SUBS}/sa-ghost:resume`],
  ])("%s %s is 40407", async (method, path) => {
    const res = await call(method, path);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error_code: 40407, message: "subscription 'sa-ghost' not found" });
  });

  it("POST without :pause or :resume is no route", async () => {
    expect((await call("POST", `${SUBS}/sa-ghost:stop`)).status).toBe(404);
  });
});

describe("pause, resume, delete", () => {
  it("pause and resume answer the subscription with its state; delete answers 204 and it is gone, its group's offsets kept", async () => {
    await createTopic("sa-life", 1);
    await webhookSubscription("sa-life", ["sa-life"]);
    const paused = await call("POST", `${SUBS}/sa-life:pause`);
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ name: "sa-life", state: "paused", partitions: [{ state: "paused" }] });
    const resumed = await call("POST", `${SUBS}/sa-life:resume`);
    expect(resumed.body).toMatchObject({ name: "sa-life", state: "active" });
    expect(unwrapDelete(await call("DELETE", `${SUBS}/sa-life`))).toBe(204);
    expect((await call("GET", `${SUBS}/sa-life`)).status).toBe(404);
    expect((await call("GET", SUBS)).body.data.map((s: { name: string }) => s.name)).not.toContain("sa-life");
    expect((await call("GET", `${V3}/consumer-groups/sa-life/lags`)).body.data).toHaveLength(1);
    // The name is free again.
    await webhookSubscription("sa-life", ["sa-life"]);
  });
});

describe("webhook addresses", () => {
  it.each([
    ["http://127.0.0.1/", "127.0.0.1 is a loopback address"],
    ["http://2130706433/", "127.0.0.1 is a loopback address"],
    ["http://localhost:8080/", "localhost is the loopback"],
    ["http://api.localhost/", "api.localhost is the loopback"],
    ["http://10.1.2.3/", "private"],
    ["http://172.20.0.1/", "private"],
    ["http://192.168.1.1/", "private"],
    ["http://169.254.169.254/latest/meta-data", "link-local"],
    ["http://100.64.0.1/", "carrier-grade NAT"],
    ["http://0.0.0.0/", "'this network'"],
    ["http://[::1]/", "[::1] is the loopback"],
    ["http://[::]/", "unspecified"],
    ["http://[fd00::1]/", "unique local"],
    ["http://[fe80::1]/", "link-local"],
    ["http://[::ffff:127.0.0.1]/", "loopback"],
    ["http://[::ffff:10.0.0.1]/", "private"],
  ])("%s is not public (%s)", (url, why) => {
    expect(nonPublicHost(new URL(url))).toContain(why);
  });

  it.each(["https://hooks.example.com/x", "http://8.8.8.8/", "http://172.32.0.1/", "http://[2606:4700::1111]/", "http://[::ffff:8.8.8.8]/"])("%s is public", (url) => {
    expect(nonPublicHost(new URL(url))).toBeNull();
  });

  it("refuses one on a private address with 400 in production mode, creating nothing; development allows it", async () => {
    await createTopic("sa-ssrf", 1);
    const production = { ...env, MODE: "production", RUNNEL_ADMIN_KEY: "prod-secret" };
    const body = JSON.stringify({ name: "sa-ssrf", topics: ["sa-ssrf"], target: { type: "webhook", url: "http://169.254.169.254/latest" } });
    const headers = { "content-type": "application/json", authorization: "Bearer admin.prod-secret" };
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request(`http://runnel.test${SUBS}`, { method: "POST", body, headers }), production, ctx);
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toBe(
      "target.url: 169.254.169.254 is a link-local address; webhooks on loopback or private addresses are refused in production mode",
    );
    expect((await call("GET", `${SUBS}/sa-ssrf`)).status).toBe(404);
    const dev = await call("POST", SUBS, JSON.parse(body));
    expect(dev.status).toBe(201);
  });
});

function unwrapDelete(res: { status: number; body: unknown }): number {
  if (res.status !== 204) throw new Error(`delete: ${res.status} ${JSON.stringify(res.body)}`);
  return res.status;
}

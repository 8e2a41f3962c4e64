import { runInDurableObject, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { AccessControl } from "../../src/access/access-control";
import { ACCESS_RULES } from "../../src/router/access-rules";
import app from "../../src/dev";
import { V3 } from "../helpers";
import { ADMIN, adminTopic, allow, as, keyFor } from "./helpers";

async function until<T>(what: string, probe: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("quotas", () => {
  it("refuse a produce over the principal's byte rate whole, with 42901 and Retry-After, and accept again once the window allows", async () => {
    await adminTopic("quota-bytes");
    const quinn = await keyFor("User:quinn");
    await allow("User:quinn", "TOPIC", "quota-bytes", "ALL");
    // 100 bytes/s over the 10 s window: 1,000 bytes.
    expect((await as(ADMIN, "PUT", `${V3}/quotas/User:quinn`, { producer_byte_rate: 100 })).status).toBe(200);
    const body = { records: [{ value: "x".repeat(250), partition: 0 }] }; // 287 bytes of JSON
    for (let i = 0; i < 3; i++) {
      const res = await as(quinn, "POST", "/topics/quota-bytes", body, { "content-type": "application/vnd.kafka.json.v2+json" });
      expect(res.status).toBe(200);
    }
    const over = await as(quinn, "POST", "/topics/quota-bytes", body, { "content-type": "application/vnd.kafka.json.v2+json" });
    expect(over.status).toBe(429);
    expect(over.body.error_code).toBe(42901);
    expect(Number(over.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const hw = async () => (await as(ADMIN, "GET", `${V3}/topics/quota-bytes/partitions/0/offsets`)).body.latest_offset;
    expect(await hw()).toBe(3);
    await until("the quota window to drain", () => as(quinn, "POST", "/topics/quota-bytes", body, { "content-type": "application/vnd.kafka.json.v2+json" }), (r) => r.status === 200);
    expect(await hw()).toBe(4);
    // A request bigger than the whole window can never fit.
    const huge = await as(quinn, "POST", "/topics/quota-bytes", { records: [{ value: "y".repeat(2000) }] }, { "content-type": "application/vnd.kafka.json.v2+json" });
    expect(huge.status).toBe(429);
    expect(huge.body.message).toContain("more than the quota allows");
  });

  it("count read bytes once served, and refuse reads while the consumer window is full", async () => {
    await adminTopic("quota-read");
    const uma = await keyFor("User:uma");
    await allow("User:uma", "TOPIC", "quota-read", "READ");
    const records = Array.from({ length: 4 }, () => ({ value: "z".repeat(400), partition: 0 }));
    expect((await as(ADMIN, "POST", "/topics/quota-read", { records }, { "content-type": "application/vnd.kafka.json.v2+json" })).status).toBe(200);
    await as(ADMIN, "PUT", `${V3}/quotas/User:uma`, { consumer_byte_rate: 100 }); // 1,000 bytes per 10 s
    const read = () => as(uma, "GET", `${V3}/topics/quota-read/partitions/0/records?offset=0&format=string`);
    const first = await read();
    expect(first.status).toBe(200);
    expect(first.body.records).toHaveLength(4); // served whole, and counted: about 1,900 bytes
    const second = await read();
    expect(second.status).toBe(429);
    expect(second.body.error_code).toBe(42901);
    expect(Number(second.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });

  it("limit requests per second, and are listed, replaced and deleted by admins only", async () => {
    const rita = await keyFor("User:rita");
    await as(ADMIN, "PUT", `${V3}/quotas/User:rita`, { request_rate: 1 });
    const codes: number[] = [];
    for (let i = 0; i < 12; i++) codes.push((await as(rita, "GET", `${V3}/topics`)).status);
    expect(codes.slice(0, 10)).toEqual(Array(10).fill(200));
    expect(codes.slice(10)).toEqual([429, 429]);
    const listed = await as(ADMIN, "GET", `${V3}/quotas`);
    expect(listed.body.data).toContainEqual({ principal: "User:rita", producer_byte_rate: null, consumer_byte_rate: null, request_rate: 1 });
    // Authorization comes first: rita may not read quotas at all.
    expect((await as(rita, "GET", `${V3}/quotas`)).status).toBe(403);
    expect((await as(ADMIN, "DELETE", `${V3}/quotas/User:rita`)).status).toBe(204);
    expect((await as(ADMIN, "DELETE", `${V3}/quotas/User:rita`)).status).toBe(404);
    expect((await as(rita, "GET", `${V3}/topics`)).status).toBe(200);
    for (const bad of [{}, { request_rate: 0 }, { request_rate: 1.5 }, { producer_byte_rate: "10" }, { request_rate: 1, extra: 1 }]) {
      expect((await as(ADMIN, "PUT", `${V3}/quotas/User:rita`, bad)).status, JSON.stringify(bad)).toBe(400);
    }
  });
});

describe("the audit log", () => {
  it("records admin actions and denied requests with principal, time, resource and outcome", async () => {
    const since = Date.now();
    await adminTopic("audited");
    const sam = await keyFor("User:sam");
    expect((await as(sam, "DELETE", `${V3}/topics/audited`)).status).toBe(403);
    expect((await as(ADMIN, "DELETE", `${V3}/topics/audited`)).status).toBe(204);
    expect((await as(ADMIN, "DELETE", `${V3}/topics/audited`)).status).toBe(404);
    const entries = await until("the audit entries", () => as(ADMIN, "GET", `${V3}/audit?since=${since}`), (r) => r.body.data.length >= 5);
    const rows = entries.body.data.map((e: Record<string, unknown>) => `${e.principal} ${e.action} ${e.resource} ${e.outcome}${e.error_code ? ` ${e.error_code}` : ""}`);
    expect(rows).toEqual(expect.arrayContaining([
      "User:admin topic.create TOPIC:audited success",
      expect.stringMatching(/^User:admin key.create KEY:k[0-9a-f]{16} \(User:sam\) success$/),
      "User:sam topic.delete TOPIC:audited denied 40301",
      "User:admin topic.delete TOPIC:audited success",
      "User:admin topic.delete TOPIC:audited failure 40401",
    ]));
    for (const e of entries.body.data) expect(e.time).toBeGreaterThanOrEqual(since);
    expect((await as(sam, "GET", `${V3}/audit`)).status).toBe(403);
  });

  it("is bounded: the oldest entries are dropped first", async () => {
    const id = env.ACCESS.idFromName("access");
    await runInDurableObject(env.ACCESS.get(id), async (instance: AccessControl) => {
      const before = instance.audit.entriesMax;
      instance.audit.entriesMax = 3;
      try {
        instance.audit.append([1, 2, 3, 4, 5].map((n) => ({ time: n, principal: "User:x", action: `a${n}`, resource: "r", outcome: "success" as const })));
        expect(instance.audit.read(0, 100).map((e) => e.action)).toEqual(["a3", "a4", "a5"]);
      } finally {
        instance.audit.entriesMax = before;
      }
    });
  });
});

describe("the rules", () => {
  it("cover every route of the Worker", () => {
    const routes = app.routes.filter((r) => r.method !== "ALL");
    const missing = routes.filter((r) => !ACCESS_RULES.some((rule) => rule.method === r.method && rule.path === r.path));
    expect(missing.map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });
});

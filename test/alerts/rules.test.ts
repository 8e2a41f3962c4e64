import { afterEach, describe, expect, it } from "vitest";
import { limits } from "../../src/limits";
import { call, V3 } from "../helpers";

const rule = (name: string, extra: Record<string, unknown> = {}) => ({
  name, kind: "under_replicated", threshold: 0, for_ms: 60_000, webhook_url: "http://hooks.test/runnel", ...extra,
});

afterEach(async () => {
  for (const a of (await call("GET", `${V3}/alerts`)).body.data) await call("DELETE", `${V3}/alerts/${a.name}`);
});

describe("alert rules over the API", () => {
  it("are created (201), listed, read and deleted (204), as the API says", async () => {
    const created = await call("POST", `${V3}/alerts`, rule("ur-1", { target: "orders" }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: "ur-1", kind: "under_replicated", target: "orders", threshold: 0, for_ms: 60_000, webhook_url: "http://hooks.test/runnel", state: "inactive",
    });
    expect((await call("POST", `${V3}/alerts`, { ...rule("lag-1"), kind: "consumer_lag", target: "billing" })).status).toBe(201);
    const listed = await call("GET", `${V3}/alerts`);
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((a: { name: string }) => a.name)).toEqual(["lag-1", "ur-1"]);
    expect((await call("GET", `${V3}/alerts/lag-1`)).body).toMatchObject({ name: "lag-1", kind: "consumer_lag", target: "billing" });
    expect((await call("DELETE", `${V3}/alerts/lag-1`)).status).toBe(204);
    const gone = await call("GET", `${V3}/alerts/lag-1`);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ error_code: 404, message: "alert 'lag-1' not found" });
    expect((await call("DELETE", `${V3}/alerts/lag-1`)).status).toBe(404);
  });

  it("refuses a bad field with a 400 naming it, and keeps nothing", async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ webhook_url: "file:///etc/passwd" }, /webhook_url must be http or https/],
      [{ kind: "consumer_lag" }, /needs target/],
      [{ threshold: Number.NaN }, /threshold/],
      [{ for_ms: -1 }, /for_ms/],
      [{ name: "white space" }, /name/],
      [{ colour: "red" }, /unknown field 'colour'/],
    ];
    for (const [change, why] of cases) {
      const res = await call("POST", `${V3}/alerts`, { ...rule("bad"), ...change });
      expect(res.status, JSON.stringify(change)).toBe(400);
      expect(res.body.message).toMatch(why);
    }
    expect((await call("POST", `${V3}/alerts`, "{not json")).status).toBe(400);
    // Not an object, empty, or past the admin body limit: a JSON error each.
    for (const body of ["[]", '"ur-1"', "null", "", JSON.stringify({ ...rule("big"), target: "x".repeat(limits.adminRequestBytesMax) })]) {
      const res = await call("POST", `${V3}/alerts`, body);
      expect(res.status, body.slice(0, 20)).toBeGreaterThanOrEqual(400);
      expect(res.status, body.slice(0, 20)).toBeLessThan(500);
      expect(res.body, body.slice(0, 20)).toMatchObject({ error_code: expect.any(Number), message: expect.any(String) });
    }
    expect((await call("GET", `${V3}/alerts`)).body.data).toEqual([]);
  });

  it("refuses a name taken, and a rule past the most allowed", async () => {
    expect((await call("POST", `${V3}/alerts`, rule("dup"))).status).toBe(201);
    const again = await call("POST", `${V3}/alerts`, rule("dup", { threshold: 5 }));
    expect(again.status).toBe(400);
    expect(again.body.message).toMatch(/already exists/);
    expect((await call("GET", `${V3}/alerts/dup`)).body).toMatchObject({ threshold: 0 }); // the first rule stands, unchanged
    for (let i = 1; i < limits.alertRulesMax; i++) expect((await call("POST", `${V3}/alerts`, rule(`many-${i}`))).status).toBe(201);
    const over = await call("POST", `${V3}/alerts`, rule("one-too-many"));
    expect(over.status).toBe(400);
    expect(over.body.message).toMatch(/most alert rules allowed \(100\)/);
    expect((await call("GET", `${V3}/alerts/one-too-many`)).status).toBe(404);
    expect((await call("GET", `${V3}/alerts`)).body.data).toHaveLength(limits.alertRulesMax);
  }, 20_000);

  it("belong to this cluster only", async () => {
    expect((await call("GET", "/v3/clusters/other/alerts")).status).toBe(404);
  });
});

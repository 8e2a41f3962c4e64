import { describe, expect, it } from "vitest";
import { V3 } from "../helpers";
import { ADMIN, as, keyFor } from "./helpers";

describe("authentication", () => {
  it("refuses a request without a key with 401 / 40101 (Confluent's code), WWW-Authenticate and a JSON body naming Kafka's error", async () => {
    const res = await as(null, "GET", `${V3}/topics`);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error_code: 40101, error_name: "SASL_AUTHENTICATION_FAILED", message: expect.stringContaining("Bearer") });
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="runnel"');
    expect(res.headers.get("runnel-auth")).toBeNull();
  });

  it("refuses malformed headers, unknown keys and wrong secrets alike", async () => {
    for (const authorization of ["Bearer", "Bearer no-dot", "Token admin.x", "Basic !!!", `Basic ${btoa("no-colon")}`, `Bearer ${"k".repeat(3000)}.x`]) {
      const res = await as(null, "GET", `${V3}/topics`, undefined, { authorization });
      expect(res.status, authorization.slice(0, 20)).toBe(401);
      expect(res.body.error_code).toBe(40101);
      expect(res.headers.get("www-authenticate")).toBe('Bearer realm="runnel"');
    }
    expect((await as("admin.wrong-secret", "GET", `${V3}/topics`)).body.message).toBe("unknown API key or wrong secret");
    expect((await as("knosuchkey.secret", "GET", `${V3}/topics`)).body.message).toBe("unknown API key or wrong secret");
  });

  it("accepts the admin key as Bearer and as HTTP Basic", async () => {
    expect((await as(ADMIN, "GET", `${V3}/topics`)).status).toBe(200);
    const basic = await as(null, "GET", `${V3}/topics`, undefined, { authorization: `Basic ${btoa("admin:test-admin-secret")}` });
    expect(basic.status).toBe(200);
  });

  it("shows a key's secret once, never again, and stops a disabled or deleted key", async () => {
    const created = await as(ADMIN, "POST", `${V3}/keys`, { principal: "User:carol", description: "ci" });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ principal: "User:carol", description: "ci", disabled: false });
    expect(created.body.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const id = created.body.key_id as string;
    const key = `${id}.${created.body.secret}`;
    const listed = await as(ADMIN, "GET", `${V3}/keys`);
    const entry = listed.body.data.find((k: { key_id: string }) => k.key_id === id);
    expect(entry).toEqual({ key_id: id, principal: "User:carol", description: "ci", created_at: created.body.created_at, disabled: false });
    expect(JSON.stringify(listed.body)).not.toContain(created.body.secret);
    expect((await as(ADMIN, "GET", `${V3}/keys/${id}`)).body).toEqual(entry);

    expect((await as(key, "GET", `${V3}/topics`)).status).toBe(200);
    expect((await as(`${id}.wrong`, "GET", `${V3}/topics`)).status).toBe(401);
    expect((await as(ADMIN, "PATCH", `${V3}/keys/${id}`, { disabled: true })).body.disabled).toBe(true);
    const disabled = await as(key, "GET", `${V3}/topics`);
    expect([disabled.status, disabled.body.error_code]).toEqual([401, 40101]);
    expect(disabled.body.message).toContain("disabled");
    expect((await as(ADMIN, "PATCH", `${V3}/keys/${id}`, { disabled: false })).status).toBe(200);
    expect((await as(key, "GET", `${V3}/topics`)).status).toBe(200);
    expect((await as(ADMIN, "DELETE", `${V3}/keys/${id}`)).status).toBe(204);
    expect((await as(key, "GET", `${V3}/topics`)).status).toBe(401);
    expect((await as(ADMIN, "GET", `${V3}/keys/${id}`)).status).toBe(404);
  });

  it("validates key requests and keeps key admin to principals with ALTER on the cluster", async () => {
    for (const body of [{}, { principal: "alice" }, { principal: "User:" }, { principal: "User:*" }, { principal: "User:a", description: 7 }]) {
      expect((await as(ADMIN, "POST", `${V3}/keys`, body)).status, JSON.stringify(body)).toBe(400);
    }
    const dave = await keyFor("User:dave");
    const denied = await as(dave, "POST", `${V3}/keys`, { principal: "User:mallory" });
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({ error_code: 40301, error_name: "CLUSTER_AUTHORIZATION_FAILED", message: "not authorized: User:dave may not ALTER CLUSTER 'kafka-cluster'" });
    expect((await as(dave, "GET", `${V3}/keys`)).status).toBe(403);
  });
});

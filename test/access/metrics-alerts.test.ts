import { describe, expect, it } from "vitest";
import { V3 } from "../helpers";
import { ADMIN, allow, as, keyFor } from "./helpers";

const rule = { name: "acl-rule", kind: "under_replicated", threshold: 0, for_ms: 1000, webhook_url: "http://hooks.test/x" };

describe("metrics and alerts with authentication on", () => {
  it("GET /metrics needs DESCRIBE on the cluster", async () => {
    expect((await as(null, "GET", "/metrics")).status).toBe(401);
    const prom = await keyFor("User:prometheus");
    const denied = await as(prom, "GET", "/metrics");
    expect(denied.status).toBe(403);
    expect(denied.body.message).toMatch(/DESCRIBE CLUSTER/);
    await allow("User:prometheus", "CLUSTER", "kafka-cluster", "DESCRIBE");
    const res = await as(prom, "GET", "/metrics");
    expect(res.status).toBe(200);
    expect(res.body).toMatch(/^# TYPE runnel_topics gauge$/m);
  });

  it("alert rules are for the admin only (ALTER on the cluster), and creating or deleting one is audited", async () => {
    const watcher = await keyFor("User:watcher");
    await allow("User:watcher", "CLUSTER", "kafka-cluster", "DESCRIBE");
    expect((await as(watcher, "GET", `${V3}/alerts`)).status).toBe(403);
    expect((await as(watcher, "POST", `${V3}/alerts`, rule)).status).toBe(403);
    expect((await as(ADMIN, "POST", `${V3}/alerts`, rule)).status).toBe(201);
    expect((await as(watcher, "DELETE", `${V3}/alerts/acl-rule`)).status).toBe(403);
    expect((await as(ADMIN, "DELETE", `${V3}/alerts/acl-rule`)).status).toBe(204);
    const audit = (await as(ADMIN, "GET", `${V3}/audit?since=0&limit=10000`)).body.data as { action: string; resource: string; outcome: string; principal: string }[];
    const entries = audit.filter((e) => e.action.startsWith("alert."));
    expect(entries).toEqual(expect.arrayContaining([
      expect.objectContaining({ action: "alert.create", principal: "User:watcher", outcome: "denied" }),
      expect.objectContaining({ action: "alert.create", principal: "User:admin", resource: "ALERT:acl-rule", outcome: "success" }),
      expect.objectContaining({ action: "alert.delete", principal: "User:admin", resource: "ALERT:acl-rule", outcome: "success" }),
    ]));
  });
});

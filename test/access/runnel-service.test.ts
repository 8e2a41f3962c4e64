import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { RunnelService } from "../../src/service/runnel-service";
import { V3 } from "../helpers";
import { ADMIN, adminTopic, allow, as } from "./helpers";

/** Runnel's own RunnelService, bound as User:app, User:other, or naming no principal (vitest.config.mts). */
const bound = (binding: "RUNNEL_APP" | "RUNNEL_OTHER" | "RUNNEL_NOBODY") => (env as unknown as Record<string, Service<RunnelService>>)[binding]!;

describe("RunnelService with authentication on", () => {
  it("runs as the principal its binding names, under that principal's ACLs; a denial appends nothing and is audited", async () => {
    await adminTopic("rsa-orders");
    const denied = await bound("RUNNEL_APP").produce("rsa-orders", [{ value: "x" }]);
    expect(denied).toEqual({ ok: false, error_code: 40301, error_name: "TOPIC_AUTHORIZATION_FAILED", message: "not authorized: User:app may not WRITE TOPIC 'rsa-orders'" });
    expect((await as(ADMIN, "GET", `${V3}/topics/rsa-orders/partitions/0/offsets`)).body.latest_offset).toBe(0);
    const audit = await as(ADMIN, "GET", `${V3}/audit?principal=User:app`);
    expect(audit.body.data).toContainEqual(expect.objectContaining({ action: "topic.produce", resource: "TOPIC:rsa-orders", outcome: "denied", error_code: 40301 }));

    await allow("User:app", "TOPIC", "rsa-orders", "WRITE");
    expect(await bound("RUNNEL_APP").produce("rsa-orders", [{ value: "x" }])).toMatchObject({ ok: true, records: [{ partition: 0, offset: 0 }] });
    expect(await bound("RUNNEL_APP").fetchRecords("rsa-orders", 0, 0)).toMatchObject({ ok: false, error_code: 40301, message: "not authorized: User:app may not READ TOPIC 'rsa-orders'" });
    expect(await bound("RUNNEL_OTHER").produce("rsa-orders", [{ value: "y" }])).toMatchObject({ ok: false, error_code: 40301 }); // another binding, another principal
    await allow("User:app", "TOPIC", "rsa-orders", "READ");
    expect(await bound("RUNNEL_APP").fetchRecords("rsa-orders", 0, 0, { format: "string" })).toMatchObject({ ok: true, records: [{ offset: 0, value: "x" }] });
    expect(await bound("RUNNEL_APP").commit("rsa-group", [{ topic: "rsa-orders", partition: 0, offset: 1 }])).toMatchObject({ ok: false, error_name: "GROUP_AUTHORIZATION_FAILED" });
    await allow("User:app", "GROUP", "rsa-group", "READ");
    expect(await bound("RUNNEL_APP").commit("rsa-group", [{ topic: "rsa-orders", partition: 0, offset: 1 }])).toEqual({ ok: true });
  });

  it("refuses a binding that names no principal (40101)", async () => {
    expect(await bound("RUNNEL_NOBODY").produce("rsa-orders", [{ value: "x" }])).toMatchObject({ ok: false, error_code: 40101, message: 'this service binding names no principal: give it props = { principal = "User:…" }' });
  });

  it("charges the principal's quotas as HTTP does: over its producer byte rate is 42901, with nothing appended", async () => {
    await adminTopic("rsa-quota");
    await allow("User:other", "TOPIC", "rsa-quota", "WRITE");
    expect((await as(ADMIN, "PUT", `${V3}/quotas/User:other`, { producer_byte_rate: 100 })).status).toBe(200); // 1,000 bytes per 10 s
    const big = [{ value: "z".repeat(600) }];
    expect(await bound("RUNNEL_OTHER").produce("rsa-quota", big)).toMatchObject({ ok: true });
    expect(await bound("RUNNEL_OTHER").produce("rsa-quota", big)).toMatchObject({ ok: false, error_code: 42901, error_name: "THROTTLING_QUOTA_EXCEEDED" });
    expect((await as(ADMIN, "GET", `${V3}/topics/rsa-quota/partitions/0/offsets`)).body.latest_offset).toBe(1);
  });
});

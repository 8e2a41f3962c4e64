import { describe, expect, it } from "vitest";
import { V3 } from "../helpers";
import { ADMIN, adminTopic, allow, as, keyFor } from "./helpers";

const SUBS = `${V3}/subscriptions`;
const body = (name: string, topics: string[], extra: Record<string, unknown> = {}) => ({ name, topics, target: { type: "webhook", url: "http://hooks.example.test/x" }, ...extra });

async function until<T>(what: string, probe: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("creating a subscription with authentication on", () => {
  it("needs READ on its group, READ on each topic and WRITE on its dead-letter topic; a refusal creates nothing and is audited", async () => {
    await adminTopic("sub-acl-a");
    await adminTopic("sub-acl-b");
    await adminTopic("sub-acl-dlq");
    const key = await keyFor("User:subber");
    const attempt = async () => as(key, "POST", SUBS, body("sub-acl", ["sub-acl-a", "sub-acl-b"], { dead_letter_topic: "sub-acl-dlq" }));

    let res = await attempt();
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error_code: 40301, error_name: "GROUP_AUTHORIZATION_FAILED" });
    await allow("User:subber", "GROUP", "sub-acl", "READ");
    res = await attempt();
    expect(res.body).toMatchObject({ error_code: 40301, error_name: "TOPIC_AUTHORIZATION_FAILED", message: "not authorized: User:subber may not READ TOPIC 'sub-acl-a'" });
    await allow("User:subber", "TOPIC", "sub-acl-a", "READ");
    await allow("User:subber", "TOPIC", "sub-acl-b", "READ");
    res = await attempt();
    expect(res.body).toMatchObject({ error_code: 40301, message: "not authorized: User:subber may not WRITE TOPIC 'sub-acl-dlq'" });
    expect((await as(ADMIN, "GET", `${SUBS}/sub-acl`)).body.error_code).toBe(40407);
    expect((await as(ADMIN, "GET", `${V3}/consumer-groups/sub-acl/lags`)).status).toBe(404); // not even its group's offsets

    await allow("User:subber", "TOPIC", "sub-acl-dlq", "WRITE");
    res = await attempt();
    expect(res.status).toBe(201);
    expect(res.body.created_by).toBe("User:subber");
    const audit = await as(ADMIN, "GET", `${V3}/audit?principal=User:subber`);
    const entries = (audit.body.data as { action: string; outcome: string; resource: string }[]).filter((e) => e.action === "subscription.create");
    expect(entries.map((e) => e.outcome)).toEqual(["denied", "denied", "denied", "success"]);
    expect(entries.at(-1)!.resource).toBe("GROUP:sub-acl");
  });

  it("shows a subscription only to those who may DESCRIBE its group, and deletes it only for DELETE on it", async () => {
    await adminTopic("sub-acl-view");
    expect((await as(ADMIN, "POST", SUBS, body("sub-acl-view", ["sub-acl-view"]))).status).toBe(201);
    const key = await keyFor("User:peeker");
    expect((await as(key, "GET", `${SUBS}/sub-acl-view`)).body.error_name).toBe("GROUP_AUTHORIZATION_FAILED");
    expect((await as(key, "GET", SUBS)).body.data.map((s: { name: string }) => s.name)).not.toContain("sub-acl-view");
    expect((await as(key, "POST", `${SUBS}/sub-acl-view:pause`)).status).toBe(403);
    await allow("User:peeker", "GROUP", "sub-acl-view", "DESCRIBE");
    expect((await as(key, "GET", `${SUBS}/sub-acl-view`)).status).toBe(200);
    expect((await as(key, "GET", SUBS)).body.data.map((s: { name: string }) => s.name)).toContain("sub-acl-view");
    expect((await as(key, "DELETE", `${SUBS}/sub-acl-view`)).status).toBe(403);
    expect((await as(ADMIN, "GET", `${SUBS}/sub-acl-view`)).body.state).toBe("active");
  });

  it("stalls with 40301 once its principal loses READ on a topic", async () => {
    await adminTopic("sub-acl-lose");
    const key = await keyFor("User:loser");
    await allow("User:loser", "GROUP", "sub-acl-lose", "READ");
    await allow("User:loser", "TOPIC", "sub-acl-lose", "READ");
    expect((await as(key, "POST", SUBS, body("sub-acl-lose", ["sub-acl-lose"], { retry_backoff_ms: 50 }))).status).toBe(201);
    expect((await as(ADMIN, "DELETE", `${V3}/acls?resource_type=TOPIC&principal=User:loser`)).status).toBe(200);
    // Until the isolate's copy of the ACLs sees it (limits.accessCacheMs), deliveries go on (and fail: the webhook is nowhere).
    expect((await as(ADMIN, "POST", `${V3}/topics/sub-acl-lose/records`, { value: { type: "JSON", data: 1 } })).status).toBe(200);
    const stalled = await until("a stall", async () => (await as(ADMIN, "GET", `${SUBS}/sub-acl-lose`)).body, (s) => s.state === "stalled");
    expect(stalled.last_error).toMatchObject({ topic: "sub-acl-lose", partition: 0, offset: 0 });
    expect(stalled.last_error.message).toBe("error 40301: not authorized: User:loser may not READ TOPIC 'sub-acl-lose'");
    expect(stalled.partitions).toMatchObject([{ topic_name: "sub-acl-lose", partition_id: 0, committed_offset: 0, lag: 1, state: "stalled" }]);
  });
});

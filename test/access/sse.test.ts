// Live tails (SSE) with authentication on: READ on the topic, and a
// consumer byte quota that paces the stream instead of failing or hanging it.
import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { V3 } from "../helpers";
import { SseReader } from "../fetch/sse-events";
import { ADMIN, adminTopic, allow, as, keyFor } from "./helpers";

async function tail(key: string, path: string) {
  return SELF.fetch(`http://runnel.test${V3}${path}`, { headers: { accept: "text/event-stream", authorization: `Bearer ${key}` } });
}

describe("live tails with authentication on", () => {
  it("needs READ on the topic", async () => {
    await adminTopic("sse-acl", 2);
    const key = await keyFor("User:sasha");
    for (const path of ["/topics/sse-acl/partitions/0/records?offset=0", "/topics/sse-acl/records"]) {
      const denied = await tail(key, path);
      expect(denied.status).toBe(403);
      expect(await denied.json()).toEqual({ error_code: 40301, error_name: "TOPIC_AUTHORIZATION_FAILED", message: "not authorized: User:sasha may not READ TOPIC 'sse-acl'" });
    }
    await allow("User:sasha", "TOPIC", "sse-acl", "READ");
    const res = await tail(key, "/topics/sse-acl/records");
    expect(res.status).toBe(200);
    await res.body!.cancel();
  });

  it("a consumer byte quota paces the stream: events keep coming, charged as they are written", async () => {
    await adminTopic("sse-quota");
    const key = await keyFor("User:quinn");
    await allow("User:quinn", "TOPIC", "sse-quota", "READ");
    await as(ADMIN, "PUT", `${V3}/quotas/User:quinn`, { consumer_byte_rate: 100_000 });
    for (let i = 0; i < 3; i++) {
      const res = await as(ADMIN, "POST", `/topics/sse-quota/partitions/0`, { records: [{ value: `r${i}` }] }, { "content-type": "application/vnd.kafka.json.v2+json" });
      expect(res.status).toBe(200);
    }
    const res = await tail(key, "/topics/sse-quota/partitions/0/records?offset=0&format=json");
    expect(res.status).toBe(200);
    const reader = new SseReader(res.body!);
    try {
      expect(await reader.until((items) => items.filter((i) => i.event === "records").length === 3)).toBe(true);
      expect(reader.records().map((e) => e.id)).toEqual(["1", "2", "3"]);
    } finally {
      await reader.close();
    }
  });
});

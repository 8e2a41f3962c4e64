import { env, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { sseOpened } from "../../src/metrics/sse";
import { call, createTopic, V3 } from "../helpers";
import { SseReader } from "../fetch/sse-events";
import { scrapeUntil } from "./helpers";

const v2 = { "content-type": "application/vnd.kafka.json.v2+json" };

describe("an SSE stream's meter", () => {
  it("shows the stream open and the records it sent, until it closes", async () => {
    const flushes: Promise<unknown>[] = [];
    const ctx = { waitUntil: (p: Promise<unknown>) => void flushes.push(p) };
    const meter = sseOpened(env, ctx, "msse-topic");
    meter.delivered(3);
    meter.delivered(2);
    const open = await scrapeUntil("the stream shown open", (m) => {
      meter.alive(); // an idle stream's pings keep its isolate reporting
      return m.samples("runnel_sse_subscribers", { topic: "msse-topic" })[0]?.value === 1 && m;
    });
    expect(open.value("runnel_sse_records_delivered_total", { topic: "msse-topic" })).toBe(5);
    meter.closed();
    meter.closed(); // once only
    meter.delivered(7); // after the end: not counted
    const closed = await scrapeUntil("the stream gone", (m) => {
      meter.alive();
      return m.samples("runnel_sse_subscribers", { topic: "msse-topic" }).length === 0 && m;
    });
    expect(closed.value("runnel_sse_records_delivered_total", { topic: "msse-topic" })).toBe(5);
    await Promise.all(flushes);
  });
});

describe("live tails in GET /metrics", () => {
  it("count a partition's and a topic's open streams and the records they sent, until the client goes", async () => {
    await createTopic("msse-tail", 2);
    await call("POST", "/topics/msse-tail/partitions/0", { records: [{ value: 1 }, { value: 2 }, { value: 3 }] }, v2);
    await call("POST", "/topics/msse-tail/partitions/1", { records: [{ value: 4 }] }, v2);
    const open = async (path: string) => {
      const res = await SELF.fetch(`http://runnel.test${V3}${path}`, { headers: { accept: "text/event-stream" } });
      expect(res.status).toBe(200);
      return new SseReader(res.body!);
    };
    const one = await open("/topics/msse-tail/partitions/0/records?offset=1&format=json");
    const all = await open("/topics/msse-tail/records?from=earliest&format=json");
    expect(await one.until((items) => items.some((i) => i.event === "records"))).toBe(true);
    expect(await all.until((items) => items.filter((i) => i.event === "records").length === 2)).toBe(true);
    const m = await scrapeUntil("both streams shown", (x) => x.samples("runnel_sse_subscribers", { topic: "msse-tail" })[0]?.value === 2 && x);
    expect(m.value("runnel_sse_records_delivered_total", { topic: "msse-tail" })).toBe(2 + 4); // offsets 1-2 of partition 0, then all four
    await one.close();
    await all.close();
    await scrapeUntil("both streams gone", (x) => x.samples("runnel_sse_subscribers", { topic: "msse-tail" }).length === 0);
  });
});

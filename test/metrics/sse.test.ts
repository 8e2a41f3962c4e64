import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { sseOpened } from "../../src/metrics/sse";
import { scrapeUntil } from "./helpers";

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

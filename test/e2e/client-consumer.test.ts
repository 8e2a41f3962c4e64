// The TypeScript client's consumer against the real local server
// (`npm start`): resume after a dropped connection, the credit bound with
// a slow handler, seeks and codecs, rebalances and errors. The shared
// setup is client/harness.ts; the producer: client-producer.test.ts.
import { WebSocket as WsSocket } from "ws";
import { describe, expect, it } from "vitest";
import { Runnel, RunnelError } from "../../src/client/index";
import type { ConsumerRecord } from "../../src/client/index";
import { clientHarness, produceNumbers, trackedSockets } from "./client/harness";
import { waitFor } from "./wait-for";

const server = clientHarness();

describe("consumer", () => {
  it("resumes from the committed offsets after its connection drops", async () => {
    const tracked = trackedSockets();
    const client = new Runnel({ url: server.url, WebSocket: tracked.WebSocket });
    await client.admin().createTopic("c-resume", { partitions: 1 });
    await produceNumbers(client, "c-resume", 1_000);
    const consumer = client.consumer({ group: "c-resume-g", topics: ["c-resume"], autoOffsetReset: "earliest", autoCommit: false, reconnectBackoffMs: 50 });
    const seen: number[] = [];
    for await (const r of consumer) {
      seen.push(r.offset);
      if (r.offset === 299) await consumer.commit(); // commits up to 299: the group stores 300, the next to read
      if (r.offset === 399) break;
    }
    // break closed it (without auto-commit: nothing more committed); a new member drops its socket mid-stream.
    const again = client.consumer({ group: "c-resume-g", topics: ["c-resume"], autoOffsetReset: "earliest", autoCommit: false, reconnectBackoffMs: 50, maxBufferedRecords: 50 });
    const after: number[] = [];
    for await (const r of again) {
      after.push(r.offset);
      if (r.offset === 500 && tracked.sockets.length === 2) {
        tracked.sockets[1]!.terminate(); // the connection drops: nothing after 300 was committed
        await waitFor("the consumer to connect again", () => tracked.sockets.length === 3);
      }
      if (r.offset === 999) break;
    }
    expect(seen.slice(0, 400)).toEqual(Array.from({ length: 400 }, (_, i) => i));
    expect(after[0]).toBe(300);
    const dropAt = after.indexOf(500);
    // After the drop the group starts it again from the committed offset: 300, and everything after it in order.
    expect(after.slice(dropAt + 1).filter((o) => o <= 500)[0]).toBe(300);
    expect(after.slice(after.lastIndexOf(300))).toEqual(Array.from({ length: 700 }, (_, i) => 300 + i));
    expect(tracked.sockets.length).toBe(3);
  });

  it("holds at most maxBufferedRecords while a slow handler works", async () => {
    const tracked = trackedSockets();
    const client = new Runnel({ url: server.url, WebSocket: tracked.WebSocket });
    await client.admin().createTopic("c-slow", { partitions: 1 });
    await produceNumbers(client, "c-slow", 20_000);
    const consumer = client.consumer({ group: "c-slow-g", topics: ["c-slow"], autoOffsetReset: "earliest", maxBufferedRecords: 100 });
    let handled = 0;
    let maxBuffered = 0;
    for await (const r of consumer) {
      expect(r.offset).toBe(handled);
      handled++;
      maxBuffered = Math.max(maxBuffered, consumer.buffered);
      // The server never sent more than the credit handed back: what was handled plus the window.
      expect(tracked.counts.records).toBeLessThanOrEqual(handled + 100);
      await new Promise((resolve) => setTimeout(resolve, 10));
      if (handled === 60) break;
    }
    expect(maxBuffered).toBeLessThanOrEqual(100);
    expect(tracked.counts.records).toBeLessThanOrEqual(160);
    // Closing committed what was handled.
    const lags = await client.admin().lags("c-slow-g");
    expect(lags[0]).toMatchObject({ current_offset: 60 });
  });

  it("seeks by offset and by time, and decodes json and binary", async () => {
    const client = new Runnel({ url: server.url });
    await client.admin().createTopic("c-seek", { partitions: 1 });
    const producer = client.producer();
    const t0 = Date.now() - 60_000;
    await producer.send("c-seek", Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: { i }, timestamp: t0 + i * 1000, headers: { n: String(i) } })));
    await producer.close();
    const consumer = client.consumer<{ i: number }>({ group: "c-seek-g", topics: ["c-seek"], autoOffsetReset: "earliest", format: "json", autoCommit: false });
    const got: ConsumerRecord<{ i: number }>[] = [];
    for await (const r of consumer) {
      got.push(r);
      if (got.length === 2) await consumer.seek({ topic: "c-seek", partition: 0, offset: 7 });
      if (got.length === 4) await consumer.seek({ topic: "c-seek", partition: 0, timestamp: t0 + 3_500 });
      if (got.length === 6) break;
    }
    expect(got.map((r) => r.offset)).toEqual([0, 1, 7, 8, 4, 5]);
    expect(got[2]).toMatchObject({ topic: "c-seek", partition: 0, key: "k7", value: { i: 7 }, timestamp: t0 + 7_000, headers: [{ name: "n", value: "7" }] });
    const raw = client.consumer({ group: "c-seek-raw", topics: ["c-seek"], autoOffsetReset: "earliest", format: "binary" });
    const first = (await raw.next()).value as ConsumerRecord;
    await raw.close();
    expect(first.value).toEqual(new TextEncoder().encode('{"i":0}'));
  });

  it("calls the rebalance callbacks as members come and go", async () => {
    const client = new Runnel({ url: server.url });
    await client.admin().createTopic("c-rebalance", { partitions: 4 });
    const events: string[] = [];
    const a = client.consumer({ group: "c-rebalance-g", topics: ["c-rebalance"], onAssign: (ps) => void events.push(`assign ${ps.map((p) => p.partition).join(",")}`), onRevoke: (ps) => void events.push(`revoke ${ps.map((p) => p.partition).join(",")}`) });
    await waitFor("a to own every partition", () => a.assignment().length === 4);
    const b = client.consumer({ group: "c-rebalance-g", topics: ["c-rebalance"] });
    await waitFor("the partitions to be split", () => a.assignment().length === 2 && b.assignment().length === 2);
    await b.close();
    await waitFor("a to own every partition again", () => a.assignment().length === 4);
    await a.close();
    expect(events[0]).toBe("assign 0,1,2,3");
    expect(events[1]).toMatch(/^revoke \d,\d$/);
    expect(events[2]).toMatch(/^assign \d,\d$/);
  });

  it("fails with the API's error when the subscription is refused", async () => {
    // The ws package says why an upgrade was refused (a runtime's own WebSocket does not: the consumer then gives up after three refusals).
    const client = new Runnel({ url: server.url, WebSocket: WsSocket as unknown as ConstructorParameters<typeof Runnel>[0]["WebSocket"] });
    const consumer = client.consumer({ group: "c-bad", topics: ["x"], sessionTimeoutMs: 10 });
    const error = await consumer.next().then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(RunnelError);
    expect((error as RunnelError).status).toBe(400);
    expect((error as RunnelError).message).toMatch(/session_timeout_ms/);
    await consumer.close();
  });
});

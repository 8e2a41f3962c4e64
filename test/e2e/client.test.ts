// The TypeScript client against the real local server (`npm start`):
// batching, keyed partitioning, retries that never duplicate, consumer
// resume after a dropped connection, the credit bound with a slow
// handler, seeks, rebalances, codecs and errors.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { WebSocket as WsSocket } from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { partitionForKey } from "../../src/produce/murmur2";
import { Runnel, RunnelError } from "../../src/client/index";
import type { ConsumerRecord } from "../../src/client/index";
import { freePort, startServer, type RunningServer } from "./server";

const dir = mkdtempSync(join(tmpdir(), "runnel-e2e-client-"));
let server: RunningServer;
let url: string;

beforeAll(async () => {
  server = await startServer(await freePort(), dir);
  url = server.url;
});

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Checks `check` every 20 ms until it holds; fails naming `what` once `timeoutMs` passes. */
async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A fetch that counts record-batch POSTs and lets a test fail the next ones its own way. */
function instrumentedFetch() {
  const state = {
    batchPosts: 0,
    /** Run on each batch POST before (or instead of) sending it; return a Response to answer it without the server. */
    intercept: null as null | ((send: () => Promise<Response>) => Promise<Response>),
  };
  const f = async (input: string, init?: RequestInit) => {
    const send = () => fetch(input, init);
    if (!input.includes("/batches")) return send();
    state.batchPosts++;
    const intercept = state.intercept;
    return intercept === null ? send() : intercept(send);
  };
  return { state, fetch: f };
}

/** Every record of a partition, as strings. */
async function readAll(client: Runnel, topic: string, partition: number) {
  const out: { offset: number; value: unknown; key: unknown }[] = [];
  for (let offset = 0; ; ) {
    const f = await client.fetch(topic, partition, offset, {});
    out.push(...f.records.map((r) => ({ offset: r.offset, value: r.value, key: r.key })));
    offset = f.nextOffset;
    if (offset >= f.highWatermark) return out;
  }
}

describe("producer", () => {
  it("batches many sends into few requests and answers each record's offset in order", async () => {
    const counted = instrumentedFetch();
    const client = new Runnel({ url, fetch: counted.fetch });
    await client.admin().createTopic("c-batching", { partitions: 1 });
    const producer = client.producer({ lingerMs: 20 });
    const sends = Array.from({ length: 100 }, (_, s) => producer.send("c-batching", Array.from({ length: 100 }, (_, i) => ({ value: `s${s}-${i}` }))));
    const results = await Promise.all(sends);
    await producer.close();
    const offsets = results.flat().map((r) => r.offset);
    expect(offsets).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
    expect(results.flat().every((r) => r.partition === 0)).toBe(true);
    expect(counted.state.batchPosts).toBeLessThanOrEqual(10);
    const stored = await readAll(client, "c-batching", 0);
    expect(stored.map((r) => r.value)).toEqual(Array.from({ length: 10_000 }, (_, i) => `s${Math.floor(i / 100)}-${i % 100}`));
  });

  it("puts keyed records where Kafka's partitioner does, and keyless ones together per batch", async () => {
    const client = new Runnel({ url });
    await client.admin().createTopic("c-keys", { partitions: 5 });
    const producer = client.producer();
    const keys = Array.from({ length: 50 }, (_, i) => `customer-${i}`);
    const placed = await producer.send("c-keys", keys.map((key) => ({ key, value: { key } })));
    const utf8 = new TextEncoder();
    expect(placed.map((p) => p.partition)).toEqual(keys.map((k) => partitionForKey(utf8.encode(k), 5)));
    const keyless = await producer.send("c-keys", Array.from({ length: 20 }, (_, i) => ({ value: i })));
    expect(new Set(keyless.map((p) => p.partition)).size).toBe(1);
    const explicit = await producer.send("c-keys", [{ key: "customer-1", value: "x", partition: 4 }]);
    expect(explicit[0]!.partition).toBe(4);
    await producer.close();
  });

  it("retries a refused request (429: nothing applied) and appends it once", async () => {
    const counted = instrumentedFetch();
    const client = new Runnel({ url, fetch: counted.fetch });
    await client.admin().createTopic("c-retry-429", { partitions: 1 });
    let refusals = 2;
    counted.state.intercept = async (send) => {
      if (refusals-- > 0) return Response.json({ error_code: 42901, message: "over quota" }, { status: 429 });
      return send();
    };
    const producer = client.producer({ retryBackoffMs: 10 });
    const res = await producer.send("c-retry-429", [{ value: "once" }]);
    await producer.close();
    expect(res).toEqual([{ partition: 0, offset: 0 }]);
    expect(counted.state.batchPosts).toBe(3);
    expect((await readAll(client, "c-retry-429", 0)).map((r) => r.value)).toEqual(["once"]);
  });

  it("never duplicates when an answer is lost after the append: the retry is recognised by its producer id and sequences", async () => {
    const counted = instrumentedFetch();
    const client = new Runnel({ url, fetch: counted.fetch });
    await client.admin().createTopic("c-retry-lost", { partitions: 1 });
    let posts = 0;
    counted.state.intercept = async (send) => {
      // The first request is held a moment, so the second carries every other batch.
      if (++posts === 1) await new Promise((r) => setTimeout(r, 300));
      const res = await send(); // the server appends…
      if (posts === 2) throw new TypeError("fetch failed: connection reset"); // …and the answer to the second request never arrives
      return res;
    };
    // Small batches: the lost request carries several, each with its own sequence.
    const producer = client.producer({ retryBackoffMs: 10, batchBytes: 2_000, lingerMs: 50 });
    const values = Array.from({ length: 100 }, (_, i) => `record ${i} ${"x".repeat(80)}`);
    const sent = await producer.send("c-retry-lost", values.map((value) => ({ value })));
    expect(sent.map((r) => r.offset)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(counted.state.batchPosts).toBe(3); // the first, the lost one, and its retry
    const after = await producer.send("c-retry-lost", [{ value: "after" }]);
    expect(after).toEqual([{ partition: 0, offset: 100 }]);
    await producer.close();
    expect((await readAll(client, "c-retry-lost", 0)).map((r) => r.value)).toEqual([...values, "after"]);
  });

  it("against a server without producer ids, reports an unanswered request and never sends it again", async () => {
    const counted = instrumentedFetch();
    const noIds = async (input: string, init?: RequestInit) =>
      input.endsWith("/producer-ids") ? Response.json({ error_code: 404, message: "no route" }, { status: 404 }) : counted.fetch(input, init);
    const client = new Runnel({ url, fetch: noIds });
    await client.admin().createTopic("c-retry-plain", { partitions: 1 });
    let lose = 1;
    counted.state.intercept = async (send) => {
      const res = await send();
      if (lose-- > 0) throw new TypeError("fetch failed: connection reset");
      return res;
    };
    const producer = client.producer({ retryBackoffMs: 10 });
    const error = await producer.send("c-retry-plain", [{ value: "a" }, { value: "b" }]).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(RunnelError);
    expect((error as RunnelError).errorCode).toBe(0);
    expect(counted.state.batchPosts).toBe(1);
    await producer.close();
    expect((await readAll(client, "c-retry-plain", 0)).map((r) => r.value)).toEqual(["a", "b"]);
  });

  it("keeps bytes in flight under its bound: a send past it waits for earlier ones", async () => {
    const counted = instrumentedFetch();
    const client = new Runnel({ url, fetch: counted.fetch });
    await client.admin().createTopic("c-bound", { partitions: 1 });
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    let inFlightBytes = 0;
    let maxInFlightBytes = 0;
    counted.state.intercept = async (send) => {
      await gate;
      return send();
    };
    const producer = client.producer({ maxBufferedBytes: 50_000, lingerMs: 0, batchBytes: 20_000 });
    const value = "v".repeat(1_000);
    const sends = Array.from({ length: 200 }, () => {
      inFlightBytes += 1_000;
      maxInFlightBytes = Math.max(maxInFlightBytes, inFlightBytes);
      return producer.send("c-bound", [{ value }]).then((r) => {
        inFlightBytes -= 1_000;
        return r;
      });
    });
    await waitFor("the first batches to be held", () => counted.state.batchPosts >= 1);
    // Held at the gate: no more than the bound's worth of records is batched (the rest wait in send).
    await new Promise((r) => setTimeout(r, 200));
    expect(counted.state.batchPosts).toBeLessThanOrEqual(3);
    release();
    const results = await Promise.all(sends);
    await producer.close();
    expect(results.map((r) => r[0]!.offset)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it("compresses with gzip, snappy and lz4 (zstd where the runtime has it)", async () => {
    const client = new Runnel({ url });
    await client.admin().createTopic("c-codecs", { partitions: 1 });
    const codecs = ["gzip", "snappy", "lz4", "zstd"] as const;
    const hasZstd = typeof (await import("node:zlib")).zstdCompressSync === "function";
    const expected: string[] = [];
    for (const compression of codecs) {
      if (compression === "zstd" && !hasZstd) {
        expect(() => client.producer({ compression })).toThrow(/zstd compression needs a runtime with native zstd/);
        continue;
      }
      const producer = client.producer({ compression });
      const values = Array.from({ length: 500 }, (_, i) => `${compression} record ${i} ${"z".repeat(50)}`);
      await producer.send("c-codecs", values.map((value) => ({ value })));
      await producer.close();
      expected.push(...values);
    }
    expect((await readAll(client, "c-codecs", 0)).map((r) => r.value)).toEqual(expected);
  });

  it("reports the API's errors as RunnelError with the error code", async () => {
    const client = new Runnel({ url });
    const producer = client.producer();
    const missing = await producer.send("c-no-such-topic", [{ value: 1 }]).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(RunnelError);
    expect((missing as RunnelError).errorCode).toBe(40401);
    expect((missing as RunnelError).status).toBe(404);
    await client.admin().createTopic("c-errors", { partitions: 2 });
    await expect(producer.send("c-errors", [{ value: 1, partition: 7 }])).rejects.toMatchObject({ errorCode: 40402 });
    await expect(client.admin().createTopic("c-errors")).rejects.toMatchObject({ errorCode: 40002, status: 400 });
    await producer.close();
  });
});

/** A WebSocket constructor (the ws package) whose sockets a test can reach, and counts the records sent to them. */
function trackedSockets() {
  const sockets: WsSocket[] = [];
  const counts = { records: 0 };
  class Tracked extends WsSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols);
      sockets.push(this);
      this.addEventListener("message", (e) => {
        const frame = JSON.parse(String(e.data));
        if (frame.type === "records") counts.records += frame.records.length;
      });
    }
  }
  return { sockets, counts, WebSocket: Tracked as unknown as ConstructorParameters<typeof Runnel>[0]["WebSocket"] };
}

async function produceNumbers(client: Runnel, topic: string, count: number, partition = 0) {
  const producer = client.producer();
  await producer.send(topic, Array.from({ length: count }, (_, i) => ({ value: String(i), partition })));
  await producer.close();
}

describe("consumer", () => {
  it("resumes from the committed offsets after its connection drops", async () => {
    const tracked = trackedSockets();
    const client = new Runnel({ url, WebSocket: tracked.WebSocket });
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
    const client = new Runnel({ url, WebSocket: tracked.WebSocket });
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
    const client = new Runnel({ url });
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
    const client = new Runnel({ url });
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
    const client = new Runnel({ url, WebSocket: WsSocket as unknown as ConstructorParameters<typeof Runnel>[0]["WebSocket"] });
    const consumer = client.consumer({ group: "c-bad", topics: ["x"], sessionTimeoutMs: 10 });
    const error = await consumer.next().then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(RunnelError);
    expect((error as RunnelError).status).toBe(400);
    expect((error as RunnelError).message).toMatch(/session_timeout_ms/);
    await consumer.close();
  });
});

describe("docs/client.md", () => {
  it("every js example runs against the server", async () => {
    const root = fileURLToPath(new URL("../..", import.meta.url));
    const run = promisify(execFile);
    // The examples import runnel/client as users do: the package's own build.
    await run(process.execPath, ["--input-type=module", "-e", "await (await import('./scripts/build-client.mjs')).buildClient()"], { cwd: root });
    const examples = [...readFileSync(join(root, "docs/client.md"), "utf8").matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(examples.length).toBeGreaterThanOrEqual(5);
    mkdirSync(join(root, ".runnel"), { recursive: true });
    for (const [i, code] of examples.entries()) {
      const file = join(root, ".runnel", `docs-example-${i}.mjs`);
      writeFileSync(file, code);
      try {
        const { stdout } = await run(process.execPath, [file], { cwd: root, env: { ...process.env, RUNNEL_URL: url }, timeout: 60_000 });
        expect(stdout.length, `example ${i} printed nothing`).toBeGreaterThan(0);
      } catch (e) {
        throw new Error(`example ${i} of docs/client.md failed: ${(e as { stderr?: string }).stderr ?? e}`);
      } finally {
        rmSync(file, { force: true });
      }
    }
  });
});

// The TypeScript client's producer against the real local server
// (`npm start`): batching, keyed partitioning, retries that never
// duplicate, the bound on bytes in flight, codecs and errors. The shared
// setup is client/harness.ts; the consumer: client-consumer.test.ts; the
// examples of docs/client.md: client-docs.test.ts.
import { describe, expect, it } from "vitest";
import { partitionForKey } from "../../src/produce/murmur2";
import { Runnel, RunnelError } from "../../src/client/index";
import { clientHarness, instrumentedFetch, readAll } from "./client/harness";
import { waitFor } from "./wait-for";

const server = clientHarness();

describe("producer", () => {
  it("batches many sends into few requests and answers each record's offset in order", async () => {
    const counted = instrumentedFetch();
    const client = new Runnel({ url: server.url, fetch: counted.fetch });
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
    const client = new Runnel({ url: server.url });
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
    const client = new Runnel({ url: server.url, fetch: counted.fetch });
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
    const client = new Runnel({ url: server.url, fetch: counted.fetch });
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
    const client = new Runnel({ url: server.url, fetch: noIds });
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
    const client = new Runnel({ url: server.url, fetch: counted.fetch });
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
    const client = new Runnel({ url: server.url });
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
    const client = new Runnel({ url: server.url });
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

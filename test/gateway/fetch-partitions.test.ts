import { describe, expect, it } from "vitest";
import type { Context } from "../../src/gateway/apis/api";
import { fetchApi } from "../../src/gateway/apis/fetch";
import { type FetchWanted, fetchPartitions } from "../../src/gateway/apis/fetch-partitions";
import { BackendError, type FetchedBatches, type RunnelApi } from "../../src/gateway/backend/runnel-api";
import { KafkaCode } from "../../src/gateway/errors";
import { SaslSession } from "../../src/gateway/server/sasl-session";
import { BATCH_HEADER_BYTES, buildBatch, encodeRecords } from "../../src/record/record-batch";
import { requestOf } from "./kafkajs";

/** A stand-in stored batch of `size` bytes: only its length field (bytes 8–11) matters here. */
function batch(size: number, fill: number): Buffer {
  const b = Buffer.alloc(size, fill);
  b.writeInt32BE(size - 12, 8);
  return b;
}

type FetchCall = { partition: number; timeoutMs: number; signal: AbortSignal | undefined };

function contextWith(fetchBatches: (partition: number, timeoutMs: number, signal?: AbortSignal) => Promise<FetchedBatches>, calls: FetchCall[] = []): Context {
  const api = {
    fetchBatches: (_topic: string, partition: number, _offset: number, _maxBytes: number, timeoutMs: number, signal?: AbortSignal) => {
      calls.push({ partition, timeoutMs, signal });
      return fetchBatches(partition, timeoutMs, signal);
    },
  } as unknown as RunnelApi;
  const session = new SaslSession("off", api);
  return { api, session, self: { nodeId: 0, host: "h", port: 1 }, clientId: "test", clientHost: "/127.0.0.1", served: [], inOrder: (_k, work) => work(), closeAfterReply: () => undefined };
}

function request(partitions: number[], over: Partial<FetchWanted> = {}): FetchWanted {
  return {
    maxWaitMs: 0, minBytes: 1, maxBytes: 1_000_000,
    topics: [{ name: "t", partitions: partitions.map((index) => ({ index, offset: 0, maxBytes: 1_000_000 })) }],
    ...over,
  };
}

const fetched = (bytes: Buffer, hw = 10): FetchedBatches => ({ bytes, highWatermark: hw, logStartOffset: 0, nextOffset: 0 });

describe("serving a Fetch from record batches over HTTP", () => {
  it("cuts the response to max_bytes at batch boundaries, keeping the first batch whole", async () => {
    const ctx = contextWith(async (p) => fetched(Buffer.concat([batch(100, p), batch(100, p + 10)])));
    const cut = await fetchPartitions(ctx, request([0, 1], { maxBytes: 250 }));
    expect(cut[0]!.partitions.map((p) => p.batches.reduce((n, b) => n + b.length, 0))).toEqual([200, 0]);
    const tiny = await fetchPartitions(ctx, request([0, 1], { maxBytes: 50 }));
    expect(tiny[0]!.partitions.map((p) => p.batches.reduce((n, b) => n + b.length, 0))).toEqual([100, 0]);
    expect(Buffer.from(tiny[0]!.partitions[0]!.batches[0]!)).toEqual(batch(100, 0));
  });

  it("waits only when there is too little, and the first partition to get records ends the wait for all", async () => {
    const calls: FetchCall[] = [];
    const ctx = contextWith(async (p, timeoutMs, signal) => {
      if (timeoutMs === 0) return fetched(Buffer.alloc(0), 5);
      if (p === 1) return fetched(batch(80, 1), 6);
      // Partition 0 waits until abandoned, as a long poll at the high watermark would.
      await new Promise((resolve) => signal!.addEventListener("abort", resolve));
      throw new BackendError(0, "abandoned", KafkaCode.REQUEST_TIMED_OUT);
    }, calls);
    const [topic] = await fetchPartitions(ctx, request([0, 1], { maxWaitMs: 20_000 }));
    expect(topic!.partitions.map((p) => [p.index, p.errorCode, p.highWatermark, p.batches.length])).toEqual([[0, 0, 5, 0], [1, 0, 6, 1]]);
    expect(calls.map((c) => [c.partition, c.timeoutMs > 0])).toEqual([[0, false], [1, false], [0, true], [1, true]]);
    expect(calls[2]!.signal!.aborted).toBe(true);
  });

  it("does not wait when the first read brings min_bytes, an error, or max_wait_ms is 0", async () => {
    for (const [over, answer] of [
      [{ maxWaitMs: 5000 }, async () => fetched(batch(64, 1))],
      [{ maxWaitMs: 5000 }, async () => { throw new BackendError(41601, "out of range", KafkaCode.OFFSET_OUT_OF_RANGE); }],
      [{ maxWaitMs: 0 }, async () => fetched(Buffer.alloc(0))],
    ] as const) {
      const calls: FetchCall[] = [];
      await fetchPartitions(contextWith(answer, calls), request([0], over));
      expect(calls.map((c) => c.timeoutMs)).toEqual([0]);
    }
  });

  it("answers a negative offset with OFFSET_OUT_OF_RANGE without asking the Worker", async () => {
    const calls: FetchCall[] = [];
    const req = request([0]);
    req.topics[0]!.partitions[0]!.offset = -1;
    const [topic] = await fetchPartitions(contextWith(async () => fetched(Buffer.alloc(0)), calls), req);
    expect(topic!.partitions[0]!.errorCode).toBe(KafkaCode.OFFSET_OUT_OF_RANGE);
    expect(calls).toEqual([]);
  });

  it("refuses an incremental fetch session (epoch > 0) with FETCH_SESSION_ID_NOT_FOUND", async () => {
    const req = requestOf(fetchApi, 11, { sessionId: 12, sessionEpoch: 3, topics: [{ topic: "t", partitions: [{ partition: 0 }] }] });
    const res = await fetchApi.handle(req, 11, contextWith(async () => fetched(Buffer.alloc(0))));
    expect(res!.errorCode).toBe(70);
  });

  it("converts stored batches down to the message format of Fetch v0-3 (magic 0 for v0-1, magic 1 for v2-3), from the offset asked", async () => {
    const records = [0, 1, 2].map((i) => ({ key: i === 1 ? null : Buffer.from(`k${i}`), value: Buffer.from(`v${i}`), headers: [], timestampMs: 1_700_000_000_000 + i }));
    const stored = Buffer.from(buildBatch({ baseOffset: 40, recordCount: 3, baseTimestampMs: 1_700_000_000_000, maxTimestampMs: 1_700_000_000_002, recordsSection: encodeRecords(records, 1_700_000_000_000) }));
    for (const v of [0, 1, 2, 3, 4]) {
      const req = requestOf(fetchApi, v, { maxWaitMs: 0, minBytes: 1, topics: [{ topic: "t", partitions: [{ partition: 0, fetchOffset: 41, partitionMaxBytes: 1_000_000 }] }] });
      const res = await fetchApi.handle(req, v, contextWith(async () => fetched(stored, 43)));
      const out = Buffer.from(res!.responses![0]!.partitions![0]!.records as Uint8Array);
      if (v >= 4) {
        expect(out.equals(stored), "v4+: the stored batch as it is").toBe(true);
        expect(out[16]).toBe(2);
        continue;
      }
      // Two messages (offsets 41 and 42: 40 precedes the offset asked), each offset, size, crc, magic, attributes[, timestamp], key, value.
      const magic = v < 2 ? 0 : 1;
      const messages: [number, number, string | null, string][] = [];
      for (let at = 0; at < out.length; ) {
        const size = out.readInt32BE(at + 8);
        expect(out[at + 16], `v${v} magic`).toBe(magic);
        let pos = at + 18 + (magic === 1 ? 8 : 0);
        const keyLength = out.readInt32BE(pos);
        const key = keyLength < 0 ? null : out.subarray(pos + 4, pos + 4 + keyLength).toString();
        pos += 4 + Math.max(keyLength, 0);
        const value = out.subarray(pos + 4, pos + 4 + out.readInt32BE(pos)).toString();
        messages.push([Number(out.readBigInt64BE(at)), magic === 1 ? Number(out.readBigInt64BE(at + 18)) : -1, key, value]);
        at += 12 + size;
      }
      const time = (i: number) => (magic === 1 ? 1_700_000_000_000 + i : -1);
      expect(messages, `v${v}`).toEqual([[41, time(1), null, "v1"], [42, time(2), "k2", "v2"]]);
    }
    expect(BATCH_HEADER_BYTES).toBe(61);
  });
});

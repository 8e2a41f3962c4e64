// Compacted partition replicas driven directly: keyed batches in, the real cleaner run step by step, the log read back.
import { env, runInDurableObject } from "cloudflare:test";
import { decodeBatches } from "../../src/client/batch-decode";
import { concatBytes } from "../../src/bytes/concat";
import { buildBatch, Compression, encodeRecords, readBatchHeader } from "../../src/record/record-batch";
import { compress, type Codec } from "../../src/record/compression";
import type { Cleaner } from "../../src/cleaner/cleaner";
import type { PartitionLog } from "../../src/log/partition-log";
import type { PartitionReplica } from "../../src/replication/partition-replica";
import type { ConfigOverrides } from "../../src/topic/configs";

const utf8 = new TextEncoder();
const text = new TextDecoder();

/** A record to append: key and value as text, null for none (a null value is a tombstone). */
export type KV = [key: string | null, value: string | null];

let counter = 0;

/**
 * A fresh single replica of a compacted topic: every batch in a segment
 * of its own (segment.bytes 100), cleaned at any dirty ratio.
 */
export async function compactedReplica(configs: ConfigOverrides = {}, tag = "cl") {
  const topicId = `${tag}-${++counter}-${Date.now()}`;
  const stub = env.PARTITIONS.get(env.PARTITIONS.idFromName(`${topicId}/0/0`));
  const all: ConfigOverrides = { "cleanup.policy": "compact", "segment.bytes": "100", "min.cleanable.dirty.ratio": "0", ...configs };
  const init = await stub.init({ topicId, topicName: topicId, partition: 0, brokerId: 0, configs: all, role: { leader: 0, leaderEpoch: 0, replicas: [0], isr: [0] } });
  if (!init.ok) throw new Error(init.message);
  return { stub, topicId };
}

/** One batch of `records` (timestamps `timestampMs`, compressed with `codec`), optionally from an idempotent producer. */
export async function keyedBatch(records: KV[], opts: { timestampMs?: number; codec?: Codec; producer?: { id: number; epoch: number; sequence: number } } = {}) {
  const ts = opts.timestampMs ?? Date.now();
  const inputs = records.map(([k, v]) => ({ key: k === null ? null : utf8.encode(k), value: v === null ? null : utf8.encode(v), headers: [], timestampMs: ts }));
  const codec = opts.codec ?? Compression.NONE;
  return buildBatch({
    recordsSection: await compress(codec, encodeRecords(inputs, ts)),
    compression: codec,
    recordCount: inputs.length,
    baseTimestampMs: ts,
    maxTimestampMs: ts,
    producerId: opts.producer?.id,
    producerEpoch: opts.producer?.epoch,
    baseSequence: opts.producer?.sequence,
  });
}

/** Appends each record as a batch of its own (so each closes the segment before it); returns the first offset. */
export async function appendEach(stub: DurableObjectStub<PartitionReplica>, topicId: string, records: KV[], timestampMs?: number): Promise<number> {
  let first = -1;
  for (const r of records) {
    const res = await stub.append({ topicId, leaderEpoch: 0, acks: 1, batches: [await keyedBatch([r], { timestampMs })] });
    if (!res.ok) throw new Error(res.message);
    if (first < 0) first = res.baseOffset;
  }
  return first;
}

/** Runs `work` on the replica's live cleaner (and log). */
export function withCleaner<T>(stub: DurableObjectStub<PartitionReplica>, work: (cleaner: Cleaner, instance: PartitionReplica) => T | Promise<T>): Promise<T> {
  return runInDurableObject(stub, async (instance: PartitionReplica) => {
    if (instance.state === null) throw new Error("no replica state");
    return work(instance.state.cleaner, instance);
  });
}

/** Steps the cleaner at `nowMs` (default: the clock) until no pass runs and none is due; returns the steps taken. */
export async function cleanFully(stub: DurableObjectStub<PartitionReplica>, nowMs?: number, stepsMax = 10_000): Promise<number> {
  return withCleaner(stub, async (cleaner) => {
    let steps = 0;
    for (;;) {
      const at = nowMs ?? Date.now();
      if (!cleaner.cleaning && cleaner.dueMs(at) !== at) return steps;
      await cleaner.step(at);
      if (++steps > stepsMax) throw new Error(`the cleaner took more than ${stepsMax} steps`);
    }
  });
}

export interface ReadRecord {
  offset: number;
  key: string | null;
  value: string | null;
  timestampMs: number;
}

/**
 * Every record of the replica from its log start to its high watermark,
 * read as a consumer reads: batch by batch from each read's next offset,
 * decoded by the client's decoder. Throws when offsets do not increase
 * or a read makes no progress.
 */
export async function readLog(stub: DurableObjectStub<PartitionReplica>, topicId: string, from?: number): Promise<ReadRecord[]> {
  const d = await stub.describe(topicId);
  if (!d.ok) throw new Error(d.message);
  const out: ReadRecord[] = [];
  let offset = from ?? d.logStartOffset;
  while (offset < d.highWatermark) {
    const r = await stub.read({ topicId, offset, maxBytes: 1, timeoutMs: 0 });
    if (!r.ok) throw new Error(r.message);
    if (r.batches.length === 0) throw new Error(`no batch from ${offset} below the high watermark ${d.highWatermark}`);
    for (const rec of await decodeBatches(concatBytes(r.batches), offset)) {
      if (out.length > 0 && rec.offset <= out[out.length - 1]!.offset) throw new Error(`offset ${rec.offset} after ${out[out.length - 1]!.offset}`);
      out.push({ offset: rec.offset, key: rec.key === null ? null : text.decode(rec.key), value: rec.value === null ? null : text.decode(rec.value), timestampMs: rec.timestampMs });
    }
    const last = readBatchHeader(r.batches[r.batches.length - 1]!);
    const next = last.baseOffset + last.lastOffsetDelta + 1;
    if (next <= offset) throw new Error(`a read from ${offset} made no progress`);
    offset = next;
  }
  return out;
}

/** Records of `log` in [from, to), read inside the replica (batch by batch, as readLog reads over RPC). */
export async function readInObject(log: PartitionLog, from: number, to: number): Promise<ReadRecord[]> {
  const out: ReadRecord[] = [];
  for (let offset = from; offset < Math.min(to, log.highWatermark); ) {
    const batches = log.reads.readBatches(offset, log.highWatermark, 1);
    if (!Array.isArray(batches) || batches.length === 0) throw new Error(`no batch from ${offset}`);
    for (const rec of await decodeBatches(batches[0]!, offset)) {
      if (rec.offset < to) out.push({ offset: rec.offset, key: rec.key === null ? null : text.decode(rec.key), value: rec.value === null ? null : text.decode(rec.value), timestampMs: rec.timestampMs });
    }
    const h = readBatchHeader(batches[0]!);
    offset = h.baseOffset + h.lastOffsetDelta + 1;
  }
  return out;
}

/** The stored batches' headers, in offset order, straight from storage. */
export function storedHeaders(stub: DurableObjectStub<PartitionReplica>) {
  return runInDurableObject(stub, (_: PartitionReplica, state) =>
    state.storage.sql
      .exec<{ bytes: ArrayBuffer }>("SELECT bytes FROM batches ORDER BY base_offset")
      .toArray()
      .map((r) => readBatchHeader(new Uint8Array(r.bytes))),
  );
}

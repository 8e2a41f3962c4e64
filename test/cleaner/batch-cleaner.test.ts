import { describe, expect, it } from "vitest";
import { cleanBatch } from "../../src/cleaner/batch-cleaner";
import { OffsetMap } from "../../src/cleaner/offset-map";
import { decodeBatches } from "../../src/client/batch-decode";
import { type Codec, compress } from "../../src/record/compression";
import { buildBatch, checkBatch, checkStoredBatch, Compression, compressionOf, encodeRecords, readBatchHeader, type RecordInput } from "../../src/record/record-batch";

const utf8 = new TextEncoder();
const text = new TextDecoder();
const CODECS: [string, Codec][] = [["uncompressed", Compression.NONE], ["gzip", Compression.GZIP], ["snappy", Compression.SNAPPY], ["lz4", Compression.LZ4], ["zstd", Compression.ZSTD]];
const NOW = 1_800_000_000_000;

/** Records a, b, a (with a header), c=tombstone at offsets 100-103, timestamps 1000 + 10 i. */
function records(): RecordInput[] {
  const r = (k: string | null, v: string | null, i: number, headers: RecordInput["headers"] = []) => ({ key: k === null ? null : utf8.encode(k), value: v === null ? null : utf8.encode(v), headers, timestampMs: 1000 + 10 * i });
  return [r("a", "1", 0), r("b", "1", 1), r("a", "2", 2, [{ name: "h", value: utf8.encode("v") }]), r("c", null, 3)];
}

async function batchOf(codec: Codec, recs = records(), fields: { attributes?: number; producer?: boolean } = {}) {
  return buildBatch({
    baseOffset: 100,
    partitionLeaderEpoch: 7,
    recordsSection: await compress(codec, encodeRecords(recs, 1000)),
    recordCount: recs.length,
    baseTimestampMs: 1000,
    maxTimestampMs: 1000 + 10 * (recs.length - 1),
    compression: codec,
    flags: fields.attributes,
    ...(fields.producer ? { producerId: 42, producerEpoch: 3, baseSequence: 9 } : {}),
  });
}

/** A map over [100, 103] naming each key's latest offset. */
function mapOf(latest: Record<string, number>, latestOffset = 103): OffsetMap {
  const map = new OffsetMap();
  for (const [k, o] of Object.entries(latest)) map.put(utf8.encode(k), o);
  map.latestOffset = latestOffset;
  return map;
}

const rules = (map: OffsetMap, over: { nowMs?: number; retainEmpty?: boolean } = {}) => ({ map, nowMs: over.nowMs ?? NOW, deleteRetentionMs: 60_000, retainEmpty: over.retainEmpty ?? false });

async function decoded(batch: Uint8Array) {
  return (await decodeBatches(batch, 0)).map((r) => ({ offset: r.offset, key: r.key && text.decode(r.key), value: r.value && text.decode(r.value), ts: r.timestampMs, headers: r.headers.length }));
}

describe("cleaning one batch (Kafka's filter)", () => {
  it.each(CODECS)("%s: keeps the latest record of each key, and the batch's base offset, last offset, epoch, producer fields and codec, with a new CRC", async (_name, codec) => {
    const batch = await batchOf(codec, records(), { producer: true });
    const out = await cleanBatch(batch, rules(mapOf({ a: 102, b: 101, c: 200 })));
    expect(out).toMatchObject({ kind: "rewrite", recordsRead: 4, recordsRemoved: 2, maxTimestampMs: 1020, tombstoneHorizonMs: null });
    const bytes = out.bytes!;
    expect(checkStoredBatch(bytes)).toBeNull();
    expect(checkBatch(bytes)).toMatch(/last offset delta does not match/); // as a producer's batch it would be refused: it is the cleaner's
    const h = readBatchHeader(bytes);
    expect(h).toMatchObject({ baseOffset: 100, lastOffsetDelta: 3, recordCount: 2, partitionLeaderEpoch: 7, producerId: 42, producerEpoch: 3, baseSequence: 9, baseTimestampMs: 1010, maxTimestampMs: 1020 });
    expect(compressionOf(h.attributes)).toBe(codec);
    expect(await decoded(bytes)).toEqual([
      { offset: 101, key: "b", value: "1", ts: 1010, headers: 0 },
      { offset: 102, key: "a", value: "2", ts: 1020, headers: 1 },
    ]);
  });

  it("keeps a batch whose records all stay byte for byte", async () => {
    const recs = records().slice(0, 2);
    const batch = await batchOf(Compression.GZIP, recs);
    expect(await cleanBatch(batch, rules(mapOf({ a: 100, b: 101 })))).toMatchObject({ kind: "keep", bytes: null, recordsRemoved: 0, maxTimestampMs: 1010 });
  });

  it("stamps a delete horizon (now + delete.retention.ms) on a batch first cleaned with a tombstone in it, record timestamps unchanged", async () => {
    const batch = await batchOf(Compression.LZ4);
    const out = await cleanBatch(batch, rules(mapOf({ a: 102, b: 101, c: 103 })));
    expect(out).toMatchObject({ kind: "rewrite", tombstoneHorizonMs: NOW + 60_000 });
    const h = readBatchHeader(out.bytes!);
    expect(h.attributes & 0x40).toBe(0x40);
    expect(h.baseTimestampMs).toBe(NOW + 60_000);
    expect(h.maxTimestampMs).toBe(1030);
    expect((await decoded(out.bytes!)).map((r) => [r.offset, r.value, r.ts])).toEqual([
      [101, "1", 1010],
      [102, "2", 1020],
      [103, null, 1030],
    ]);
    // Cleaned again before its horizon, the tombstone stays and the batch is kept as it is.
    expect(await cleanBatch(out.bytes!, rules(mapOf({ a: 102, b: 101, c: 103 }), { nowMs: NOW + 59_999 }))).toMatchObject({ kind: "keep", tombstoneHorizonMs: NOW + 60_000 });
    // At its horizon, it goes; the horizon stays on the batch (Kafka keeps it).
    const later = await cleanBatch(out.bytes!, rules(mapOf({ a: 102, b: 101, c: 103 }), { nowMs: NOW + 60_000 }));
    expect(later).toMatchObject({ kind: "rewrite", recordsRemoved: 1, tombstoneHorizonMs: null });
    expect((await decoded(later.bytes!)).map((r) => r.offset)).toEqual([101, 102]);
  });

  it("drops a batch left with no record, unless it must stay: then an empty header as Kafka writes one", async () => {
    const batch = await batchOf(Compression.ZSTD, records(), { producer: true });
    const superseded = mapOf({ a: 500, b: 500, c: 500 }, 103);
    expect(await cleanBatch(batch, rules(superseded))).toMatchObject({ kind: "drop", recordsRemoved: 4 });
    const kept = await cleanBatch(batch, rules(superseded, { retainEmpty: true }));
    expect(kept).toMatchObject({ kind: "rewrite", recordsRemoved: 4, maxTimestampMs: -1 });
    const h = readBatchHeader(kept.bytes!);
    expect(kept.bytes!.length).toBe(61);
    expect(checkStoredBatch(kept.bytes!)).toBeNull();
    expect(h).toMatchObject({ baseOffset: 100, lastOffsetDelta: 3, recordCount: 0, baseTimestampMs: -1, maxTimestampMs: 1030, producerId: 42, producerEpoch: 3, baseSequence: 9, partitionLeaderEpoch: 7 });
    expect(compressionOf(h.attributes)).toBe(Compression.NONE);
    expect(await decodeBatches(kept.bytes!, 0)).toEqual([]);
  });

  it("drops records without a key, and keeps every record past what the map covers", async () => {
    const recs = [...records().slice(0, 2), { key: null, value: utf8.encode("x"), headers: [], timestampMs: 1020 }];
    const batch = await batchOf(Compression.NONE, recs);
    const out = await cleanBatch(batch, rules(mapOf({ a: 100, b: 101 }, 102)));
    expect((await decoded(out.bytes!)).map((r) => r.offset)).toEqual([100, 101]);
    // The map ends at 100: the records at 101 and 102 are past it and stay, keyless or not.
    expect(await cleanBatch(batch, rules(mapOf({ a: 100 }, 100)))).toMatchObject({ kind: "keep" });
  });

  it("keeps a control batch (transaction markers) whole", async () => {
    const batch = await batchOf(Compression.NONE, records(), { attributes: 0x20 | 0x10 });
    expect(await cleanBatch(batch, rules(mapOf({ a: 500, b: 500, c: 500 }, 103)))).toMatchObject({ kind: "keep", recordsRemoved: 0 });
  });

  it("keeps a LogAppendTime batch's append time as its max timestamp", async () => {
    const batch = await batchOf(Compression.NONE, records(), { attributes: 0x08 });
    const out = await cleanBatch(batch, rules(mapOf({ a: 102, b: 500, c: 500 })));
    expect(readBatchHeader(out.bytes!)).toMatchObject({ recordCount: 1, maxTimestampMs: 1030 });
    expect(readBatchHeader(out.bytes!).attributes & 0x08).toBe(0x08);
  });
});

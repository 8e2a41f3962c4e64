// The client's decoding of fetched record batches (src/client/batch-decode.ts
// and recordOfBatch in serde.ts), in workerd: every codec, records before
// the fetch offset, LogAppendTime, and the same values, keys, headers and
// timestamps as the server's JSON rendering gave the client before — plus
// corrupt batches and decompression bombs.
import { describe, expect, it } from "vitest";
import { concatBytes } from "../../src/bytes/concat";
import { decodeBatches } from "../../src/client/batch-decode";
import { RunnelError } from "../../src/client/errors";
import { decodeRecord, type Format, recordOfBatch } from "../../src/client/serde";
import type { WireRecord } from "../../src/client/consumer-state";
import { renderBatches } from "../../src/fetch/render";
import { limits } from "../../src/limits";
import { compress, type Codec } from "../../src/record/compression";
import { buildBatch, Compression, encodeRecords, type RecordInput, setBaseOffset, setLogAppendTime } from "../../src/record/record-batch";

const utf8 = new TextEncoder();
const text = (s: string) => utf8.encode(s);

/** A stored batch of `records` at `baseOffset`, compressed with `codec`. */
async function batchOf(records: RecordInput[], baseOffset: number, codec: Codec = Compression.NONE): Promise<Uint8Array> {
  const base = records[0]!.timestampMs;
  const max = Math.max(...records.map((r) => r.timestampMs));
  const section = await compress(codec, encodeRecords(records, base));
  const batch = buildBatch({ recordCount: records.length, baseTimestampMs: base, maxTimestampMs: max, compression: codec, recordsSection: section });
  setBaseOffset(batch, baseOffset);
  return batch;
}

const join = (...parts: Uint8Array[]) => concatBytes(parts);

/** Records with every shape a field can take: null key, null value, headers (one null), non-ASCII and non-UTF-8 bytes. */
const mixed: RecordInput[] = [
  { key: text("k1"), value: text("plain"), headers: [], timestampMs: 1_700_000_000_000 },
  { key: null, value: text('{"a":[1,2]}'), headers: [{ name: "h", value: text("x") }, { name: "n", value: null }], timestampMs: 1_700_000_000_005 },
  { key: text("ключ"), value: null, headers: [], timestampMs: 1_700_000_000_001 },
  { key: new Uint8Array([0xff, 0]), value: new Uint8Array([0, 255, 0xc3]), headers: [{ name: "b", value: new Uint8Array([1, 2]) }], timestampMs: 1_700_000_000_009 },
];
const jsonOnly: RecordInput[] = [
  { key: text("k"), value: text('{"n":1}'), headers: [{ name: "h", value: text("v") }], timestampMs: 1_700_000_000_000 },
  { key: null, value: text('"s"'), headers: [], timestampMs: 1_700_000_000_002 },
  { key: text("x"), value: null, headers: [], timestampMs: 1_700_000_000_003 },
];

/** What the client made of the server's JSON rendering of the same batches (the path this replaces). */
async function asBefore(batches: Uint8Array[], from: number, format: Format) {
  const rendered = await renderBatches(batches, from, Number.MAX_SAFE_INTEGER, "t", 3, format === "binary" ? "binary" : "string");
  return (JSON.parse(`[${rendered.json}]`) as WireRecord[]).map((r) => decodeRecord(r, format));
}

async function asNow(body: Uint8Array, from: number, format: Format) {
  return (await decodeBatches(body, from)).map((r) => recordOfBatch("t", 3, r, format));
}

const codecs = [Compression.NONE, Compression.GZIP, Compression.SNAPPY, Compression.LZ4, Compression.ZSTD] as const;

describe("decoding fetched record batches", () => {
  for (const codec of codecs) {
    it(`gives what the JSON fetch gave, in every format, for codec ${codec}`, async () => {
      const batches = [await batchOf(mixed, 10, codec), await batchOf(jsonOnly, 14, codec)];
      for (const format of ["string", "binary"] as const) {
        expect(await asNow(join(...batches), 10, format)).toEqual(await asBefore(batches, 10, format));
      }
      expect(await asNow(batches[1]!, 14, "json")).toEqual(await asBefore([batches[1]!], 14, "json"));
      const now = await asNow(join(...batches), 10, "binary");
      expect(now.map((r) => r.offset)).toEqual([10, 11, 12, 13, 14, 15, 16]);
      expect(now[3]!.value).toEqual(new Uint8Array([0, 255, 0xc3]));
    });
  }

  it("skips the records of the first batch before the offset asked for", async () => {
    const batches = [await batchOf(mixed, 100, Compression.GZIP), await batchOf(jsonOnly, 104)];
    const now = await asNow(join(...batches), 102, "string");
    expect(now.map((r) => r.offset)).toEqual([102, 103, 104, 105, 106]);
    expect(now).toEqual(await asBefore(batches, 102, "string"));
  });

  it("gives every record of a LogAppendTime batch the batch's max timestamp", async () => {
    const batch = await batchOf(mixed, 0, Compression.LZ4);
    setLogAppendTime(batch, 1_800_000_000_000);
    const now = await asNow(batch, 0, "string");
    expect(now.map((r) => r.timestamp)).toEqual([1_800_000_000_000, 1_800_000_000_000, 1_800_000_000_000, 1_800_000_000_000]);
    expect(now).toEqual(await asBefore([batch], 0, "string"));
  });

  it("fails format json with 42206 naming the record that is not JSON", async () => {
    const batch = await batchOf([...jsonOnly, { key: null, value: text("not json"), headers: [], timestampMs: 1 }], 7);
    const error = await asNow(batch, 7, "json").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunnelError);
    expect(error).toMatchObject({ errorCode: 42206, message: `the record at offset 10 of 't' partition 3 is not JSON; consume it with format "string" or "binary"` });
    // The same record before the offset asked for is skipped, so it does not fail a fetch after it.
    expect(await asNow(batch, 11, "json")).toEqual([]);
  });
});

describe("batches that do not decode", () => {
  const expectCorrupt = async (body: Uint8Array, message: RegExp, bound?: number) => {
    const error = await decodeBatches(body, 0, bound).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunnelError);
    expect((error as RunnelError).errorCode).toBe(50001);
    expect((error as RunnelError).errorName).toBe("CORRUPT_MESSAGE");
    expect((error as RunnelError).message).toMatch(message);
  };

  it("refuses a body cut inside a batch, a bad magic and an unknown codec", async () => {
    const batch = await batchOf(mixed, 5);
    await expectCorrupt(batch.subarray(0, 40), /40 bytes at byte 0 .* too few/);
    await expectCorrupt(batch.subarray(0, batch.length - 1), /says it ends at byte/);
    const badMagic = batch.slice();
    badMagic[16] = 1;
    await expectCorrupt(badMagic, /at offset 5: magic 1, expected 2/);
    const codec5 = batch.slice();
    codec5[22] = (codec5[22]! & ~7) | 5;
    await expectCorrupt(codec5, /at offset 5: compression codec 5/);
  });

  it("refuses records sections that do not decompress or decode", async () => {
    for (const codec of [Compression.GZIP, Compression.SNAPPY, Compression.LZ4, Compression.ZSTD]) {
      const batch = await batchOf(mixed, 9, codec);
      const cut = buildBatch({ recordCount: 4, baseTimestampMs: 0, maxTimestampMs: 0, compression: codec, recordsSection: batch.subarray(61, batch.length - 5) });
      await expectCorrupt(cut, /corrupt record batch at offset 0/);
    }
    const miscounted = buildBatch({ recordCount: 9, baseTimestampMs: 0, maxTimestampMs: 0, recordsSection: encodeRecords(mixed, 0) });
    await expectCorrupt(miscounted, /corrupt record batch at offset 0/);
  });

  it("stops a decompression bomb at the bound, for every codec", async () => {
    const zeros = new Uint8Array(1024 * 1024);
    for (const codec of [Compression.GZIP, Compression.SNAPPY, Compression.LZ4, Compression.ZSTD]) {
      const bomb = buildBatch({ recordCount: 1, baseTimestampMs: 0, maxTimestampMs: 0, compression: codec, recordsSection: await compress(codec, zeros) });
      await expectCorrupt(bomb, /decompress past 65536 bytes/, 64 * 1024);
    }
    // And at the default bound, limits.batchDecompressedBytesMax.
    const big = new Uint8Array(limits.batchDecompressedBytesMax + 1);
    const gzipBomb = buildBatch({ recordCount: 1, baseTimestampMs: 0, maxTimestampMs: 0, compression: Compression.GZIP, recordsSection: await compress(Compression.GZIP, big) });
    expect(gzipBomb.length).toBeLessThan(100_000);
    await expectCorrupt(gzipBomb, new RegExp(`gzip records decompress past ${limits.batchDecompressedBytesMax} bytes`));
  });
});

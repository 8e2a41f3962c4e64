import { compress as snappyRaw } from "snappyjs";
import { describe, expect, it } from "vitest";
import fixture from "../fixtures/codecs.json";
import { decodeBatch } from "../../src/fetch/fetcher";
import { type Codec, CompressionError, compress, decompress } from "../../src/record/compression";
import { BATCH_HEADER_BYTES, buildBatch, checkBatch, Compression, compressionOf, type decodeRecords, encodeRecords, readBatchHeader } from "../../src/record/record-batch";
import { checkRecords } from "../../src/record/record-check";
import { zstdFrames } from "../../src/record/zstd-frames";

const CODECS: [string, Codec][] = [["gzip", Compression.GZIP], ["snappy", Compression.SNAPPY], ["lz4", Compression.LZ4], ["zstd", Compression.ZSTD]];
const MiB = 1024 * 1024;
const text = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b));
const fromBase64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

/** Deterministic bytes: JSON-ish events, or noise that does not compress. */
function sample(bytes: number, noise = false): Uint8Array {
  const out = new Uint8Array(bytes);
  let x = 0x9e3779b9;
  const event = new TextEncoder().encode('{"id":12345,"user":"user-42","type":"click","ts":1700000000000}\n');
  for (let i = 0; i < bytes; i++) {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    out[i] = noise ? x & 0xff : (event[i % event.length]! + (i % 997 === 0 ? x & 3 : 0)) & 0xff;
  }
  return out;
}

/** The records section a fixture batch carries, decompressed by us. */
function fixtureSection(name: keyof typeof fixture.batches) {
  const batch = fromBase64(fixture.batches[name].base64);
  return { batch, header: readBatchHeader(batch), section: decompress(fixture.batches[name].codec, batch.subarray(BATCH_HEADER_BYTES), 16 * MiB) };
}

/** Whether two byte arrays hold the same bytes (toEqual walks a megabyte slowly). */
function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** JSON events of about 100 bytes, as scripts/bench/codecs.mjs makes them. */
function events(bytes: number): Uint8Array {
  const kinds = ["click", "view", "purchase", "signup", "search"];
  const parts: Uint8Array[] = [];
  let total = 0;
  for (let i = 0; total < bytes; i++) {
    const e = { id: 1_000_000 + i, user: `user-${(i * 7919) % 5000}`, type: kinds[i % 5], page: `/products/${(i * 31) % 997}`, ts: 1_700_000_000_000 + i * 13 };
    parts.push(new TextEncoder().encode(JSON.stringify(e)));
    total += parts.at(-1)!.length;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Where an LZ4 frame breaks the block rules liblz4 and lz4-java enforce:
 * every match starts at least 12 bytes before its block's end, and the
 * last 5 bytes of a block are literals.
 */
function lz4RuleBreaks(frame: Uint8Array): string[] {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const breaks: string[] = [];
  for (let pos = 7, block = 0; ; block++) {
    const word = view.getUint32(pos, true);
    pos += 4;
    if (word === 0) return breaks;
    const size = word & 0x7fffffff;
    if (word & 0x80000000) {
      pos += size;
      continue;
    }
    const end = pos + size;
    const matchStarts: number[] = [];
    let out = 0;
    let lastLiterals = 0;
    while (pos < end) {
      const token = frame[pos++]!;
      let literals = token >> 4;
      if (literals === 15) for (let b = 255; b === 255; literals += b) b = frame[pos++]!;
      pos += literals;
      out += literals;
      lastLiterals = literals;
      if (pos >= end) break;
      pos += 2;
      let length = token & 15;
      if (length === 15) for (let b = 255; b === 255; length += b) b = frame[pos++]!;
      matchStarts.push(out);
      out += length + 4;
      lastLiterals = 0;
    }
    for (const m of matchStarts) if (m > out - 12) breaks.push(`block ${block}: a match starts ${out - m} bytes before its end`);
    if (matchStarts.length > 0 && lastLiterals < 5) breaks.push(`block ${block}: ends with ${lastLiterals} literals`);
  }
}

function readable(records: ReturnType<typeof decodeRecords>) {
  return records.map((r) => ({ offset: r.offset, timestampMs: r.timestampMs, key: text(r.key), value: text(r.value), headers: r.headers.map((h) => ({ name: h.name, value: text(h.value) })) }));
}

describe.each(CODECS)("%s", (_name, codec) => {
  const inputs: [string, Uint8Array][] = [
    ["nothing", new Uint8Array(0)],
    ["one byte", new Uint8Array([7])],
    ["81 KB of records", fixtureSection("gzip").section],
    ["1 MiB of events", sample(MiB)],
    ["300 KB of noise", sample(300_000, true)],
  ];

  it.each(inputs)("round-trips %s", async (_what, input) => {
    const packed = await compress(codec, input);
    expect(same(decompress(codec, packed, 16 * MiB), input)).toBe(true);
  });

  it("shrinks realistic records", async () => {
    expect((await compress(codec, sample(MiB))).length).toBeLessThan(MiB / 3);
  });

  it("refuses output past the limit, to the byte", async () => {
    for (const size of [100_000, 40_960, 81_920, 300_000]) {
      const input = sample(size, true);
      const packed = await compress(codec, input);
      expect(same(decompress(codec, packed, size), input), `${size} bytes`).toBe(true);
      expect(() => decompress(codec, packed, size - 1)).toThrow(`records decompress past ${size - 1} bytes`);
    }
  });

  it("refuses a bomb: 64 MiB of zeros squeezed twenty-fold or more", async () => {
    const bomb = await compress(codec, new Uint8Array(64 * MiB));
    expect(bomb.length).toBeLessThan((64 * MiB) / 20);
    expect(() => decompress(codec, bomb, 16 * MiB)).toThrow("records decompress past 16777216 bytes");
  });

  it("refuses truncated input", async () => {
    const packed = await compress(codec, sample(200_000));
    for (const cut of [0, 3, 10, packed.length >> 1, packed.length - 1]) {
      expect(() => decompress(codec, packed.subarray(0, cut), 16 * MiB), `cut at ${cut}`).toThrow(CompressionError);
    }
  });

  it("never fails with anything but a CompressionError, whatever the bytes", async () => {
    const packed = await compress(codec, sample(150_000));
    let x = 12345;
    for (let round = 0; round < 200; round++) {
      const bad = packed.slice();
      for (let k = 0; k < 1 + (round % 4); k++) {
        x = (x * 1103515245 + 12345) >>> 0;
        bad[x % bad.length] = (x >>> 8) & 0xff;
      }
      try {
        decompress(codec, bad, 16 * MiB);
      } catch (e) {
        expect(e, `round ${round}`).toBeInstanceOf(CompressionError);
      }
    }
  });
});

describe("framings as Kafka clients write them", () => {
  it("snappy: xerial header, then length-prefixed raw blocks of at most 32 KiB", async () => {
    const packed = await compress(Compression.SNAPPY, sample(81_000));
    expect([...packed.subarray(0, 16)]).toEqual([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0, 0, 0, 0, 1, 0, 0, 0, 1]);
    const view = new DataView(packed.buffer, packed.byteOffset);
    const blocks: number[] = [];
    for (let pos = 16; pos < packed.length; pos += 4 + view.getInt32(pos)) blocks.push(view.getInt32(pos));
    expect(blocks).toHaveLength(3); // 32 KiB + 32 KiB + the rest
  });

  it("snappy: reads raw snappy too, as librdkafka writes it", () => {
    const input = sample(50_000);
    expect(same(decompress(Compression.SNAPPY, snappyRaw(input), MiB), input)).toBe(true);
  });

  it("snappy: refuses a raw block declaring more than the limit before allocating it", () => {
    const lying = new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x0f, 0x00]); // declares 4 GiB - ...
    expect(() => decompress(Compression.SNAPPY, lying, 16 * MiB)).toThrow(/past 16777216 bytes/);
  });

  it("lz4: Kafka's frame descriptor (independent 64 KiB blocks) with its header checksum, and an end mark", async () => {
    const packed = await compress(Compression.LZ4, sample(200_000));
    expect([...packed.subarray(0, 7)]).toEqual([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82]);
    expect([...packed.subarray(-4)]).toEqual([0, 0, 0, 0]);
  });

  it("lz4: keeps the block rules liblz4 and lz4-java enforce (lz4js alone breaks them)", async () => {
    const inputs = [events(MiB), events(70_000), sample(MiB), sample(200_000, true), new Uint8Array(300_000), events(17), events(30)];
    for (const [i, input] of inputs.entries()) {
      const packed = await compress(Compression.LZ4, input);
      expect(lz4RuleBreaks(packed), `input ${i}`).toEqual([]);
      expect(same(decompress(Compression.LZ4, packed, 2 * MiB), input), `input ${i}`).toBe(true);
    }
  });

  it("lz4: refuses a wrong header checksum", async () => {
    const packed = await compress(Compression.LZ4, sample(1000));
    packed[6]! ^= 1;
    expect(() => decompress(Compression.LZ4, packed, MiB)).toThrow(/descriptor checksum/);
  });

  it("lz4: refuses at once a block whose lengths would spin for a second", () => {
    const body = new Uint8Array(MiB);
    body.set([0x1f, 0x41, 0x01, 0x00]); // one literal, then a match of offset 1 whose length goes on...
    body.fill(0xff, 4); // ...for a million 255s
    const frame = new Uint8Array([0x04, 0x22, 0x4d, 0x18, 0x60, 0x70, 0x73, 0, 0, 0, 0, ...body, 0, 0, 0, 0]);
    new DataView(frame.buffer).setUint32(7, body.length, true);
    const started = performance.now();
    expect(() => decompress(Compression.LZ4, frame, 16 * MiB)).toThrow(CompressionError);
    expect(performance.now() - started).toBeLessThan(200);
  });

  it("zstd: one standard frame, with its magic", async () => {
    const packed = await compress(Compression.ZSTD, sample(300_000, true));
    expect([...packed.subarray(0, 4)]).toEqual([0x28, 0xb5, 0x2f, 0xfd]);
    expect(zstdFrames(packed, MiB).map((f) => f.contentBytes)).toEqual([300_000]);
  });

  it("zstd: decodes frames of exactly 40960 × 2^k bytes, with and without a content size (today's workerd zstd fails them)", async () => {
    for (const size of [40_960, 81_920, 163_840]) {
      const input = sample(size);
      expect(same(decompress(Compression.ZSTD, await compress(Compression.ZSTD, input), MiB), input), `${size} bytes`).toBe(true);
    }
    const streamed = fromBase64(fixture.batches.zstd_streamed.base64).subarray(BATCH_HEADER_BYTES); // no content size
    expect(decompress(Compression.ZSTD, streamed, MiB).length).toBe(fixture.records_section_bytes);
  });

  it("zstd: refuses a frame whose content checksum does not match", () => {
    const streamed = fromBase64(fixture.batches.zstd_streamed.base64).slice(BATCH_HEADER_BYTES); // written with a checksum
    streamed[streamed.length - 1]! ^= 1;
    expect(() => decompress(Compression.ZSTD, streamed, MiB)).toThrow(/zstd: .*checksum/);
  });

  it("zstd: states the content size in the frame header, as librdkafka expects", async () => {
    const packed = await compress(Compression.ZSTD, sample(70_000));
    expect(packed[4]! & 0xc0).not.toBe(0); // Frame_Content_Size_flag
  });

  it("zstd: refuses a frame declaring a window past the bound before allocating it", () => {
    // Frame header descriptor 0 (no content size, not single-segment), window descriptor 0xf8: 2^41 bytes.
    const frame = new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0xf8, 0x01, 0x00, 0x00]);
    expect(() => decompress(Compression.ZSTD, frame, 16 * MiB)).toThrow(/window of 2199023255552 bytes is past 16777216 bytes/);
  });

  it("zstd: refuses a frame declaring more content than the bound", () => {
    const frame = new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0xa0, 0, 0, 0, 0x40, 0x01, 0x00, 0x00]); // single segment, 4-byte size 2^30
    expect(() => decompress(Compression.ZSTD, frame, 16 * MiB)).toThrow("zstd records decompress past 16777216 bytes");
  });

  it("zstd: decodes concatenated frames, and refuses bytes after the last frame instead of dropping them", async () => {
    const [a, b] = [sample(70_000), sample(50_000, true)];
    const two = new Uint8Array([...(await compress(Compression.ZSTD, a)), ...(await compress(Compression.ZSTD, b))]);
    expect(same(decompress(Compression.ZSTD, two, MiB), new Uint8Array([...a, ...b]))).toBe(true);
    const packed = await compress(Compression.ZSTD, sample(1000));
    expect(() => decompress(Compression.ZSTD, new Uint8Array([...packed, 1, 2, 3, 4, 5]), MiB)).toThrow(/no zstd frame at byte/);
  });

  it("gzip: what java.util.zip reads", async () => {
    expect([...(await compress(Compression.GZIP, sample(1000))).subarray(0, 3)]).toEqual([0x1f, 0x8b, 8]);
  });

  it("refuses codes that are not Kafka's codecs", () => {
    expect(() => decompress(5, new Uint8Array(10), MiB)).toThrow(/codec 5 is not one of Kafka's/);
  });

  it("leaves uncompressed bytes as they are", async () => {
    const input = sample(100);
    expect(await compress(Compression.NONE, input)).toBe(input);
    expect(decompress(Compression.NONE, input, 10)).toBe(input);
  });
});

describe("record batches compressed by other implementations (zlib, libsnappy, liblz4, libzstd)", () => {
  it.each(Object.keys(fixture.batches) as (keyof typeof fixture.batches)[])("%s decodes to the records written", async (name) => {
    const { batch, header, section } = fixtureSection(name);
    expect(checkBatch(batch)).toBeNull();
    expect(compressionOf(header.attributes)).toBe(fixture.batches[name].codec);
    expect(section.length).toBe(fixture.records_section_bytes);
    expect(checkRecords(batch)).toEqual({ ok: true, maxTimestampMs: expect.any(Number), firstKeyless: fixture.records.findIndex((r) => r.key === null) });
    expect(readable(await decodeBatch(batch))).toEqual(fixture.records);
  });
});

describe("checkRecords, the deep check of a batch from outside", () => {
  const records = [{ key: null, value: new Uint8Array([1, 2]), headers: [], timestampMs: 5 }];
  const batchOf = (codec: Codec, section: Uint8Array, recordCount = 1) =>
    buildBatch({ recordsSection: section, recordCount, baseTimestampMs: 5, maxTimestampMs: 5, compression: codec });
  const corrupt = (problem: RegExp) => ({ ok: false, errorName: "CORRUPT_MESSAGE", problem: expect.stringMatching(problem) });

  it.each(CODECS)("passes a sound %s batch", async (_name, codec) => {
    expect(checkRecords(batchOf(codec, await compress(codec, encodeRecords(records, 5))))).toEqual({ ok: true, maxTimestampMs: 5, firstKeyless: 0 });
  });

  it.each(CODECS)("names a %s section that does not decompress", (name, codec) => {
    const bad = batchOf(codec, new Uint8Array([9, 9, 9, 9, 9, 9, 9, 9, 9, 9]));
    expect(checkBatch(bad)).toBeNull(); // the CRC is right: only the deep check can tell
    expect(checkRecords(bad)).toEqual(corrupt(new RegExp(`records section does not decode: .*${name}`)));
  });

  it.each(CODECS)("refuses a %s bomb", async (_name, codec) => {
    expect(checkRecords(batchOf(codec, await compress(codec, new Uint8Array(17 * MiB))))).toEqual(corrupt(/past 16777216 bytes/));
  });

  it("names a record count that does not match the records", async () => {
    expect(checkRecords(batchOf(Compression.ZSTD, await compress(Compression.ZSTD, encodeRecords(records, 5)), 2))).toEqual(corrupt(/does not decode: varint runs past the end/));
  });

  it.each(CODECS)("yields the max timestamp of the %s records, whatever the header says", async (_name, codec) => {
    const times = [7_000, 9_000, 8_000];
    const three = times.map((timestampMs) => ({ ...records[0]!, timestampMs }));
    const claimingNone = buildBatch({ recordsSection: await compress(codec, encodeRecords(three, 7_000)), recordCount: 3, baseTimestampMs: 7_000, maxTimestampMs: -1, compression: codec });
    expect(checkRecords(claimingNone)).toEqual({ ok: true, maxTimestampMs: 9_000, firstKeyless: 0 });
  });

  it("refuses a record timestamp outside [0, year 9999] as INVALID_TIMESTAMP", () => {
    for (const timestampMs of [-1, 253_402_300_800_000]) {
      const bad = buildBatch({ recordsSection: encodeRecords([{ ...records[0]!, timestampMs }], 0), recordCount: 1, baseTimestampMs: 0, maxTimestampMs: 0 });
      expect(checkRecords(bad)).toEqual({ ok: false, errorName: "INVALID_TIMESTAMP", problem: `record 0 has timestamp ${timestampMs}, outside [0, 253402300799999] (epoch ms, both inclusive)` });
    }
  });

  it("names offset deltas out of order", async () => {
    const section = encodeRecords([...records, ...records], 5);
    const second = encodeRecords(records, 5).length;
    section[second + 3] = 4; // the second record's offset delta: 2 (zigzag 4) instead of 1
    expect(checkRecords(batchOf(Compression.LZ4, await compress(Compression.LZ4, section), 2))).toEqual(corrupt(/record 1 has offset delta 2, expected 1/));
  });
});

import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { type Codec, compress } from "../../src/record/compression";
import { buildBatch, Compression, compressionOf, encodeRecords, readBatchHeader, type RecordInput } from "../../src/record/record-batch";
import { b64, call, createTopic, V3 } from "../helpers";

const utf8 = (s: string) => new TextEncoder().encode(s);

/** A batch of one record stamped now (older records would fall to retention at once), its section passed through `mangle`. */
async function oneRecordBatch(value: Uint8Array, codec: Codec, opts: { attributesCodec?: number; mangle?: (section: Uint8Array) => Uint8Array } = {}) {
  const now = Date.now();
  const section = await compress(codec, encodeRecords([{ key: null, value, headers: [], timestampMs: now }], now));
  const recordsSection = opts.mangle ? opts.mangle(section) : section;
  return buildBatch({ recordsSection, recordCount: 1, baseTimestampMs: now, maxTimestampMs: now, compression: opts.attributesCodec ?? codec });
}

/** The replica of partition 0 on broker 0: the leader of an RF-1 topic's partition 0. */
async function leader(topic: string) {
  const topicId = (await call("GET", `${V3}/topics/${topic}`)).body.topic_id as string;
  return { topicId, stub: env.PARTITIONS.get(env.PARTITIONS.idFromName(`${topicId}/0/0`)) };
}

/** The codec of every batch partition 0 holds, read from the leader's storage. */
async function storedCodecs(topic: string): Promise<number[]> {
  const { topicId, stub } = await leader(topic);
  const read = await stub.read({ topicId, offset: 0, maxBytes: 16 << 20, timeoutMs: 0 });
  if (!read.ok) throw new Error(read.message);
  return read.batches.map((b) => compressionOf(readBatchHeader(b).attributes));
}

const fetchAs = (topic: string, format: string, query = "") => call("GET", `${V3}/topics/${topic}/partitions/0/records?offset=0&format=${format}${query}`);

/** 300 JSON events with keys and headers: compressible, as real traffic is. */
const events = Array.from({ length: 300 }, (_, i) => ({
  key: `user-${i % 17}`,
  value: { id: i, type: ["click", "view", "buy"][i % 3], note: "é✓" },
  headers: i % 10 === 0 ? [{ name: "trace", value: b64(`t${i}`) }] : [],
}));

const CODECS = [
  ["gzip", Compression.GZIP],
  ["snappy", Compression.SNAPPY],
  ["lz4", Compression.LZ4],
  ["zstd", Compression.ZSTD],
] as const;

describe.each(CODECS)("a topic with compression.type=%s", (name, codec) => {
  const topic = `codec-${name}`;

  it("stores JSON produced over HTTP compressed with that codec and serves it back in every format", async () => {
    await createTopic(topic, 1, [{ name: "compression.type", value: name }], 1);
    const res = await call("POST", `/topics/${topic}`, { records: events });
    expect(res.status).toBe(200);
    expect(res.body.offsets.map((o: { offset: number }) => o.offset)).toEqual(events.map((_, i) => i));
    expect(await storedCodecs(topic)).toEqual([codec]);

    const json = await fetchAs(topic, "json");
    expect(json.status).toBe(200);
    expect(json.body.records.map((r: { key: unknown; value: unknown }) => [r.key, r.value])).toEqual(events.map((e) => [e.key, e.value]));
    expect(json.body.records[10].headers).toEqual([{ name: "trace", value: b64("t10") }]);
    expect(json.body.next_offset).toBe(300);

    const strings = await fetchAs(topic, "string", "&max_records=3");
    expect(strings.body.records.map((r: { value: string }) => JSON.parse(r.value))).toEqual(events.slice(0, 3).map((e) => e.value));

    const binary = await fetchAs(topic, "binary");
    const last = binary.body.records[299];
    expect(new TextDecoder().decode(Uint8Array.from(atob(last.value), (c) => c.charCodeAt(0)))).toBe(JSON.stringify(events[299]!.value));
    expect(atob(last.key)).toBe('"user-10"');
  });

  it("finds offsets by time inside compressed batches", async () => {
    const t = Date.now();
    await call("POST", `/topics/${topic}`, { records: [{ value: 1, timestamp: t + 1_000 }, { value: 2, timestamp: t + 2_000 }, { value: 3, timestamp: t + 3_000 }] });
    const at = await call("GET", `${V3}/topics/${topic}/partitions/0/offsets?timestamp=${t + 1_500}`);
    expect(at.body).toMatchObject({ offset: 301, timestamp: t + 2_000 });
  });

  it("stores a batch uncompressed when the codec would not make it smaller", async () => {
    const small = `${topic}-small`;
    await createTopic(small, 1, [{ name: "compression.type", value: name }], 1);
    await call("POST", `/topics/${small}`, { records: [{ value: "x" }] });
    expect(await storedCodecs(small)).toEqual([Compression.NONE]);
    expect((await fetchAs(small, "json")).body.records[0].value).toBe("x");
  });

  it("refuses to read a batch whose compressed records are corrupt, with 50001 naming its offset", async () => {
    const bad = `${topic}-corrupt`;
    await createTopic(bad, 1, [], 1);
    await call("POST", `/topics/${bad}`, { records: [{ value: "fine" }] });
    const { topicId, stub } = await leader(bad);
    const garbled = await oneRecordBatch(utf8("lost"), codec, { mangle: (section) => section.map((b, i) => (i > 8 && i % 3 === 0 ? b ^ 0x5a : b)) });
    const append = await stub.append({ topicId, leaderEpoch: 0, acks: 1, batches: [garbled] });
    expect(append).toMatchObject({ ok: true, baseOffset: 1 }); // the CRC is right: the partition stores what it is given
    const res = await fetchAs(bad, "json");
    expect(res.body).toMatchObject({ error_code: 50001, message: expect.stringMatching(/^corrupt record batch at offset 1: /) });
    const fromOne = await fetchAs(bad, "json", "&max_records=1");
    expect(fromOne.body.records.map((r: { value: string }) => r.value)).toEqual(["fine"]);
  });

  it("refuses to read a decompression bomb, with 50001 naming its offset", async () => {
    const bomb = `${topic}-bomb`;
    await createTopic(bomb, 1, [], 1);
    const huge: RecordInput = { key: null, value: new Uint8Array(17 << 20), headers: [], timestampMs: Date.now() };
    const section = await compress(codec, encodeRecords([huge], huge.timestampMs));
    expect(section.length).toBeLessThan(1 << 20);
    const { topicId, stub } = await leader(bomb);
    const batch = buildBatch({ recordsSection: section, recordCount: 1, baseTimestampMs: huge.timestampMs, maxTimestampMs: huge.timestampMs, compression: codec });
    expect(await stub.append({ topicId, leaderEpoch: 0, acks: 1, batches: [batch] })).toMatchObject({ ok: true, baseOffset: 0 });
    const res = await fetchAs(bomb, "binary");
    expect(res.body).toMatchObject({ error_code: 50001, message: `corrupt record batch at offset 0: ${name} records decompress past 16777216 bytes` });
    const byTime = await call("GET", `${V3}/topics/${bomb}/partitions/0/offsets?timestamp=0`);
    expect(byTime.body).toMatchObject({ error_code: 50001, message: expect.stringContaining("at offset 0") });
  });
});

describe("compression.type", () => {
  it("accepts each of Kafka's values, on create and on alter", async () => {
    await createTopic("codec-cfg", 1, [{ name: "compression.type", value: "zstd" }]);
    for (const value of ["producer", "uncompressed", "gzip", "snappy", "lz4", "zstd"]) {
      const res = await call("POST", `${V3}/topics/codec-cfg/configs:alter`, { data: [{ name: "compression.type", value }] });
      expect(res.status, value).toBe(204);
      expect((await call("GET", `${V3}/topics/codec-cfg/configs/compression.type`)).body.value).toBe(value);
    }
  });

  it("refuses anything else with a 400 naming the choices, changing nothing", async () => {
    await createTopic("codec-cfg-bad", 1, [{ name: "compression.type", value: "lz4" }]);
    for (const value of ["LZ4", "brotli", "none", ""]) {
      const res = await call("POST", `${V3}/topics/codec-cfg-bad/configs:alter`, { data: [{ name: "compression.type", value }] });
      expect(res.body, value).toEqual({ error_code: 400, error_name: "INVALID_CONFIG", message: `invalid value '${value}' for config 'compression.type': must be one of producer, uncompressed, gzip, snappy, lz4, zstd` });
    }
    expect((await call("GET", `${V3}/topics/codec-cfg-bad/configs/compression.type`)).body.value).toBe("lz4");
    const create = await call("POST", `${V3}/topics`, { topic_name: "codec-cfg-never", partitions_count: 1, configs: [{ name: "compression.type", value: "brotli" }] });
    expect(create.body.error_code).toBe(400);
    expect((await call("GET", `${V3}/topics/codec-cfg-never`)).body.error_code).toBe(40401);
  });

  it("leaves JSON batches uncompressed under producer and uncompressed", async () => {
    for (const value of ["producer", "uncompressed"]) {
      await createTopic(`codec-${value}`, 1, [{ name: "compression.type", value }], 1);
      await call("POST", `/topics/codec-${value}`, { records: events });
      expect(await storedCodecs(`codec-${value}`)).toEqual([Compression.NONE]);
    }
  });
});

describe("appending batches from outside", () => {
  it("refuses a batch whose codec is not Kafka's, appending nothing", async () => {
    await createTopic("codec-append", 1, [], 1);
    const { topicId, stub } = await leader("codec-append");
    const good = await oneRecordBatch(utf8("v"), Compression.NONE);
    const bad = await oneRecordBatch(utf8("v"), Compression.NONE, { attributesCodec: 6 });
    const res = await stub.append({ topicId, leaderEpoch: 0, acks: 1, batches: [good, bad] });
    expect(res).toMatchObject({ ok: false, error_code: 50001, message: "refused record batch: record batch compression 6 is not one of Kafka's codecs (0-4)" });
    expect((await fetchAs("codec-append", "string")).body).toMatchObject({ records: [], high_watermark: 0 });
  });

  it("stores a Kafka client's compressed batch untouched, byte for byte", async () => {
    await createTopic("codec-passthrough", 1, [{ name: "compression.type", value: "gzip" }], 1);
    const { topicId, stub } = await leader("codec-passthrough");
    const batch = await oneRecordBatch(utf8('"kept"'), Compression.LZ4);
    expect(await stub.append({ topicId, leaderEpoch: 0, acks: 1, batches: [batch.slice()] })).toMatchObject({ ok: true });
    const read = await stub.read({ topicId, offset: 0, maxBytes: 1 << 20, timeoutMs: 0 });
    if (!read.ok) throw new Error(read.message);
    expect([...read.batches[0]!.subarray(21)]).toEqual([...batch.subarray(21)]); // only base offset and leader epoch may change
    expect((await fetchAs("codec-passthrough", "json")).body.records[0].value).toBe("kept");
  });
});

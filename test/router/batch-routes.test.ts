import { runInDurableObject, SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import fixture from "../fixtures/kafkajs.json";
import { compress } from "../../src/record/compression";
import { buildBatch, checkBatch, Compression, encodeRecords, readBatchHeader, setBaseOffset, type RecordInput } from "../../src/record/record-batch";
import { call, createTopic, V3 } from "../helpers";
import { concatBytes } from "../../src/bytes/concat";
import { crc32c } from "../../src/record/crc32c";
import type { PartitionReplica } from "../../src/replication/partition-replica";
import { partition, replica } from "../replication/helpers";

const TYPE = "application/vnd.kafka.record-batch";
const hex = (s: string) => new Uint8Array(s.match(/../g)!.map((b) => parseInt(b, 16)));
const utf8 = (s: string) => new TextEncoder().encode(s);

/** A kafkajs-made batch as a producer sends it: base offset 0 (kafkajs wrote 42 and leader epoch 7 into the fixture). */
function kafkajsBatch(which: "uncompressed_hex" | "gzip_hex"): Uint8Array {
  const b = hex(fixture[which]);
  setBaseOffset(b, 0);
  return b;
}

function batchOf(values: string[], timestampMs = Date.now()): Uint8Array {
  const records: RecordInput[] = values.map((v) => ({ key: null, value: utf8(v), headers: [], timestampMs }));
  return buildBatch({ recordCount: records.length, baseTimestampMs: timestampMs, maxTimestampMs: timestampMs, recordsSection: encodeRecords(records, timestampMs) });
}

function join(...parts: Uint8Array[]): Uint8Array {
  return concatBytes(parts);
}

async function post(topic: string, body: Uint8Array, query = "", contentType = TYPE) {
  const res = await SELF.fetch(`http://runnel.test${V3}/topics/${topic}/partitions/0/batches${query}`, { method: "POST", headers: { "content-type": contentType }, body });
  return { status: res.status, body: (await res.json()) as any };
}

async function get(topic: string, query: string, accept = TYPE) {
  const res = await SELF.fetch(`http://runnel.test${V3}/topics/${topic}/partitions/0/batches?${query}`, { headers: { accept } });
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, bytes, headers: res.headers, json: () => JSON.parse(new TextDecoder().decode(bytes)) };
}

/** The bytes of a batch other than the fields the log sets: base offset (0–7) and partition leader epoch (12–15). */
function outsideLogFields(b: Uint8Array): Uint8Array {
  return join(b.subarray(8, 12), b.subarray(16));
}

describe("record batches over HTTP", () => {
  it("stores batches as they were sent: read back identical but for base offset and leader epoch", async () => {
    // The fixture's records are years old: keep them from retention (judged by record timestamps).
    await createTopic("rb-stored", 1, [{ name: "retention.ms", value: "-1" }]);
    const plain = kafkajsBatch("uncompressed_hex");
    const gzipped = kafkajsBatch("gzip_hex");
    const res = await post("rb-stored", join(plain, gzipped), "?acks=all");
    expect(res).toEqual({ status: 200, body: { base_offset: 0, last_offset: 5, log_append_time: -1, log_start_offset: 0 } });
    const got = await get("rb-stored", "offset=0");
    expect(got.status).toBe(200);
    expect(got.headers.get("content-type")).toBe(TYPE);
    expect([got.headers.get("runnel-high-watermark"), got.headers.get("runnel-log-start-offset"), got.headers.get("runnel-next-offset")]).toEqual(["6", "0", "6"]);
    expect(got.bytes.length).toBe(plain.length + gzipped.length);
    const first = got.bytes.subarray(0, plain.length);
    const second = got.bytes.subarray(plain.length);
    expect(outsideLogFields(first)).toEqual(outsideLogFields(plain));
    expect(outsideLogFields(second)).toEqual(outsideLogFields(gzipped));
    expect(readBatchHeader(first).baseOffset).toBe(0);
    expect(readBatchHeader(second).baseOffset).toBe(3);
    expect(checkBatch(first)).toBeNull();
    // The JSON path decodes the same records, gzip included.
    const json = await call("GET", `${V3}/topics/rb-stored/partitions/0/records?offset=0&format=string`);
    expect(json.body.records.map((r: any) => [r.offset, r.key, r.value])).toEqual(
      [...fixture.records, ...fixture.records].map((r, i) => [i, r.key, r.value]),
    );
  });

  it("refuses the whole body when its second batch has a bad CRC, storing nothing", async () => {
    await createTopic("rb-crc");
    const bad = batchOf(["b"]);
    bad[bad.length - 1]! ^= 0xff; // a record byte: covered by the CRC
    const res = await post("rb-crc", join(batchOf(["a"]), bad));
    expect(res.status).toBe(422);
    expect(res.body.error_code).toBe(42206);
    expect(res.body.message).toMatch(/^CORRUPT_MESSAGE: batch 1: record batch CRC-32C mismatch/);
    const offsets = await call("GET", `${V3}/topics/rb-crc/partitions/0/offsets`);
    expect(offsets.body).toMatchObject({ earliest_offset: 0, latest_offset: 0 });
  });

  it("refuses malformed bodies with 42206 CORRUPT_MESSAGE", async () => {
    await createTopic("rb-malformed");
    const good = batchOf(["x"]);
    const offsetSet = batchOf(["y"]);
    setBaseOffset(offsetSet, 5);
    const cases: [Uint8Array, RegExp][] = [
      [new Uint8Array(0), /no record batch/],
      [good.subarray(0, 40), /too few/],
      [join(good, good.subarray(0, good.length - 2)), /ends at byte/],
      [offsetSet, /base offset 5/],
    ];
    for (const [body, message] of cases) {
      const res = await post("rb-malformed", body);
      expect(res.status, String(message)).toBe(422);
      expect(res.body.message).toMatch(/^CORRUPT_MESSAGE: /);
      expect(res.body.message).toMatch(message);
    }
    // A producer id far beyond any the controller handed out.
    const withProducer = buildBatch({ recordCount: 1, baseTimestampMs: 1, maxTimestampMs: 1, producerId: 2 ** 40, producerEpoch: 0, baseSequence: 0, recordsSection: encodeRecords([{ key: null, value: utf8("z"), headers: [], timestampMs: 1 }], 1) });
    // A valid CRC over a records section that is not zstd at all: refused, since the records must decode.
    const fakeZstd = buildBatch({ recordCount: 1, baseTimestampMs: 1, maxTimestampMs: 1, compression: Compression.ZSTD, recordsSection: encodeRecords([{ key: null, value: utf8("z"), headers: [], timestampMs: 1 }], 1) });
    const notZstd = await post("rb-malformed", fakeZstd);
    expect(notZstd.body).toMatchObject({ error_code: 42206, message: expect.stringMatching(/^CORRUPT_MESSAGE: batch 0: records section does not decode/) });
    const refused = await post("rb-malformed", withProducer);
    expect(refused.body).toMatchObject({ error_code: 42206, message: expect.stringMatching(/^UNKNOWN_PRODUCER_ID: /) });
    expect((await call("GET", `${V3}/topics/rb-malformed/partitions/0/offsets`)).body.latest_offset).toBe(0);
  });

  it("stores batches of every codec as they came", async () => {
    await createTopic("rb-codecs");
    const nowMs = Date.now();
    const records = [{ key: utf8("k"), value: utf8("v".repeat(500)), headers: [], timestampMs: nowMs }];
    let next = 0;
    for (const codec of [Compression.GZIP, Compression.SNAPPY, Compression.LZ4, Compression.ZSTD]) {
      const section = await compress(codec, encodeRecords(records, nowMs));
      const sent = buildBatch({ recordCount: 1, baseTimestampMs: nowMs, maxTimestampMs: nowMs, compression: codec, recordsSection: section });
      const res = await post("rb-codecs", sent);
      expect(res.status, `codec ${codec}`).toBe(200);
      expect(res.body).toMatchObject({ base_offset: next, last_offset: next });
      const got = await get("rb-codecs", `offset=${next}`);
      expect(got.status, new TextDecoder().decode(got.bytes.subarray(0, 200))).toBe(200);
      expect(outsideLogFields(got.bytes)).toEqual(outsideLogFields(sent));
      next++;
    }
  });

  it("waits at the high watermark for new batches", async () => {
    await createTopic("rb-wait");
    await post("rb-wait", batchOf(["first"]));
    const atOnce = await get("rb-wait", "offset=1&timeout_ms=0");
    expect([atOnce.status, atOnce.bytes.length, atOnce.headers.get("runnel-next-offset")]).toEqual([200, 0, "1"]);
    const waiting = get("rb-wait", "offset=1&timeout_ms=10000");
    const sent = batchOf(["second"]);
    await post("rb-wait", sent);
    const got = await waiting;
    expect(got.status).toBe(200);
    expect(outsideLogFields(got.bytes)).toEqual(outsideLogFields(sent));
    expect(got.headers.get("runnel-next-offset")).toBe("2");
  });

  it("returns whole batches from the one holding the offset, up to max_bytes but at least one", async () => {
    await createTopic("rb-bytes");
    const batches = [batchOf(["a", "b", "c"]), batchOf(["d"]), batchOf(["e", "f"])];
    for (const b of batches) await post("rb-bytes", b);
    const mid = await get("rb-bytes", "offset=1&max_bytes=1");
    expect(outsideLogFields(mid.bytes)).toEqual(outsideLogFields(batches[0]!));
    expect(mid.headers.get("runnel-next-offset")).toBe("3");
    const two = await get("rb-bytes", `offset=3&max_bytes=${batches[1]!.length + batches[2]!.length}`);
    expect(two.bytes.length).toBe(batches[1]!.length + batches[2]!.length);
    expect(two.headers.get("runnel-next-offset")).toBe("6");
  });

  it("answers 41601 outside [log start, high watermark], 40401/40402 for unknown topics and partitions", async () => {
    await createTopic("rb-range");
    await post("rb-range", batchOf(["a"]));
    const past = await get("rb-range", "offset=2");
    expect([past.status, past.json().error_code]).toEqual([416, 41601]);
    const noTopic = await post("rb-none", batchOf(["a"]));
    expect(noTopic.body.error_code).toBe(40401);
    const res = await SELF.fetch(`http://runnel.test${V3}/topics/rb-range/partitions/3/batches?offset=0`, { headers: { accept: TYPE } });
    expect(((await res.json()) as any).error_code).toBe(40402);
  });

  it("answers 415 for another content type and 406 for an Accept it cannot meet", async () => {
    await createTopic("rb-types");
    const wrongType = await post("rb-types", batchOf(["a"]), "", "application/octet-stream");
    expect([wrongType.status, wrongType.body.error_code]).toEqual([415, 415]);
    const wrongAccept = await get("rb-types", "offset=0", "application/json");
    expect([wrongAccept.status, wrongAccept.json().error_code]).toEqual([406, 40601]);
    expect((await get("rb-types", "offset=0", "*/*")).status).toBe(200);
  });

  it("on a LogAppendTime topic stamps the append time and recomputes the CRC, as Kafka does", async () => {
    await createTopic("rb-append-time", 1, [{ name: "message.timestamp.type", value: "LogAppendTime" }]);
    const sent = batchOf(["a"], 1_000);
    const before = Date.now();
    const res = await post("rb-append-time", sent);
    expect(res.body.log_append_time).toBeGreaterThanOrEqual(before);
    const got = await get("rb-append-time", "offset=0");
    const h = readBatchHeader(got.bytes);
    expect(h.maxTimestampMs).toBe(res.body.log_append_time);
    expect(h.attributes & 0x08).toBe(0x08);
    expect(checkBatch(got.bytes)).toBeNull();
  });

  it("answers acks=0 at once and still appends", async () => {
    await createTopic("rb-acks0");
    const res = await post("rb-acks0", batchOf(["a"]), "?acks=0");
    expect(res.body).toEqual({ base_offset: -1, last_offset: -1, log_append_time: -1, log_start_offset: -1 });
    const got = await get("rb-acks0", "offset=0&timeout_ms=10000");
    expect(got.headers.get("runnel-next-offset")).toBe("1");
  });
});

/** A batch of `values` timestamped `timestampsMs`, whose header says `maxTimestampMs` (valid CRC): what Sarama writes when it is -1. */
function batchClaiming(maxTimestampMs: number, timestampsMs: number[], attributes = 0): Uint8Array {
  const records: RecordInput[] = timestampsMs.map((t, i) => ({ key: null, value: utf8(`v${i}`), headers: [], timestampMs: t }));
  const base = timestampsMs[0]!;
  const batch = buildBatch({ recordCount: records.length, baseTimestampMs: base, maxTimestampMs, recordsSection: encodeRecords(records, base) });
  if (attributes !== 0) {
    const view = new DataView(batch.buffer, batch.byteOffset, batch.byteLength);
    view.setInt16(21, view.getInt16(21) | attributes);
    view.setUint32(17, crc32c(batch, 21));
  }
  return batch;
}

/** The partition's log start offset and high watermark once retention has run on its leader now. */
async function afterRetention(topic: string): Promise<[number, number]> {
  const leader = (await partition(topic)).leader.broker_id as number;
  const { stub } = await replica(topic, 0, leader);
  return runInDurableObject(stub, (instance: PartitionReplica) => {
    const log = instance.state!.log;
    log.applyRetention(Date.now());
    return [log.logStartOffset, log.highWatermark] as [number, number];
  });
}

describe("the max timestamp of a batch, recomputed from its records as Kafka's broker does", () => {
  it("stores a batch whose header says -1 (as Sarama writes) with its records' max: kept by retention, found by time", async () => {
    await createTopic("rb-no-max", 1, [{ name: "retention.ms", value: "3600000" }]);
    const nowMs = Date.now();
    const times = [nowMs - 3_000, nowMs - 1_000, nowMs - 2_000];
    const res = await post("rb-no-max", batchClaiming(-1, times), "?acks=all");
    expect(res).toEqual({ status: 200, body: { base_offset: 0, last_offset: 2, log_append_time: -1, log_start_offset: 0 } });
    const stored = (await get("rb-no-max", "offset=0")).bytes;
    expect(readBatchHeader(stored).maxTimestampMs).toBe(nowMs - 1_000);
    expect(checkBatch(stored)).toBeNull(); // the CRC was recomputed with it
    expect(await afterRetention("rb-no-max")).toEqual([0, 3]);
    const at = (t: number) => call("GET", `${V3}/topics/rb-no-max/partitions/0/offsets?timestamp=${t}`);
    expect((await at(nowMs - 1_500)).body).toMatchObject({ offset: 1, timestamp: nowMs - 1_000 });
    expect((await at(nowMs - 3_000)).body).toMatchObject({ offset: 0, timestamp: nowMs - 3_000 });
  });

  it("rewrites a max timestamp too small (retention would delete the batch) or too large (lookups would stop at it)", async () => {
    await createTopic("rb-bogus-max", 1, [{ name: "retention.ms", value: "3600000" }]);
    const nowMs = Date.now();
    const tooSmall = batchClaiming(0, [nowMs - 5_000, nowMs - 4_000]);
    const tooLarge = batchClaiming(253_402_300_799_999, [nowMs - 3_000]);
    const honest = batchClaiming(nowMs - 1_000, [nowMs - 2_000, nowMs - 1_000]);
    expect((await post("rb-bogus-max", join(tooSmall, tooLarge, honest))).status).toBe(200);
    const stored = (await get("rb-bogus-max", "offset=0")).bytes;
    const maxes: number[] = [];
    for (let at = 0; at < stored.length; at += readBatchHeader(stored.subarray(at)).batchLength + 12) {
      const batch = stored.subarray(at, at + readBatchHeader(stored.subarray(at)).batchLength + 12);
      expect(checkBatch(batch)).toBeNull();
      maxes.push(readBatchHeader(batch).maxTimestampMs);
    }
    expect(maxes).toEqual([nowMs - 4_000, nowMs - 3_000, nowMs - 1_000]);
    expect(await afterRetention("rb-bogus-max")).toEqual([0, 5]);
    const found = await call("GET", `${V3}/topics/rb-bogus-max/partitions/0/offsets?timestamp=${nowMs - 1_500}`);
    expect(found.body).toMatchObject({ offset: 4, timestamp: nowMs - 1_000 });
  });

  it("leaves an honest batch byte for byte as it came", async () => {
    await createTopic("rb-honest-max");
    const nowMs = Date.now();
    const sent = batchClaiming(nowMs, [nowMs - 10, nowMs, nowMs - 5]);
    await post("rb-honest-max", sent);
    expect(outsideLogFields((await get("rb-honest-max", "offset=0")).bytes)).toEqual(outsideLogFields(sent));
  });
});

describe("what else a batch is checked for, as Kafka's LogValidator does (nothing stored when refused)", () => {
  const nowMs = Date.now();
  const refusals: [string, () => Uint8Array, RegExp][] = [
    ["a record timestamp of -1", () => batchClaiming(nowMs, [nowMs, -1]), /^INVALID_TIMESTAMP: batch 1: record 1 has timestamp -1, outside \[0, 253402300799999\]/],
    ["a record timestamp past the year 9999", () => batchClaiming(-1, [253_402_300_800_000]), /^INVALID_TIMESTAMP: batch 1: record 0 has timestamp 253402300800000/],
    ["the LogAppendTime bit, which only the log sets", () => batchClaiming(nowMs, [nowMs], 0x08), /^INVALID_TIMESTAMP: batch 1: .*LogAppendTime/],
    ["the transactional bit without a producer id", () => batchClaiming(nowMs, [nowMs], 0x10), /^INVALID_RECORD: batch 1: a transactional batch/],
    ["a control batch", () => batchClaiming(nowMs, [nowMs], 0x20), /^CORRUPT_MESSAGE: batch 1: a control batch/],
  ];

  it.each(refusals)("refuses %s with 42206", async (_what, make, message) => {
    const topic = `rb-refuse-${refusals.findIndex((r) => r[1] === make)}`;
    await createTopic(topic);
    const res = await post(topic, join(batchOf(["fine"]), make()));
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error_code: 42206, message: expect.stringMatching(message) });
    expect(res.body.message).toMatch(/nothing was stored$/);
    expect((await call("GET", `${V3}/topics/${topic}/partitions/0/offsets`)).body).toMatchObject({ earliest_offset: 0, latest_offset: 0 });
  });

  it("refuses a record count or last offset delta that does not match the records (CRC valid)", async () => {
    await createTopic("rb-count");
    const records: RecordInput[] = [{ key: null, value: utf8("only"), headers: [], timestampMs: nowMs }];
    const section = encodeRecords(records, nowMs);
    const moreCounted = buildBatch({ recordCount: 2, baseTimestampMs: nowMs, maxTimestampMs: nowMs, recordsSection: section });
    const fewerCounted = buildBatch({ recordCount: 1, baseTimestampMs: nowMs, maxTimestampMs: nowMs, recordsSection: join(section, section) });
    const deltaOff = batchClaiming(nowMs, [nowMs, nowMs]);
    new DataView(deltaOff.buffer).setInt32(23, 5);
    new DataView(deltaOff.buffer).setUint32(17, crc32c(deltaOff, 21));
    const cases: [Uint8Array, RegExp][] = [
      [moreCounted, /records section does not decode/],
      [fewerCounted, /stray bytes after its last record/],
      [deltaOff, /last offset delta does not match its record count/],
    ];
    for (const [body, message] of cases) {
      const res = await post("rb-count", body);
      expect(res.body).toMatchObject({ error_code: 42206, message: expect.stringMatching(/^CORRUPT_MESSAGE: batch 0: /) });
      expect(res.body.message).toMatch(message);
    }
    expect((await call("GET", `${V3}/topics/rb-count/partitions/0/offsets`)).body).toMatchObject({ latest_offset: 0 });
  });
});

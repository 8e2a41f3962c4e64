import { describe, expect, it } from "vitest";
import fixture from "../fixtures/kafkajs.json";
import { decompress } from "../../src/record/compression";
import {
  BATCH_HEADER_BYTES, buildBatch, checkBatch, Compression, compressionOf, decodeRecords, encodeRecords,
  readBatchHeader, recordSize, setBaseOffset, setLogAppendTime, setMaxTimestamp, setPartitionLeaderEpoch, type RecordInput,
} from "../../src/record/record-batch";

const hex = (s: string) => new Uint8Array(s.match(/../g)!.map((b) => parseInt(b, 16)));
const text = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b));
const ascii = (s: string) => new TextEncoder().encode(s);

function readable(records: ReturnType<typeof decodeRecords>) {
  return records.map((r) => ({
    offset: r.offset,
    timestampMs: r.timestampMs,
    key: text(r.key),
    value: text(r.value),
    headers: r.headers.map((h) => ({ name: h.name, value: text(h.value) })),
  }));
}

describe("a record batch made by kafkajs", () => {
  it("has the header kafkajs wrote, field by field", () => {
    const bytes = hex(fixture.uncompressed_hex);
    const h = readBatchHeader(bytes);
    expect(h).toMatchObject({
      baseOffset: 42, batchLength: bytes.length - 12, partitionLeaderEpoch: 7, magic: 2, attributes: 0,
      lastOffsetDelta: 2, baseTimestampMs: 1_700_000_000_000, maxTimestampMs: 1_700_001_234_567,
      producerId: -1, producerEpoch: 0, baseSequence: 0, recordCount: 3,
    });
    expect(checkBatch(bytes)).toBeNull();
  });

  it("decodes to its keys, values, headers, offsets and timestamps", () => {
    const bytes = hex(fixture.uncompressed_hex);
    const records = decodeRecords(readBatchHeader(bytes), bytes.subarray(BATCH_HEADER_BYTES));
    expect(readable(records)).toEqual(fixture.records);
  });

  it("decodes when gzip-compressed", () => {
    const bytes = hex(fixture.gzip_hex);
    expect(checkBatch(bytes)).toBeNull();
    const h = readBatchHeader(bytes);
    expect(compressionOf(h.attributes)).toBe(Compression.GZIP);
    const section = decompress(Compression.GZIP, bytes.subarray(BATCH_HEADER_BYTES), 1 << 20);
    expect(readable(decodeRecords(h, section))).toEqual(fixture.records);
  });

  it("is re-encoded by our encoder byte for byte", () => {
    const bytes = hex(fixture.uncompressed_hex);
    const inputs: RecordInput[] = fixture.records.map((r) => ({
      key: r.key === null ? null : ascii(r.key),
      value: r.value === null ? null : ascii(r.value),
      headers: r.headers.map((h) => ({ name: h.name, value: ascii(h.value) })),
      timestampMs: r.timestampMs,
    }));
    const ours = buildBatch({
      recordsSection: encodeRecords(inputs, 1_700_000_000_000), recordCount: 3,
      baseTimestampMs: 1_700_000_000_000, maxTimestampMs: 1_700_001_234_567,
      baseOffset: 42, partitionLeaderEpoch: 7, producerId: -1, producerEpoch: 0, baseSequence: 0,
    });
    expect([...ours]).toEqual([...bytes]);
  });
});

describe("our record batches", () => {
  const records: RecordInput[] = [
    { key: null, value: ascii("a"), headers: [], timestampMs: 1000 },
    { key: ascii("k"), value: null, headers: [{ name: "h", value: null }], timestampMs: 900 },
  ];
  const fields = () => ({ recordsSection: encodeRecords(records, 1000), recordCount: 2, baseTimestampMs: 1000, maxTimestampMs: 1000 });
  const batch = () => buildBatch(fields());

  it("keep their CRC when the base offset and leader epoch are set", () => {
    const b = batch();
    setBaseOffset(b, 2 ** 40 + 5);
    setPartitionLeaderEpoch(b, 3);
    expect(checkBatch(b)).toBeNull();
    const h = readBatchHeader(b);
    expect(h.baseOffset).toBe(2 ** 40 + 5);
    expect(decodeRecords(h, b.subarray(BATCH_HEADER_BYTES)).map((r) => r.offset)).toEqual([2 ** 40 + 5, 2 ** 40 + 6]);
  });

  it("carry negative timestamp deltas and null keys, values and header values", () => {
    const b = batch();
    const out = decodeRecords(readBatchHeader(b), b.subarray(BATCH_HEADER_BYTES));
    expect(out[1]).toMatchObject({ timestampMs: 900, value: null, headers: [{ name: "h", value: null }] });
    expect(out[0]!.key).toBeNull();
  });

  it("report every record at the log append time once it is set, with a fresh CRC", () => {
    const b = batch();
    setLogAppendTime(b, 5000);
    expect(checkBatch(b)).toBeNull();
    expect(decodeRecords(readBatchHeader(b), b.subarray(BATCH_HEADER_BYTES)).map((r) => r.timestampMs)).toEqual([5000, 5000]);
  });

  it("take a new max timestamp with a fresh CRC, and stay untouched when it is already theirs", () => {
    const b = buildBatch({ ...fields(), maxTimestampMs: -1 });
    expect(setMaxTimestamp(b, 1000)).toBe(true);
    expect(readBatchHeader(b).maxTimestampMs).toBe(1000);
    expect(checkBatch(b)).toBeNull();
    const same = batch();
    const before = [...same];
    expect(setMaxTimestamp(same, 1000)).toBe(false);
    expect([...same]).toEqual(before);
  });

  it("size a record exactly as it is encoded", () => {
    for (const r of records) expect(recordSize(r)).toBe(encodeRecords([{ ...r, timestampMs: 0 }], 0).length);
  });

  it("fail the check when a byte under the CRC changes, naming the mismatch", () => {
    const b = batch();
    b[b.length - 1]! ^= 1;
    expect(checkBatch(b)).toMatch(/CRC-32C mismatch/);
  });

  it("pass the check with each of Kafka's codec codes and fail it with 5 to 7", () => {
    for (const code of [0, 1, 2, 3, 4]) expect(checkBatch(buildBatch({ ...fields(), compression: code }))).toBeNull();
    for (const code of [5, 6, 7]) expect(checkBatch(buildBatch({ ...fields(), compression: code }))).toMatch(`compression ${code} is not one of Kafka's codecs`);
  });

  it("fail the check on a wrong magic, length or record count", () => {
    const wrongMagic = batch();
    wrongMagic[16] = 1;
    expect(checkBatch(wrongMagic)).toMatch(/magic/);
    expect(checkBatch(batch().subarray(0, 70))).toMatch(/length/);
    expect(checkBatch(new Uint8Array(10))).toMatch(/shorter/);
  });

  it("refuse to decode a records section with stray bytes", () => {
    const b = batch();
    const section = new Uint8Array([...b.subarray(BATCH_HEADER_BYTES), 0]);
    expect(() => decodeRecords(readBatchHeader(b), section)).toThrow(RangeError);
  });
});

// Writes test/fixtures/kafkajs.json: record batches and murmur2 hashes made
// by kafkajs, a real Kafka client, for the codec tests to decode. Run with
// `node scripts/make-fixtures.mjs`; the output is committed.
import { createRequire } from "node:module";
import { writeFileSync } from "node:fs";

const require = createRequire(import.meta.url);
const { RecordBatch } = require("kafkajs/src/protocol/recordBatch/v0/index.js");
const Record = require("kafkajs/src/protocol/recordBatch/record/v0/index.js");
const murmur2 = require("kafkajs/src/producer/partitioners/default/murmur2.js");
const { CompressionTypes } = require("kafkajs");

const baseTimestamp = 1_700_000_000_000;
const records = [
  { key: Buffer.from("user-1"), value: Buffer.from("hello"), headers: { trace: Buffer.from("abc") }, timestampDelta: 0 },
  { key: null, value: Buffer.from(JSON.stringify({ n: 2 })), headers: {}, timestampDelta: 5 },
  { key: Buffer.from("user-3"), value: null, headers: { a: Buffer.from("1"), b: Buffer.from("") }, timestampDelta: 1234567 },
];

async function batch(compression) {
  const encoded = await RecordBatch({
    compression,
    firstOffset: require("kafkajs/src/utils/long").fromInt(42),
    firstTimestamp: baseTimestamp,
    maxTimestamp: baseTimestamp + 1234567,
    partitionLeaderEpoch: 7,
    lastOffsetDelta: records.length - 1,
    records: records.map((r, i) => Record({ ...r, offsetDelta: i })),
  });
  return encoded.buffer.toString("hex");
}

const expected = records.map((r, i) => ({
  offset: 42 + i,
  timestampMs: baseTimestamp + r.timestampDelta,
  key: r.key === null ? null : r.key.toString("utf8"),
  value: r.value === null ? null : r.value.toString("utf8"),
  headers: Object.entries(r.headers).map(([name, value]) => ({ name, value: value.toString("utf8") })),
}));

const keys = ["21", "foobar", "a-little-bit-long-string", "a-little-bit-longer-string", "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", "abc", "", "user-42"];
const fixture = {
  made_by: "kafkajs 2.2.4 via scripts/make-fixtures.mjs",
  uncompressed_hex: await batch(CompressionTypes.None),
  gzip_hex: await batch(CompressionTypes.GZIP),
  records: expected,
  murmur2: keys.map((k) => ({ key: k, hash: murmur2(Buffer.from(k)) })),
};
writeFileSync(new URL("../test/fixtures/kafkajs.json", import.meta.url), JSON.stringify(fixture, null, 2) + "\n");
console.log("wrote test/fixtures/kafkajs.json");

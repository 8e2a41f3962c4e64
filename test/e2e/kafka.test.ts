
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CompressionTypes, Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { produce } from "../../src/gateway/apis/produce";
import { Reader } from "../../src/gateway/codec/reader";
import { Writer } from "../../src/gateway/codec/writer";
import { apiFor } from "../../src/gateway/apis/registry";
import { readElectLeadersResponse } from "../../src/gateway/codec/generated/elect-leaders-response";
import { writeElectLeadersRequest } from "../../src/gateway/codec/generated/elect-leaders-request";
import { crc32c } from "../../src/record/crc32c";
import { checkBatch, readBatchHeader } from "../../src/record/record-batch";
import { kafkajsRequest, ourDecode } from "../gateway/kafkajs";
import { KafkaSocket, rawRequest } from "./kafka-socket";
import { freePort, startServer, type RunningServer } from "./server";
import { hasKcat, kcatOut, runKcat } from "./kcat";
import { waitFor } from "./wait-for";

const CLUSTER = "runnel-local";
const dir = mkdtempSync(join(tmpdir(), "runnel-kafka-"));
let server: RunningServer;
let base: string;
let kafkaPort: number;
let kafka: Kafka;

beforeAll(async () => {
  kafkaPort = await freePort();
  server = await startServer(await freePort(), dir, kafkaPort);
  base = `${server.url}/v3/clusters/${CLUSTER}`;
  kafka = new Kafka({ clientId: "e2e", brokers: [`127.0.0.1:${kafkaPort}`], logLevel: logLevel.NOTHING, retry: { retries: 3 } });
});

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function http(method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text === "" ? null : JSON.parse(text) };
}

async function createTopic(name: string, partitions = 1) {
  const res = await http("POST", "/topics", { topic_name: name, partitions_count: partitions, configs: [{ name: "retention.ms", value: "-1" }] });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

/** Every record of a partition over Runnel's HTTP fetch, keys, values and header values base64. */
async function readHttp(topic: string, partition: number, from = 0): Promise<any[]> {
  const res = await http("GET", `/topics/${topic}/partitions/${partition}/records?offset=${from}&format=binary`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.records;
}

const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("kafkajs admin", () => {
  it("creates, lists, reads offsets of and deletes topics", async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await admin.createTopics({ topics: [{ topic: "kj-admin", numPartitions: 3 }], waitForLeaders: true })).toBe(true);
      expect(await admin.createTopics({ topics: [{ topic: "kj-admin", numPartitions: 3 }] })).toBe(false); // exists already
      expect(await admin.listTopics()).toContain("kj-admin");
      const offsets = await admin.fetchTopicOffsets("kj-admin");
      expect(offsets.sort((a, b) => a.partition - b.partition)).toEqual([0, 1, 2].map((partition) => ({ partition, offset: "0", high: "0", low: "0" })));
      await admin.deleteTopics({ topics: ["kj-admin"] });
      expect(await admin.listTopics()).not.toContain("kj-admin");
      expect((await http("GET", "/topics/kj-admin")).status).toBe(404);
    } finally {
      await admin.disconnect();
    }
  });
});

describe("kafkajs producer", () => {
  it("produces with acks 1, -1 and 0: keys, null keys, headers and timestamps read back over HTTP exactly", async () => {
    await createTopic("kj-produce", 2);
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      const sent = [
        { partition: 0, key: "user-1", value: "hello", headers: { trace: "t-1", empty: "" }, timestamp: "1700000000000" },
        { partition: 0, key: null, value: "no key", timestamp: "1700000000005" },
        { partition: 1, key: "user-2", value: "other partition", headers: { a: "1" }, timestamp: "1700000001234" },
      ];
      const first = await producer.send({ topic: "kj-produce", acks: 1, messages: sent });
      expect(first.map((r) => [r.partition, r.errorCode, r.baseOffset]).sort()).toEqual([[0, 0, "0"], [1, 0, "0"]]);
      const second = await producer.send({ topic: "kj-produce", acks: -1, messages: [{ partition: 0, key: "k", value: "all" }] });
      expect(second[0]).toMatchObject({ partition: 0, errorCode: 0, baseOffset: "2" });
      await producer.send({ topic: "kj-produce", acks: 0, messages: [{ partition: 0, key: "z", value: "fire and forget" }] });
      const records = await waitForRecords("kj-produce", 0, 4);
      expect(records.slice(0, 2)).toEqual([
        { topic: "kj-produce", partition: 0, offset: 0, timestamp: 1_700_000_000_000, key: b64("user-1"), value: b64("hello"), headers: [{ name: "trace", value: b64("t-1") }, { name: "empty", value: "" }] },
        { topic: "kj-produce", partition: 0, offset: 1, timestamp: 1_700_000_000_005, key: null, value: b64("no key"), headers: [] },
      ]);
      expect(records.slice(2).map((r) => [r.offset, Buffer.from(r.value, "base64").toString()])).toEqual([[2, "all"], [3, "fire and forget"]]);
      expect(await readHttp("kj-produce", 1)).toEqual([
        { topic: "kj-produce", partition: 1, offset: 0, timestamp: 1_700_000_001_234, key: b64("user-2"), value: b64("other partition"), headers: [{ name: "a", value: b64("1") }] },
      ]);
    } finally {
      await producer.disconnect();
    }
  });

  it("produces gzip batches that Runnel's HTTP fetch decodes", async () => {
    await createTopic("kj-gzip");
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      const messages = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: `compressible value ${i} `.repeat(20) }));
      await producer.send({ topic: "kj-gzip", compression: CompressionTypes.GZIP, messages });
      const records = await readHttp("kj-gzip", 0);
      expect(records.map((r) => [Buffer.from(r.key, "base64").toString(), Buffer.from(r.value, "base64").toString()])).toEqual(messages.map((m) => [m.key, m.value]));
    } finally {
      await producer.disconnect();
    }
  });
});

/**
 * A Produce v7 frame (acks=all) of one partition whose records field is
 * `batches`, as written; kafkajs makes a batch per partition itself.
 */
function produceFrame(topic: string, batches: Uint8Array[], correlationId: number): Buffer {
  const w = new Writer().int16(-1).int16(-1).int32(30_000); // no transactional id, acks=all, timeout
  w.int32(1).string(topic, false).int32(1).int32(0).bytes(Buffer.concat(batches), false);
  return rawRequest(0, 7, correlationId, w.toBytes());
}

/** The error code of the one partition of a Produce v7 response body (after its correlation id). */
function produceErrorCode(body: Buffer): number {
  const nameLength = body.readInt16BE(4);
  return body.readInt16BE(4 + 2 + nameLength + 4 + 4);
}

/** kafkajs's own record batch of `messages` (a real client's bytes), its header max timestamp overwritten with `maxTimestampMs` (CRC valid). */
async function kafkajsBatchClaiming(topic: string, maxTimestampMs: number, messages: { value: string; timestamp: string }[]): Promise<Buffer> {
  const frame = await kafkajsRequest("produce", 7, { acks: -1, timeout: 30000, topicData: [{ topic, partitions: [{ partition: 0, messages }] }] }, 1);
  const batch = Buffer.from(ourDecode(produce, frame).req.topicData[0]!.partitionData[0]!.records!);
  batch.writeBigInt64BE(BigInt(maxTimestampMs), 35);
  batch.writeUInt32BE(crc32c(batch, 21), 17);
  return batch;
}

describe("record batches through the front door, checked as Kafka's broker checks them", () => {
  it("stores a batch whose header max timestamp is -1 (as Sarama writes) with its records' max: acknowledged, kept by retention, found by time", async () => {
    // One segment per batch, and an hour of retention: the old batch's segment goes, the recent one must stay.
    const configs = [{ name: "retention.ms", value: "3600000" }, { name: "segment.bytes", value: "14" }];
    expect((await http("POST", "/topics", { topic_name: "fd-no-max", partitions_count: 1, configs })).status).toBe(201);
    const nowMs = Date.now();
    const old = await kafkajsBatchClaiming("fd-no-max", nowMs - 7_200_000, [{ value: "old", timestamp: String(nowMs - 7_200_000) }]);
    const times = [nowMs - 3_000, nowMs - 1_000, nowMs - 2_000];
    const sarama = await kafkajsBatchClaiming("fd-no-max", -1, times.map((t, i) => ({ value: `recent ${i}`, timestamp: String(t) })));
    const socket = await KafkaSocket.connect(kafkaPort);
    try {
      // Both in one append, so the retention pass that deletes the old segment judges the recent one too.
      socket.write(produceFrame("fd-no-max", [old, sarama], 41));
      expect(produceErrorCode((await socket.next()).body)).toBe(0);
    } finally {
      socket.close();
    }
    const stored = await fetch(`${base}/topics/fd-no-max/partitions/0/batches?offset=1`, { headers: { accept: "application/vnd.kafka.record-batch" } });
    expect(stored.status).toBe(200);
    const bytes = new Uint8Array(await stored.arrayBuffer());
    expect(readBatchHeader(bytes).maxTimestampMs).toBe(nowMs - 1_000);
    expect(checkBatch(bytes)).toBeNull();
    // Retention deletes the old segment, and only that one.
    const offsets = async () => (await http("GET", "/topics/fd-no-max/partitions/0/offsets")).body;
    await waitFor("retention to delete the old segment", async () => (await offsets()).earliest_offset > 0);
    expect(await offsets()).toMatchObject({ earliest_offset: 1, latest_offset: 4 });
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await admin.fetchTopicOffsetsByTimestamp("fd-no-max", nowMs - 1_500)).toEqual([{ partition: 0, offset: "2" }]);
    } finally {
      await admin.disconnect();
    }
  });

  it("refuses a batch with a record timestamp out of range as INVALID_TIMESTAMP, storing nothing", async () => {
    await createTopic("fd-bad-time");
    const bad = await kafkajsBatchClaiming("fd-bad-time", 253_402_300_800_000, [{ value: "far future", timestamp: "253402300800000" }]);
    const socket = await KafkaSocket.connect(kafkaPort);
    try {
      socket.write(produceFrame("fd-bad-time", [bad], 42));
      expect(produceErrorCode((await socket.next()).body)).toBe(32); // INVALID_TIMESTAMP
    } finally {
      socket.close();
    }
    expect((await http("GET", "/topics/fd-bad-time/partitions/0/offsets")).body).toMatchObject({ latest_offset: 0 });
  });
});

/** Reads a partition over HTTP until it holds `count` records (waiting at the high watermark, never sleeping). */
async function waitForRecords(topic: string, partition: number, count: number): Promise<any[]> {
  const records: any[] = [];
  const deadline = Date.now() + 20_000;
  while (records.length < count && Date.now() < deadline) {
    const res = await http("GET", `/topics/${topic}/partitions/${partition}/records?offset=${records.length}&format=binary&timeout_ms=5000`);
    records.push(...res.body.records);
  }
  return records;
}

describe("the Kafka port at the socket", () => {
  it("sends nothing back for acks=0, and stores what kafkajs's gzip batch holds byte for byte", async () => {
    await createTopic("raw-acks0");
    const topicData = [{ topic: "raw-acks0", partitions: [{ partition: 0, messages: Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: "gzip me ".repeat(30) })) }] }];
    const frame = await kafkajsRequest("produce", 7, { acks: 0, timeout: 30000, compression: CompressionTypes.GZIP, topicData }, 100);
    const sentBatch = Buffer.from(ourDecode(produce, frame).req.topicData[0]!.partitionData[0]!.records!);
    const socket = await KafkaSocket.connect(kafkaPort);
    try {
      socket.write(Buffer.concat([frame, rawRequest(18, 0, 101)]));
      expect((await socket.next()).correlationId).toBe(101);
      // The batch lands, and the bytes read back are the client's, but for base offset and leader epoch.
      const res = await fetch(`${base}/topics/raw-acks0/partitions/0/batches?offset=0&timeout_ms=10000`, { headers: { accept: "application/vnd.kafka.record-batch" } });
      const stored = Buffer.from(await res.arrayBuffer());
      expect(stored.readInt16BE(21) & 0x07).toBe(1); // gzip
      expect(Buffer.concat([stored.subarray(8, 12), stored.subarray(16)])).toEqual(Buffer.concat([sentBatch.subarray(8, 12), sentBatch.subarray(16)]));
      // Still nothing for correlation id 100: the next frame is the next request's.
      socket.write(rawRequest(18, 0, 102));
      expect((await socket.next()).correlationId).toBe(102);
      expect(socket.received.map((f) => f.correlationId)).toEqual([101, 102]);
    } finally {
      socket.close();
    }
  });

  it("answers a pipelined burst in request order, though a long-polling Fetch at its head finishes last", async () => {
    await createTopic("raw-burst");
    const fetchFrame = await kafkajsRequest("fetch", 11, { replicaId: -1, maxWaitTime: 1500, minBytes: 1, maxBytes: 1_000_000, topics: [{ topic: "raw-burst", partitions: [{ partition: 0, fetchOffset: "0", maxBytes: 1_000_000 }] }] }, 1);
    const burst = [fetchFrame];
    for (let id = 2; id <= 40; id++) burst.push(id % 2 === 0 ? rawRequest(18, 2, id) : await kafkajsRequest("metadata", 1, { topics: ["raw-burst"] }, id));
    const socket = await KafkaSocket.connect(kafkaPort);
    try {
      socket.write(Buffer.concat(burst));
      const ids: number[] = [];
      for (let i = 0; i < burst.length; i++) ids.push((await socket.next()).correlationId);
      expect(ids).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    } finally {
      socket.close();
    }
  });

  it("answers an API key Kafka does not define with its correlation id and UNSUPPORTED_VERSION, then closes", async () => {
    const socket = await KafkaSocket.connect(kafkaPort);
    socket.write(rawRequest(9999, 0, 55));
    const frame = await socket.next();
    expect([frame.correlationId, frame.body.readInt16BE(0)]).toEqual([55, 35]);
    await socket.closed();
  });

  it("answers an unsupported ApiVersions version with error 35 and the ranges (v0 layout), and stays open", async () => {
    const socket = await KafkaSocket.connect(kafkaPort);
    try {
      socket.write(rawRequest(18, 9, 77));
      const frame = await socket.next();
      const r = new Reader(frame.body);
      expect([frame.correlationId, r.int16()]).toEqual([77, 35]);
      const ranges = r.array(false, (r) => [r.int16(), r.int16(), r.int16()], 6);
      expect(ranges).toContainEqual([18, 0, 4]);
      expect(ranges).toContainEqual([0, 0, 12]);
      expect(r.remaining).toBe(0);
      socket.write(rawRequest(18, 0, 78));
      expect((await socket.next()).correlationId).toBe(78);
    } finally {
      socket.close();
    }
  });

  it("answers an API Kafka defines but the front door does not serve in that API's own layout (decodable), and stays open", async () => {
    const socket = await KafkaSocket.connect(kafkaPort);
    try {
      // ElectLeaders: Runnel elects leaders itself, so the front door does not serve it (v1: non-flexible, with a top-level error code).
      expect(apiFor(43)).toBeUndefined();
      const w = new Writer();
      writeElectLeadersRequest(w, 1, { electionType: 0, topicPartitions: [{ topic: "t", partitions: [0] }], timeoutMs: 1000 });
      socket.write(rawRequest(43, 1, 6, w.toBytes()));
      const frame = await socket.next();
      const r = new Reader(frame.body);
      expect(readElectLeadersResponse(r, 1)).toMatchObject({ throttleTimeMs: 0, errorCode: 35, replicaElectionResults: [] });
      expect([frame.correlationId, r.remaining]).toEqual([6, 0]);
      socket.write(rawRequest(18, 0, 7));
      expect((await socket.next()).correlationId).toBe(7);
    } finally {
      socket.close();
    }
  });

  it("answers a version Kafka does not define of another API with UNSUPPORTED_VERSION, then closes", async () => {
    const socket = await KafkaSocket.connect(kafkaPort);
    socket.write(rawRequest(3, 99, 5));
    const frame = await socket.next();
    expect([frame.correlationId, frame.body.readInt16BE(0)]).toEqual([5, 35]);
    await socket.closed();
  });

  it("closes a connection that sends hostile bytes, and only that one", async () => {
    const bystander = await KafkaSocket.connect(kafkaPort);
    const hostile = [
      Buffer.from([0x7f, 0xff, 0xff, 0xff]), // an absurd size
      Buffer.from([0xff, 0xff, 0xff, 0xfe]), // a negative size
      Buffer.from([0, 0, 0, 3, 0, 1, 2]), // a frame too short for a header
      rawRequest(3, 1, 9, Buffer.from([0, 0, 3, 0xe8])), // Metadata claiming 1000 topics with no bytes for them
    ];
    try {
      for (const bytes of hostile) {
        const socket = await KafkaSocket.connect(kafkaPort);
        socket.write(bytes);
        await socket.closed();
      }
      const truncated = await KafkaSocket.connect(kafkaPort);
      truncated.write(Buffer.from([0, 0, 0, 100, 0, 18])); // then the client goes away mid-frame
      truncated.close();
      bystander.write(rawRequest(18, 0, 1));
      expect((await bystander.next()).correlationId).toBe(1);
      expect(bystander.isClosed).toBe(false);
    } finally {
      bystander.close();
    }
  });
});

/** kcat against this file's front door: its stdout, rejecting on a non-zero exit. */
const kcat = (args: string[], input?: string) => kcatOut(kafkaPort, args, input);

describe.skipIf(!hasKcat)("kcat (librdkafka 2.0.2)", () => {
  it("lists metadata naming the front door as the one broker and every partition's leader", async () => {
    await createTopic("kc-meta", 3);
    const meta = JSON.parse(await kcat(["-L", "-J", "-t", "kc-meta"]));
    expect(meta.brokers).toEqual([{ id: 0, name: `127.0.0.1:${kafkaPort}` }]);
    expect(meta.controllerid).toBe(0);
    expect(meta.topics[0].topic).toBe("kc-meta");
    expect(meta.topics[0].partitions.map((p: any) => [p.partition, p.leader])).toEqual([[0, 0], [1, 0], [2, 0]]);
  });

  it("produces with acks=all, and consumes from the beginning what kafkajs, HTTP and kcat wrote", async () => {
    await createTopic("kc-round");
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    await producer.send({ topic: "kc-round", messages: [{ key: "from-kafkajs", value: "kj", headers: { h: "1" } }] });
    await producer.disconnect();
    const viaHttp = await http("POST", "/topics/kc-round/records", { key: { type: "STRING", data: "from-http" }, value: { type: "STRING", data: "web" }, headers: [{ name: "h", value: b64("2") }] });
    expect(viaHttp.body.offset).toBe(1);
    await kcat(["-P", "-t", "kc-round", "-p", "0", "-K", ":", "-H", "h=3", "-X", "acks=all"], "from-kcat:cat\n");
    const lines = (await kcat(["-C", "-t", "kc-round", "-p", "0", "-o", "beginning", "-e", "-J", "-q"])).trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((m) => [m.offset, m.key, m.payload, m.headers])).toEqual([
      [0, "from-kafkajs", "kj", ["h", "1"]],
      [1, "from-http", "web", ["h", "2"]],
      [2, "from-kcat", "cat", ["h", "3"]],
    ]);
    // And what kcat wrote reads back over HTTP the same.
    const records = await readHttp("kc-round", 0, 2);
    expect(records.map((r) => [r.key, r.value, r.headers])).toEqual([[b64("from-kcat"), b64("cat"), [{ name: "h", value: b64("3") }]]]);
  });

  it("consumes a compacted partition as Kafka serves one (each key's latest, offsets with gaps), and refuses a record without a key", async () => {
    const configs = [{ name: "cleanup.policy", value: "compact" }, { name: "segment.bytes", value: "100" }, { name: "min.cleanable.dirty.ratio", value: "0" }];
    expect((await http("POST", "/topics", { topic_name: "kc-compacted", partitions_count: 1, configs })).status).toBe(201);
    for (const line of ["a:1", "b:1", "a:2", "c:1"]) await kcat(["-P", "-t", "kc-compacted", "-p", "0", "-K", ":", "-X", "acks=all"], `${line}\n`);
    await waitFor("the cleaner's pass", async () => (await http("GET", "/topics/kc-compacted/partitions/0")).body.cleaner?.last_cleaned_offset === 3);
    const lines = (await kcat(["-C", "-t", "kc-compacted", "-p", "0", "-o", "beginning", "-e", "-J", "-q"])).trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((m) => [m.offset, m.key, m.payload])).toEqual([
      [1, "b", "1"],
      [2, "a", "2"],
      [3, "c", "1"],
    ]);
    const keyless = await runKcat(kafkaPort, ["-P", "-t", "kc-compacted", "-p", "0", "-X", "acks=all"], "no key\n");
    expect(keyless.err).toMatch(/Broker: Broker failed to validate record/); // librdkafka's words for INVALID_RECORD (87)
    expect((await http("GET", "/topics/kc-compacted/partitions/0")).body.high_watermark).toBe(4);
  });

  it("round-trips thousands of gzip-compressed records in order across many fetches", async () => {
    await createTopic("kc-volume", 2);
    const values = Array.from({ length: 3000 }, (_, i) => `${i}:${"payload ".repeat(40)}${i}`);
    await kcat(["-P", "-t", "kc-volume", "-p", "1", "-z", "gzip", "-X", "acks=all", "-X", "batch.num.messages=500"], `${values.join("\n")}\n`);
    // Stored as kcat sent it: gzip batches.
    const first = await fetch(`${base}/topics/kc-volume/partitions/1/batches?offset=0&max_bytes=1`, { headers: { accept: "application/vnd.kafka.record-batch" } });
    expect(Buffer.from(await first.arrayBuffer()).readInt16BE(21) & 0x07).toBe(1);
    const out = (await kcat(["-C", "-t", "kc-volume", "-p", "1", "-o", "beginning", "-e", "-q", "-X", "fetch.message.max.bytes=65536", "-f", "%o %s\\n"])).trim().split("\n");
    expect(out).toEqual(values.map((v, i) => `${i} ${v}`));
  });
});

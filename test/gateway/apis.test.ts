// Every served API version, both ways: kafkajs's encoder makes the
// request bytes a real client sends and our decoder must read them;
// our encoder writes the response and kafkajs's decoder must read it.
// Versions kafkajs does not speak get hand-written byte vectors.
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { apiVersions, versionNotServed } from "../../src/gateway/apis/api-versions";
import type { Context } from "../../src/gateway/apis/api";
import { createTopics } from "../../src/gateway/apis/create-topics";
import { deleteTopics } from "../../src/gateway/apis/delete-topics";
import { fetchApi } from "../../src/gateway/apis/fetch";
import { initProducerId } from "../../src/gateway/apis/init-producer-id";
import { listOffsets } from "../../src/gateway/apis/list-offsets";
import { metadata } from "../../src/gateway/apis/metadata";
import { produce } from "../../src/gateway/apis/produce";
import { SERVED } from "../../src/gateway/apis/registry";
import { checkBatch, decodeRecords, readBatchHeader } from "../../src/record/record-batch";
import { hex, kafkajsReads, kafkajsRequest, ourDecode, ourEncode, toHex } from "./kafkajs";

const require = createRequire(import.meta.url);
const range = (min: number, max: number) => Array.from({ length: max - min + 1 }, (_, i) => min + i);

describe("ApiVersions", () => {
  it.each(range(0, 2))("v%i: reads kafkajs's request and answers every served range", async (v) => {
    const { req, correlationId, clientId } = ourDecode(apiVersions, await kafkajsRequest("apiVersions", v, {}));
    expect([correlationId, clientId, req.clientSoftwareName]).toEqual([7, "kafkajs-test", ""]);
    const res = await apiVersions.handle(req, v, { served: SERVED } as Context);
    const decoded = await kafkajsReads(apiVersions, "apiVersions", v, res!);
    expect(decoded.errorCode).toBe(0);
    expect(decoded.apiVersions).toEqual(SERVED.map((a) => ({ apiKey: a.key, minVersion: a.minVersion, maxVersion: a.maxVersion })));
  });

  it("v0 and v3 byte vectors (v3: header v2 request, compact arrays, tagged fields)", () => {
    const apiKeys = [{ apiKey: 0, minVersion: 3, maxVersion: 7 }, { apiKey: 18, minVersion: 0, maxVersion: 3 }];
    expect(toHex(ourEncode(apiVersions, { errorCode: 0, apiKeys, throttleTimeMs: 0 }, 0))).toBe("0000" + "00000002" + "000000030007" + "001200000003");
    expect(toHex(ourEncode(apiVersions, { errorCode: 0, apiKeys, throttleTimeMs: 0 }, 3))).toBe("0000" + "03" + "00000003000700" + "00120000000300" + "00000000" + "00");
    // librdkafka 2.0.2's v3 request: client id "rdkafka", software "librdkafka" "2.0.2".
    const frame = hex("0000002a 0012 0003 00000001 0007 72646b61666b61 00 0b6c696272646b61666b61 06322e302e32 00");
    expect(ourDecode(apiVersions, frame).req).toMatchObject({ clientSoftwareName: "librdkafka", clientSoftwareVersion: "2.0.2" });
  });

  it("answers a version it does not speak in the v0 layout: UNSUPPORTED_VERSION and the ranges", () => {
    const body = versionNotServed([{ key: 18, minVersion: 0, maxVersion: 3 }]);
    expect(toHex(body)).toBe("0023" + "00000001" + "001200000003");
  });
});

describe("Metadata", () => {
  it.each(range(0, 6))("v%i: reads named and all-topics requests, and kafkajs reads the answer", async (v) => {
    const named = ourDecode(metadata, await kafkajsRequest("metadata", v, { topics: ["a", "b"], allowAutoTopicCreation: false }));
    expect(named.req).toMatchObject({ topics: [{ name: "a" }, { name: "b" }], allowAutoTopicCreation: v < 4 });
    const all = ourDecode(metadata, await kafkajsRequest("metadata", v, { topics: [], allowAutoTopicCreation: true }));
    // kafkajs sends "all topics" as an empty array at v0 and as a null array from v1.
    expect(all.req.topics).toEqual(v === 0 ? [] : null);
    const self = { nodeId: 5, host: "127.0.0.1", port: 9092 };
    const partition = (partitionIndex: number) => ({ partitionIndex, leaderId: 5, replicaNodes: [5], isrNodes: [5] });
    const topics = [{ errorCode: 0, name: "a", partitions: [partition(0), partition(1)] }, { errorCode: 3, name: "b" }];
    const res = { brokers: [self], clusterId: "runnel-local", controllerId: 5, topics };
    const d = await kafkajsReads(metadata, "metadata", v, res);
    expect(d.brokers).toEqual([expect.objectContaining({ nodeId: 5, host: "127.0.0.1", port: 9092 })]);
    if (v >= 1) expect(d.controllerId).toBe(5);
    if (v >= 2) expect(d.clusterId).toBe("runnel-local");
    expect(d.topicMetadata.map((t: any) => [t.topicErrorCode, t.topic, t.partitionMetadata.length])).toEqual([[0, "a", 2], [3, "b", 0]]);
    expect(d.topicMetadata[0].partitionMetadata[1]).toMatchObject({ partitionErrorCode: 0, partitionId: 1, leader: 5, replicas: [5], isr: [5] });
  });

  it("v1 byte vector: a null topic array is all topics", () => {
    const frame = hex("0000000e 0003 0001 00000009 0000 ffffffff");
    expect(ourDecode(metadata, frame).req).toMatchObject({ topics: null, allowAutoTopicCreation: true });
  });
});

describe("Produce", () => {
  it.each(range(3, 7))("v%i: reads kafkajs's record batches byte for byte, and kafkajs reads the answer", async (v) => {
    const messages = [{ key: "k", value: "v1", headers: { h: "x" }, timestamp: 1_700_000_000_000 }, { key: null, value: "v2", timestamp: 1_700_000_000_001 }];
    const frame = await kafkajsRequest("produce", v, { acks: -1, timeout: 30000, topicData: [{ topic: "t", partitions: [{ partition: 2, messages }] }] });
    const { req } = ourDecode(produce, frame);
    expect(req).toMatchObject({ transactionalId: null, acks: -1, timeoutMs: 30000 });
    const batch = req.topicData[0]!.partitionData[0]!.records!;
    expect(req.topicData[0]!.partitionData[0]!.index).toBe(2);
    expect(checkBatch(batch)).toBeNull();
    expect(readBatchHeader(batch)).toMatchObject({ baseOffset: 0, recordCount: 2, baseTimestampMs: 1_700_000_000_000, producerId: -1 });
    // The batch is the request's own bytes, not a copy.
    expect(batch.buffer).toBe(frame.buffer);
    const res = {
      responses: [{ name: "t", partitionResponses: [{ index: 2, errorCode: 0, baseOffset: 41, logAppendTimeMs: -1, logStartOffset: 12 }, { index: 3, errorCode: 19, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1 }] }],
    };
    const d = await kafkajsReads(produce, "produce", v, res);
    expect(d.topics[0].topicName).toBe("t");
    expect(d.topics[0].partitions.map((p: any) => [p.partition, p.errorCode, p.baseOffset])).toEqual([[2, 0, "41"], [3, 19, "-1"]]);
    if (v >= 5) expect(d.topics[0].partitions[0].logStartOffset).toBe("12");
  });

  it.each(range(0, 2))("v%i (legacy message sets): reads kafkajs's messages and appends them as one record batch", async (v) => {
    const messages = [{ key: "k", value: "v", timestamp: 1_700_000_000_000 }, { key: null, value: "w", timestamp: 1_700_000_000_001 }];
    const frame = await kafkajsRequest("produce", v, { acks: 1, timeout: 1000, topicData: [{ topic: "t", partitions: [{ partition: 0, messages }] }] });
    const { req } = ourDecode(produce, frame);
    expect(req).toMatchObject({ transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: "t", partitionData: [{ index: 0 }] }] });
    const appended: Uint8Array[] = [];
    const produceBatches = async (_t: string, _p: number, b: Uint8Array) => {
      appended.push(b);
      return { baseOffset: 10, lastOffset: 11, logAppendTimeMs: -1, logStartOffset: 0 };
    };
    const api = { produceBatches };
    const res = await produce.handle(req, v, { api, inOrder: (_k: string, work: () => Promise<unknown>) => work() } as never);
    expect(res!.responses![0]!.partitionResponses![0]).toMatchObject({ errorCode: 0, baseOffset: 10 });
    expect(appended).toHaveLength(1);
    expect(checkBatch(appended[0]!)).toBeNull();
    const header = readBatchHeader(appended[0]!);
    const records = decodeRecords(header, appended[0]!.subarray(61));
    expect(records.map((r) => [r.key === null ? null : Buffer.from(r.key).toString(), Buffer.from(r.value!).toString()])).toEqual([["k", "v"], [null, "w"]]);
    // v0-1 messages (magic 0) carry no time: the time of arrival; v2 (magic 1) their own.
    if (v === 2) expect(records.map((r) => r.timestampMs)).toEqual([1_700_000_000_000, 1_700_000_000_001]);
    const d = await kafkajsReads(produce, "produce", v, res!);
    expect(d.topics[0].partitions[0]).toMatchObject({ partition: 0, errorCode: 0, offset: "10" });
  });

  it("refuses a legacy message set that fails its CRC as CORRUPT_MESSAGE, appending nothing", async () => {
    const frame = await kafkajsRequest("produce", 2, { acks: 1, timeout: 1000, topicData: [{ topic: "t", partitions: [{ partition: 0, messages: [{ key: "k", value: "v" }] }] }] });
    const { req } = ourDecode(produce, frame);
    const records = Buffer.from(req.topicData[0]!.partitionData[0]!.records!);
    records[records.length - 1] ^= 0xff; // the value's last byte
    req.topicData[0]!.partitionData[0]!.records = records;
    const api = { produceBatches: async () => expect.unreachable("nothing is appended") };
    const res = await produce.handle(req, 2, { api, inOrder: (_k: string, work: () => Promise<unknown>) => work() } as never);
    expect(res!.responses![0]!.partitionResponses![0]).toMatchObject({ errorCode: 2 });
  });

  it("v7 response byte vector", () => {
    const res = { responses: [{ name: "t", partitionResponses: [{ index: 0, errorCode: 0, baseOffset: 5, logAppendTimeMs: -1, logStartOffset: 2 }] }] };
    expect(toHex(ourEncode(produce, res, 7))).toBe("00000001" + "000174" + "00000001" + "00000000" + "0000" + "0000000000000005" + "ffffffffffffffff" + "0000000000000002" + "00000000");
  });

  it("reads kafkajs's idempotent batch: producer id, epoch and base sequence as the client set them", async () => {
    const topicData = [{ topic: "t", partitions: [{ partition: 0, firstSequence: 5, messages: [{ value: "a" }, { value: "b" }] }] }];
    const frame = await kafkajsRequest("produce", 7, { acks: -1, timeout: 30000, producerId: 42, producerEpoch: 3, topicData });
    const batch = ourDecode(produce, frame).req.topicData[0]!.partitionData[0]!.records!;
    expect(readBatchHeader(batch)).toMatchObject({ producerId: 42, producerEpoch: 3, baseSequence: 5, recordCount: 2 });
  });
});

describe("InitProducerId", () => {
  it.each(range(0, 1))("v%i: reads kafkajs's request, and kafkajs reads the answer", async (v) => {
    const { req } = ourDecode(initProducerId, await kafkajsRequest("initProducerId", v, { transactionalId: null, transactionTimeout: 60000 }));
    expect(req).toMatchObject({ transactionalId: null, transactionTimeoutMs: 60000 });
    const d = await kafkajsReads(initProducerId, "initProducerId", v, { errorCode: 0, producerId: 2 ** 40 + 3, producerEpoch: 0 });
    expect(d).toMatchObject({ errorCode: 0, producerId: String(2 ** 40 + 3), producerEpoch: 0 });
  });

  it("v1 byte vectors, and a transactional id refused without asking the Worker", async () => {
    const frame = hex("00000018 0016 0001 00000004 0002 7478 0003 6b6964 0000ea60");
    expect(ourDecode(initProducerId, frame).req).toMatchObject({ transactionalId: "kid", transactionTimeoutMs: 60000 });
    expect(toHex(ourEncode(initProducerId, { errorCode: 0, producerId: 7, producerEpoch: 0 }, 1))).toBe("00000000" + "0000" + "0000000000000007" + "0000");
    const refused = await initProducerId.handle({ transactionalId: "kid", transactionTimeoutMs: 1, producerId: -1, producerEpoch: -1 }, 1, {} as never);
    expect(refused).toEqual({ errorCode: 53, producerId: -1, producerEpoch: -1 });
  });
});

describe("Fetch", () => {
  const batch = hex("0000000000000003 00000031 00000000 02 00000000 0000 00000000 " + "00".repeat(36));
  it.each(range(4, 11))("v%i: reads kafkajs's request, and kafkajs reads the answer", async (v) => {
    const args = { replicaId: -1, maxWaitTime: 5000, minBytes: 1, maxBytes: 10_485_760, isolationLevel: 1, topics: [{ topic: "t", partitions: [{ partition: 1, fetchOffset: "42", maxBytes: 1_048_576 }] }] };
    const { req } = ourDecode(fetchApi, await kafkajsRequest("fetch", v, args));
    expect(req).toMatchObject({ maxWaitMs: 5000, minBytes: 1, maxBytes: 10_485_760, isolationLevel: 1, topics: [{ topic: "t", partitions: [{ partition: 1, fetchOffset: 42, partitionMaxBytes: 1_048_576 }] }] });
    if (v >= 7) expect([req.sessionId, req.sessionEpoch]).toEqual([0, -1]);
    const res = { responses: [{ topic: "t", partitions: [{ partitionIndex: 1, errorCode: 0, highWatermark: 44, lastStableOffset: 44, logStartOffset: 3, abortedTransactions: [], records: new Uint8Array(0) }] }] };
    const d = await kafkajsReads(fetchApi, "fetch", v, res);
    expect(d.responses[0].topicName).toBe("t");
    expect(d.responses[0].partitions[0]).toMatchObject({ partition: 1, errorCode: 0, highWatermark: "44", lastStableOffset: "44", messages: [] });
    // kafkajs names the log start offset "lastStartOffset".
    if (v >= 5) expect(d.responses[0].partitions[0].lastStartOffset).toBe("3");
  });

  it("v11 response byte vector: records are the stored batch bytes", () => {
    const res = { responses: [{ topic: "t", partitions: [{ partitionIndex: 0, errorCode: 0, highWatermark: 4, lastStableOffset: 4, logStartOffset: 0, abortedTransactions: null, records: batch }] }] };
    const out = toHex(ourEncode(fetchApi, res, 11));
    const header = "00000000" + "0000" + "00000000" + "00000001" + "000174" + "00000001" + "00000000" + "0000";
    const positions = "0000000000000004" + "0000000000000004" + "0000000000000000" + "ffffffff" + "ffffffff";
    expect(out).toBe(header + positions + toHex(new Uint8Array([0, 0, 0, batch.length])) + toHex(batch));
  });
});

describe("ListOffsets", () => {
  it.each(range(1, 3))("v%i: reads kafkajs's request, and kafkajs reads the answer", async (v) => {
    const args = { topics: [{ topic: "t", partitions: [{ partition: 0, timestamp: -2 }, { partition: 1, timestamp: 1_700_000_000_000 }] }] };
    const { req } = ourDecode(listOffsets, await kafkajsRequest("listOffsets", v, args));
    expect(req.topics).toMatchObject([{ name: "t", partitions: [{ partitionIndex: 0, timestamp: -2 }, { partitionIndex: 1, timestamp: 1_700_000_000_000 }] }]);
    const res = { topics: [{ name: "t", partitions: [{ partitionIndex: 0, errorCode: 0, timestamp: -1, offset: 7 }, { partitionIndex: 1, errorCode: 1, timestamp: -1, offset: -1 }] }] };
    const d = await kafkajsReads(listOffsets, "listOffsets", v, res);
    expect(d.responses[0].partitions.map((p: any) => [p.partition, p.errorCode, p.offset])).toEqual([[0, 0, "7"], [1, 1, "-1"]]);
  });
});

describe("CreateTopics", () => {
  it.each(range(0, 3))("v%i: reads kafkajs's request, and kafkajs reads the answer", async (v) => {
    const args = { topics: [{ topic: "t", numPartitions: 3, replicationFactor: 1, configEntries: [{ name: "retention.ms", value: "1000" }] }], validateOnly: true, timeout: 5000 };
    const { req } = ourDecode(createTopics, await kafkajsRequest("createTopics", v, args));
    expect(req).toMatchObject({ topics: [{ name: "t", numPartitions: 3, replicationFactor: 1, assignments: [], configs: [{ name: "retention.ms", value: "1000" }] }], validateOnly: v >= 1 });
    const res = { topics: [{ name: "t", errorCode: 36, errorMessage: "topic 't' already exists" }] };
    const d = await kafkajsReads(createTopics, "createTopics", v, res);
    expect(d.topicErrors[0]).toMatchObject({ topic: "t", errorCode: 36 });
  });

  it("v4 byte vectors: -1 partitions and replication factor", () => {
    const frame = hex("00000026 0013 0004 00000001 ffff 00000001 0001 74 ffffffff ffff 00000000 00000000 00001388 00");
    expect(ourDecode(createTopics, frame).req).toMatchObject({ topics: [{ name: "t", numPartitions: -1, replicationFactor: -1, assignments: [], configs: [] }], validateOnly: false });
    expect(toHex(ourEncode(createTopics, { topics: [{ name: "t", errorCode: 0, errorMessage: null }] }, 4))).toBe("00000000" + "00000001" + "000174" + "0000" + "ffff");
  });
});

describe("DeleteTopics", () => {
  it.each(range(0, 1))("v%i: reads kafkajs's request, and kafkajs reads the answer", async (v) => {
    const { req } = ourDecode(deleteTopics, await kafkajsRequest("deleteTopics", v, { topics: ["a", "b"], timeout: 5000 }));
    expect(req).toMatchObject({ topicNames: ["a", "b"] });
    const d = await kafkajsReads(deleteTopics, "deleteTopics", v, { responses: [{ name: "a", errorCode: 0 }, { name: "b", errorCode: 3 }] });
    expect(d.topicErrors).toEqual([{ topic: "a", errorCode: 0 }, { topic: "b", errorCode: 3 }]);
  });

  it.each([2, 3])("v%i byte vectors (v1's layout)", (v) => {
    const frame = hex(`00000015 0014 000${v} 00000001 ffff 00000001 000161 00007530`);
    expect(ourDecode(deleteTopics, frame).req).toMatchObject({ topicNames: ["a"] });
    expect(toHex(ourEncode(deleteTopics, { responses: [{ name: "a", errorCode: 3 }] }, v))).toBe("00000000" + "00000001" + "000161" + "0003");
  });
});

it("advertises every version Kafka defines of every served API, from Kafka 0.9's to the newest, and the versions librdkafka 2.0.2's feature checks look for", () => {
  expect(SERVED).toEqual([
    { key: 0, minVersion: 0, maxVersion: 12 },
    { key: 1, minVersion: 0, maxVersion: 17 },
    { key: 2, minVersion: 0, maxVersion: 10 },
    { key: 3, minVersion: 0, maxVersion: 13 },
    { key: 8, minVersion: 0, maxVersion: 9 },
    { key: 9, minVersion: 0, maxVersion: 9 },
    { key: 10, minVersion: 0, maxVersion: 6 },
    { key: 11, minVersion: 0, maxVersion: 9 },
    { key: 12, minVersion: 0, maxVersion: 4 },
    { key: 13, minVersion: 0, maxVersion: 5 },
    { key: 14, minVersion: 0, maxVersion: 5 },
    { key: 15, minVersion: 0, maxVersion: 6 },
    { key: 16, minVersion: 0, maxVersion: 5 },
    { key: 17, minVersion: 0, maxVersion: 1 },
    { key: 18, minVersion: 0, maxVersion: 4 },
    { key: 19, minVersion: 0, maxVersion: 7 },
    { key: 20, minVersion: 0, maxVersion: 6 },
    { key: 21, minVersion: 0, maxVersion: 2 },
    { key: 22, minVersion: 0, maxVersion: 5 },
    { key: 23, minVersion: 0, maxVersion: 4 },
    { key: 29, minVersion: 0, maxVersion: 3 },
    { key: 30, minVersion: 0, maxVersion: 3 },
    { key: 31, minVersion: 0, maxVersion: 3 },
    { key: 32, minVersion: 0, maxVersion: 4 },
    { key: 33, minVersion: 0, maxVersion: 2 },
    { key: 35, minVersion: 0, maxVersion: 4 },
    { key: 36, minVersion: 0, maxVersion: 2 },
    { key: 37, minVersion: 0, maxVersion: 3 },
    { key: 42, minVersion: 0, maxVersion: 2 },
    { key: 44, minVersion: 0, maxVersion: 1 },
    { key: 47, minVersion: 0, maxVersion: 0 },
    { key: 60, minVersion: 0, maxVersion: 2 },
    { key: 61, minVersion: 0, maxVersion: 0 },
    { key: 68, minVersion: 0, maxVersion: 1 },
    { key: 69, minVersion: 0, maxVersion: 1 },
  ]);
  expect(require.resolve("kafkajs/package.json")).toContain("kafkajs");
});

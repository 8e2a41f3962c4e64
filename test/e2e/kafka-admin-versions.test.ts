// Every version of every admin API the front door serves, against the
// real server: each request written with the generated codec of that
// version (header v1 or v2 as the version has it), each response read
// back whole with the generated decoder — including the versions no
// tested client sends — and what it says checked against HTTP.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiFor } from "../../src/gateway/apis/registry";
import { type ApiMessages, apis } from "../../src/gateway/codec/generated";
import { buildBatch, encodeRecords } from "../../src/record/record-batch";
import { KafkaAsker } from "./kafka-ask";
import { freePort, type RunningServer, startServer } from "./server";

const CLUSTER = "runnel-local";
const dir = mkdtempSync(join(tmpdir(), "runnel-kafka-admin-versions-"));
let server: RunningServer;
let base: string;
let kafkaPort: number;
let asker: KafkaAsker;

beforeAll(async () => {
  kafkaPort = await freePort();
  server = await startServer(await freePort(), dir, kafkaPort);
  base = `${server.url}/v3/clusters/${CLUSTER}`;
  asker = await KafkaAsker.connect(kafkaPort);
});

afterAll(async () => {
  asker?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function http(method: string, path: string, body?: unknown, headers: Record<string, string> = { "content-type": "application/json" }) {
  const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : body instanceof Uint8Array ? Buffer.from(body) : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text === "" ? null : JSON.parse(text) };
}

async function createTopic(name: string, partitions = 1) {
  const res = await http("POST", "/topics", { topic_name: name, partitions_count: partitions });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

async function fill(topic: string, partition: number, count: number) {
  for (let i = 0; i < count; i++) expect((await http("POST", `/topics/${topic}/records`, { partition_id: partition, value: { type: "STRING", data: `v${i}` } })).status).toBe(200);
}

const ask: KafkaAsker["ask"] = (messages, version, fields) => asker.ask(messages, version, fields);

/** Every version the front door serves of `messages`' API. */
function served(messages: ApiMessages<unknown, unknown>): number[] {
  const api = apiFor(messages.key)!;
  return Array.from({ length: api.maxVersion - api.minVersion + 1 }, (_, i) => api.minVersion + i);
}

describe("every version of the admin APIs, through the generated codecs", () => {
  it("DescribeCluster: the front door as the one broker and controller; controllers asked for are MISMATCHED_ENDPOINT_TYPE", async () => {
    for (const v of served(apis.DescribeCluster)) {
      const res = await ask(apis.DescribeCluster, v, { endpointType: 1 });
      expect(res).toMatchObject({ errorCode: 0, clusterId: CLUSTER, controllerId: 0, brokers: [{ brokerId: 0, host: "127.0.0.1", port: kafkaPort, rack: null }] });
      if (v >= 1) expect((await ask(apis.DescribeCluster, v, { endpointType: 2 })).errorCode).toBe(114);
    }
  });

  it("DescribeConfigs: a topic's configs (synonyms when asked), the broker's, and the refusals", async () => {
    await createTopic("av-configs");
    expect((await http("POST", "/topics/av-configs/configs:alter", { data: [{ name: "retention.ms", value: "1000" }] })).status).toBe(204);
    for (const v of served(apis.DescribeConfigs)) {
      const res = await ask(apis.DescribeConfigs, v, {
        resources: [
          { resourceType: 2, resourceName: "av-configs", configurationKeys: ["retention.ms"] },
          { resourceType: 4, resourceName: "0", configurationKeys: ["broker.id"] },
          { resourceType: 2, resourceName: "av-missing", configurationKeys: null },
          { resourceType: 4, resourceName: "5", configurationKeys: null },
          { resourceType: 32, resourceName: "g", configurationKeys: null },
        ],
        includeSynonyms: true,
      });
      const [topic, broker, missing, other, group] = res.results;
      expect(topic!.configs).toEqual([expect.objectContaining({ name: "retention.ms", value: "1000", readOnly: false, isSensitive: false })]);
      if (v === 0) expect(topic!.configs[0]!.isDefault).toBe(false);
      if (v >= 1) expect(topic!.configs[0]).toMatchObject({ configSource: 1, synonyms: [{ name: "retention.ms", value: "1000", source: 1 }] });
      if (v >= 3) expect(topic!.configs[0]!.configType).toBe(5); // LONG
      expect(broker!.configs).toEqual([expect.objectContaining({ name: "broker.id", value: "0", readOnly: true })]);
      expect([missing!.errorCode, other!.errorCode, group!.errorCode]).toEqual([3, 42, 42]);
    }
  });

  it("AlterConfigs and IncrementalAlterConfigs: the topic's configs change (validate_only: checked only), broker configs are read-only", async () => {
    await createTopic("av-alter");
    for (const v of served(apis.AlterConfigs)) {
      const res = await ask(apis.AlterConfigs, v, { resources: [{ resourceType: 2, resourceName: "av-alter", configs: [{ name: "retention.ms", value: String(1000 + v) }] }, { resourceType: 4, resourceName: "0", configs: [{ name: "num.partitions", value: "3" }] }], validateOnly: false });
      expect(res.responses.map((r) => [r.resourceName, r.errorCode])).toEqual([["av-alter", 0], ["0", 40]]);
      expect((await http("GET", "/topics/av-alter/configs/retention.ms")).body.value).toBe(String(1000 + v));
    }
    for (const v of served(apis.IncrementalAlterConfigs)) {
      const set = { resourceType: 2, resourceName: "av-alter", configs: [{ name: "segment.ms", configOperation: 0, value: String(60_000 + v) }] };
      const before = (await http("GET", "/topics/av-alter/configs/segment.ms")).body.value;
      expect((await ask(apis.IncrementalAlterConfigs, v, { resources: [set], validateOnly: true })).responses[0]!.errorCode).toBe(0);
      expect((await http("GET", "/topics/av-alter/configs/segment.ms")).body.value).toBe(before);
      expect((await ask(apis.IncrementalAlterConfigs, v, { resources: [set], validateOnly: false })).responses[0]!.errorCode).toBe(0);
      expect((await http("GET", "/topics/av-alter/configs/segment.ms")).body.value).toBe(String(60_000 + v));
      const twice = { ...set, configs: [...set.configs, { name: "segment.ms", configOperation: 1, value: null }] };
      const bad = { ...set, configs: [{ name: "segment.ms", configOperation: 0, value: "soon" }] };
      const codes = (await ask(apis.IncrementalAlterConfigs, v, { resources: [twice, bad], validateOnly: false })).responses.map((r) => r.errorCode);
      expect(codes).toEqual([42, 40]);
    }
  });

  it("CreatePartitions: grows the topic (validate_only: checked only); the same count is INVALID_PARTITIONS, assignments INVALID_REPLICA_ASSIGNMENT", async () => {
    await createTopic("av-grow");
    let count = 1;
    for (const v of served(apis.CreatePartitions)) {
      const checked = await ask(apis.CreatePartitions, v, { topics: [{ name: "av-grow", count: count + 1, assignments: null }], timeoutMs: 5000, validateOnly: true });
      expect(checked.results).toEqual([expect.objectContaining({ name: "av-grow", errorCode: 0 })]);
      const res = await ask(apis.CreatePartitions, v, {
        topics: [{ name: "av-grow", count: ++count, assignments: null }, { name: "av-missing", count: 2, assignments: null }, { name: "av-grow-x", count: 2, assignments: [{ brokerIds: [0] }] }],
        timeoutMs: 5000,
        validateOnly: false,
      });
      expect(res.results.map((r) => [r.name, r.errorCode])).toEqual([["av-grow", 0], ["av-missing", 3], ["av-grow-x", 39]]);
      expect((await http("GET", "/topics/av-grow")).body.partitions_count).toBe(count);
      expect((await ask(apis.CreatePartitions, v, { topics: [{ name: "av-grow", count, assignments: null }], timeoutMs: 5000, validateOnly: false })).results[0]!.errorCode).toBe(37);
    }
  });

  it("DeleteRecords: moves the log start, answering it as the low watermark; past the high watermark is OFFSET_OUT_OF_RANGE", async () => {
    await createTopic("av-records");
    await fill("av-records", 0, 6);
    for (const v of served(apis.DeleteRecords)) {
      const res = await ask(apis.DeleteRecords, v, { topics: [{ name: "av-records", partitions: [{ partitionIndex: 0, offset: v + 1 }, { partitionIndex: 3, offset: 0 }] }], timeoutMs: 5000 });
      expect(res.topics[0]!.partitions).toEqual([expect.objectContaining({ partitionIndex: 0, lowWatermark: v + 1, errorCode: 0 }), expect.objectContaining({ partitionIndex: 3, lowWatermark: -1, errorCode: 3 })]);
    }
    const past = await ask(apis.DeleteRecords, 0, { topics: [{ name: "av-records", partitions: [{ partitionIndex: 0, offset: 7 }] }], timeoutMs: 5000 });
    expect(past.topics[0]!.partitions[0]!.errorCode).toBe(1);
    expect((await http("GET", "/topics/av-records/partitions/0/offsets")).body.earliest_offset).toBe(3);
  });

  it("DeleteGroups and OffsetDelete: a group's offsets of a topic go, then the group; unknown ones are GROUP_ID_NOT_FOUND", async () => {
    await createTopic("av-groups", 2);
    for (const v of served(apis.DeleteGroups)) {
      const group = `av-group-${v}`;
      const commit = { member_id: "", generation_id: -1, offsets: [0, 1].map((partition) => ({ topic: "av-groups", partition, offset: 1, metadata: null })) };
      expect((await http("POST", `/consumer-groups/${group}/kafka/commit`, commit)).status).toBe(200);
      for (const ov of served(apis.OffsetDelete)) {
        const res = await ask(apis.OffsetDelete, ov, { groupId: group, topics: [{ name: "av-groups", partitions: [{ partitionIndex: 1 }] }, { name: "av-nope", partitions: [{ partitionIndex: 0 }] }] });
        expect(res).toMatchObject({ errorCode: 0, topics: [{ name: "av-groups", partitions: [{ partitionIndex: 1, errorCode: 0 }] }, { name: "av-nope", partitions: [{ partitionIndex: 0, errorCode: 3 }] }] });
        expect((await ask(apis.OffsetDelete, ov, { groupId: "av-never", topics: [{ name: "av-groups", partitions: [{ partitionIndex: 0 }] }] })).errorCode).toBe(69);
      }
      const lags = (await http("GET", `/consumer-groups/${group}/lags`)).body.data;
      expect(lags.map((l: { partition_id: number; current_offset: number | null }) => [l.partition_id, l.current_offset])).toEqual([[0, 1], [1, null]]);
      const res = await ask(apis.DeleteGroups, v, { groupsNames: [group, "av-never", ""] });
      expect(res.results).toEqual([expect.objectContaining({ groupId: group, errorCode: 0 }), expect.objectContaining({ groupId: "av-never", errorCode: 69 }), expect.objectContaining({ groupId: "", errorCode: 24 })]);
      expect((await http("GET", `/consumer-groups/${group}`)).status).toBe(404);
    }
  });

  it("OffsetForLeaderEpoch: where the leader's epoch ends (the log end), −1/−1 for a newer epoch; unknown partitions refused", async () => {
    await createTopic("av-epochs");
    await fill("av-epochs", 0, 3);
    const epoch = (await http("GET", "/topics/av-epochs/partitions/0")).body.leader_epoch as number;
    for (const v of served(apis.OffsetForLeaderEpoch)) {
      const partitions = [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: epoch }, { partition: 0, currentLeaderEpoch: -1, leaderEpoch: epoch + 1 }, { partition: 4, currentLeaderEpoch: -1, leaderEpoch: 0 }];
      const res = await ask(apis.OffsetForLeaderEpoch, v, { replicaId: -1, topics: [{ topic: "av-epochs", partitions }] });
      const got = res.topics[0]!.partitions.map((p) => [p.errorCode, p.partition, p.endOffset, ...(v >= 1 ? [p.leaderEpoch] : [])]);
      expect(got).toEqual([[0, 0, 3, ...(v >= 1 ? [epoch] : [])], [0, 0, -1, ...(v >= 1 ? [-1] : [])], [3, 4, -1, ...(v >= 1 ? [-1] : [])]]);
      if (v >= 2) {
        const fenced = await ask(apis.OffsetForLeaderEpoch, v, { replicaId: -1, topics: [{ topic: "av-epochs", partitions: [{ partition: 0, currentLeaderEpoch: epoch + 1, leaderEpoch: epoch }] }] });
        expect(fenced.topics[0]!.partitions[0]!.errorCode).toBe(75); // UNKNOWN_LEADER_EPOCH
      }
    }
  });

  it("DescribeProducers: the idempotent producers a partition's leader remembers", async () => {
    await createTopic("av-producers");
    const producerId = (await http("POST", "/producer-ids", {})).body.producer_id as number;
    const timestampMs = Date.now();
    const value = new TextEncoder().encode("x");
    const batch = buildBatch({ recordCount: 1, baseTimestampMs: timestampMs, maxTimestampMs: timestampMs, producerId, producerEpoch: 0, baseSequence: 0, recordsSection: encodeRecords([{ key: null, value, headers: [], timestampMs }], timestampMs) });
    expect((await http("POST", "/topics/av-producers/partitions/0/batches", batch, { "content-type": "application/vnd.kafka.record-batch" })).status).toBe(200);
    for (const v of served(apis.DescribeProducers)) {
      const res = await ask(apis.DescribeProducers, v, { topics: [{ name: "av-producers", partitionIndexes: [0, 2] }] });
      expect(res.topics[0]!.partitions).toEqual([
        expect.objectContaining({ partitionIndex: 0, errorCode: 0, activeProducers: [expect.objectContaining({ producerId, producerEpoch: 0, lastSequence: 0, lastTimestamp: timestampMs, coordinatorEpoch: -1, currentTxnStartOffset: -1 })] }),
        expect.objectContaining({ partitionIndex: 2, errorCode: 3, activeProducers: [] }),
      ]);
    }
  });

  it("DescribeLogDirs: one log dir holding each partition asked, with its size", async () => {
    await createTopic("av-dirs", 2);
    await fill("av-dirs", 1, 2);
    for (const v of served(apis.DescribeLogDirs)) {
      const res = await ask(apis.DescribeLogDirs, v, { topics: [{ topic: "av-dirs", partitions: [1] }] });
      expect(res.results).toHaveLength(1);
      const [dir] = res.results;
      expect([dir!.errorCode, dir!.logDir]).toEqual([0, "/runnel"]);
      expect(dir!.topics).toEqual([expect.objectContaining({ name: "av-dirs", partitions: [expect.objectContaining({ partitionIndex: 1, offsetLag: 0, isFutureKey: false })] })]);
      expect(dir!.topics[0]!.partitions[0]!.partitionSize).toBeGreaterThan(0);
      const all = await ask(apis.DescribeLogDirs, v, { topics: null });
      expect(all.results[0]!.topics.find((t) => t.name === "av-dirs")!.partitions).toHaveLength(2);
    }
  });

  it("DescribeAcls, CreateAcls and DeleteAcls: SECURITY_DISABLED with authentication off", async () => {
    const filter = { resourceTypeFilter: 1, resourceNameFilter: null, patternTypeFilter: 1, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 };
    for (const v of served(apis.DescribeAcls)) {
      expect((await ask(apis.DescribeAcls, v, v === 0 ? { ...filter, patternTypeFilter: 3 } : filter)).errorCode).toBe(54);
      const creation = { resourceType: 2, resourceName: "t", resourcePatternType: 3, principal: "User:a", host: "*", operation: 3, permissionType: 3 };
      expect((await ask(apis.CreateAcls, v, { creations: [creation] })).results.map((r) => r.errorCode)).toEqual([54]);
      expect((await ask(apis.DeleteAcls, v, { filters: [v === 0 ? { ...filter, patternTypeFilter: 3 } : filter] })).filterResults.map((r) => r.errorCode)).toEqual([54]);
    }
  });
});

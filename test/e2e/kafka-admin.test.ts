// The admin APIs that Kafka tools send, through the front door with real
// clients: kafkajs (the versions before the flexible ones) and
// @platformatic/kafka (the newest, flexible ones), each through a recorder
// that shows which versions it picked. Each call changes what HTTP shows,
// and HTTP's changes show in Kafka's answers. Authentication is off here:
// the ACL APIs answer SECURITY_DISABLED, as a broker without an authorizer
// (kafka-admin-sasl.test.ts has them with authentication on).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AclOperations, AclPermissionTypes as PltPermissions, IncrementalAlterConfigOperationTypes as Op, Admin as PltAdmin, Consumer as PltConsumer, ConfigResourceTypes as PltConfigTypes,
  ResourcePatternTypes as PltPatterns, ResourceTypes, stringDeserializers,
} from "@platformatic/kafka";
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ConfigResourceTypes, Kafka, logLevel, ResourcePatternTypes } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningGateway, startGateway } from "../../src/gateway/gateway";
import { KafkaRecorder } from "./kafka-recorder";
import { freePort, type RunningServer, startServer } from "./server";
import { waitFor } from "./wait-for";

const CLUSTER = "runnel-local";
const dir = mkdtempSync(join(tmpdir(), "runnel-kafka-admin-"));
let server: RunningServer;
let base: string;
/** One front door per client, each behind its own recorder (which Metadata names as the broker). */
const doors: { gateway: RunningGateway; recorder: KafkaRecorder }[] = [];
let kafkajs: { recorder: KafkaRecorder; kafka: Kafka };
let plt: { recorder: KafkaRecorder; brokers: string[] };

async function door(): Promise<KafkaRecorder> {
  const recorderPort = await freePort();
  const gateway = await startGateway({ url: server.url, port: 0, advertisedHost: `127.0.0.1:${recorderPort}`, quiet: true });
  const recorder = await KafkaRecorder.start(gateway.port, recorderPort);
  doors.push({ gateway, recorder });
  return recorder;
}

beforeAll(async () => {
  server = await startServer(await freePort(), dir);
  base = `${server.url}/v3/clusters/${CLUSTER}`;
  const kjRecorder = await door();
  kafkajs = { recorder: kjRecorder, kafka: new Kafka({ clientId: "kj-admin", brokers: [`127.0.0.1:${kjRecorder.port}`], logLevel: logLevel.NOTHING, retry: { retries: 2 } }) };
  const pltRecorder = await door();
  plt = { recorder: pltRecorder, brokers: [`127.0.0.1:${pltRecorder.port}`] };
});

afterAll(async () => {
  for (const d of doors) {
    await d.recorder.stop();
    await d.gateway.stop();
  }
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function http(method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text === "" ? null : JSON.parse(text) };
}

async function createTopic(name: string, partitions = 1) {
  const res = await http("POST", "/topics", { topic_name: name, partitions_count: partitions });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

/** Produces `count` records to `partition` over HTTP. */
async function fill(topic: string, partition: number, count: number) {
  const records = Array.from({ length: count }, (_, i) => ({ partition_id: partition, value: { type: "STRING", data: `v${i}` } }));
  for (const r of records) expect((await http("POST", `/topics/${topic}/records`, r)).status).toBe(200);
}

/** The topic's configs over HTTP, by name. */
async function configs(topic: string): Promise<Record<string, string>> {
  const res = await http("GET", `/topics/${topic}/configs`);
  return Object.fromEntries(res.body.data.map((c: { name: string; value: string }) => [c.name, c.value]));
}

/** What a kafkajs call threw: its Kafka error type(s). */
async function kafkajsError(call: () => Promise<unknown>): Promise<any> {
  try {
    await call();
  } catch (e) {
    return e;
  }
  throw new Error("the call succeeded");
}

describe("kafkajs admin (v0–v2)", () => {
  it("describes and alters a topic's configs as HTTP shows them, and describes the broker's", async () => {
    await createTopic("kja-configs");
    const admin = kafkajs.kafka.admin();
    await admin.connect();
    try {
      const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: "kja-configs", configNames: ["retention.ms", "cleanup.policy"] }] });
      expect(described.resources[0]).toMatchObject({ errorCode: 0, resourceName: "kja-configs" });
      expect(described.resources[0]!.configEntries.map((c) => [c.configName, c.configValue, c.isDefault, c.readOnly])).toEqual([
        ["retention.ms", "604800000", true, false],
        ["cleanup.policy", "delete", true, false],
      ]);

      // AlterConfigs replaces the topic's configs: retention.ms set, segment.ms (set over HTTP before) back to its default.
      expect((await http("POST", "/topics/kja-configs/configs:alter", { data: [{ name: "segment.ms", value: "60000" }] })).status).toBe(204);
      await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: "kja-configs", configEntries: [{ name: "retention.ms", value: "3600000" }] }] });
      expect(await configs("kja-configs")).toMatchObject({ "retention.ms": "3600000", "segment.ms": "604800000" });
      const after = await admin.describeConfigs({ includeSynonyms: true, resources: [{ type: ConfigResourceTypes.TOPIC, name: "kja-configs", configNames: ["retention.ms"] }] });
      expect(after.resources[0]!.configEntries[0]).toMatchObject({ configValue: "3600000", isDefault: false, configSource: 1, configSynonyms: [{ configName: "retention.ms", configValue: "3600000", configSource: 1 }] });

      // Validation only: nothing changes. A bad value is INVALID_CONFIG, an unknown topic UNKNOWN_TOPIC_OR_PARTITION.
      await admin.alterConfigs({ validateOnly: true, resources: [{ type: ConfigResourceTypes.TOPIC, name: "kja-configs", configEntries: [{ name: "retention.ms", value: "1" }] }] });
      expect((await configs("kja-configs"))["retention.ms"]).toBe("3600000");
      const bad = await kafkajsError(() => admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: "kja-configs", configEntries: [{ name: "retention.ms", value: "soon" }] }] }));
      expect(bad.type).toBe("INVALID_CONFIG");
      const missing = await kafkajsError(() => admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: "kja-missing" }] }));
      expect(missing.type).toBe("UNKNOWN_TOPIC_OR_PARTITION");

      const broker = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.BROKER, name: "0" }] });
      const entries = new Map(broker.resources[0]!.configEntries.map((c) => [c.configName, c]));
      expect(entries.get("log.retention.ms")).toMatchObject({ configValue: "604800000", readOnly: true, isDefault: true });
      expect(entries.get("broker.id")).toMatchObject({ configValue: "0" });
      const readOnly = await kafkajsError(() => admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.BROKER, name: "0", configEntries: [{ name: "num.partitions", value: "3" }] }] }));
      expect(readOnly.type).toBe("INVALID_CONFIG");
    } finally {
      await admin.disconnect();
    }
  });

  it("adds partitions, and refuses the same count with INVALID_PARTITIONS", async () => {
    await createTopic("kja-grow", 2);
    const admin = kafkajs.kafka.admin();
    await admin.connect();
    try {
      await admin.createPartitions({ topicPartitions: [{ topic: "kja-grow", count: 5 }] });
      expect((await http("GET", "/topics/kja-grow")).body.partitions_count).toBe(5);
      const meta = await admin.fetchTopicMetadata({ topics: ["kja-grow"] });
      expect(meta.topics[0]!.partitions).toHaveLength(5);
      const same = await kafkajsError(() => admin.createPartitions({ topicPartitions: [{ topic: "kja-grow", count: 5 }] }));
      expect(same.type).toBe("INVALID_PARTITIONS");
    } finally {
      await admin.disconnect();
    }
  });

  it("deletes records before an offset (the log start moves), and refuses an offset past the high watermark", async () => {
    await createTopic("kja-records", 2);
    await fill("kja-records", 0, 5);
    const admin = kafkajs.kafka.admin();
    await admin.connect();
    try {
      await admin.fetchTopicMetadata({ topics: ["kja-records"] }); // kafkajs finds the leaders from metadata it already holds
      await admin.deleteTopicRecords({ topic: "kja-records", partitions: [{ partition: 0, offset: "3" }] });
      expect((await http("GET", "/topics/kja-records/partitions/0/offsets")).body).toMatchObject({ earliest_offset: 3, latest_offset: 5 });
      const offsets = await admin.fetchTopicOffsets("kja-records");
      expect(offsets.find((o) => o.partition === 0)).toMatchObject({ low: "3", high: "5" });
      const past = await kafkajsError(() => admin.deleteTopicRecords({ topic: "kja-records", partitions: [{ partition: 0, offset: "9" }] }));
      expect(past.cause.partitions.map((p: any) => [p.partition, p.error.type])).toEqual([[0, "OFFSET_OUT_OF_RANGE"]]); // kafkajs wraps the non-retriable error
    } finally {
      await admin.disconnect();
    }
  });

  it("deletes an empty group with its offsets, and refuses one with members (NON_EMPTY_GROUP) and an unknown one (GROUP_ID_NOT_FOUND)", async () => {
    await createTopic("kja-groups");
    const admin = kafkajs.kafka.admin();
    const consumer = kafkajs.kafka.consumer({ groupId: "kja-busy", retry: { retries: 2 } });
    await admin.connect();
    try {
      await admin.setOffsets({ groupId: "kja-idle", topic: "kja-groups", partitions: [{ partition: 0, offset: "0" }] });
      await consumer.connect();
      await consumer.subscribe({ topic: "kja-groups" });
      await consumer.run({ eachMessage: async () => {} });
      await waitFor("the busy group's member", async () => (await admin.describeGroups(["kja-busy"])).groups[0]!.members.length === 1);

      expect(await admin.deleteGroups(["kja-idle"])).toEqual([{ groupId: "kja-idle", errorCode: 0 }]);
      expect((await http("GET", "/consumer-groups/kja-idle")).status).toBe(404);
      const refused = await kafkajsError(() => admin.deleteGroups(["kja-busy", "kja-never"]));
      expect(refused.groups.map((g: any) => [g.groupId, g.error?.type])).toEqual([["kja-busy", "NON_EMPTY_GROUP"], ["kja-never", "GROUP_ID_NOT_FOUND"]]);
    } finally {
      await consumer.disconnect();
      await admin.disconnect();
    }
  });

  it("answers the ACL APIs SECURITY_DISABLED, as a broker without an authorizer", async () => {
    const admin = kafkajs.kafka.admin();
    await admin.connect();
    try {
      const acl = { resourceType: AclResourceTypes.TOPIC, resourceName: "t", resourcePatternType: ResourcePatternTypes.LITERAL, principal: "User:a", host: "*", operation: AclOperationTypes.READ, permissionType: AclPermissionTypes.ALLOW };
      expect((await kafkajsError(() => admin.describeAcls({ resourceType: AclResourceTypes.ANY, resourcePatternType: ResourcePatternTypes.ANY, operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY }))).type).toBe("SECURITY_DISABLED");
      expect((await kafkajsError(() => admin.createAcls({ acl: [acl] }))).type).toBe("SECURITY_DISABLED");
      expect((await kafkajsError(() => admin.deleteAcls({ filters: [acl] }))).type).toBe("SECURITY_DISABLED");
    } finally {
      await admin.disconnect();
    }
  });

  it("picked the versions before the flexible ones", () => {
    const used = kafkajs.recorder.versionsUsed();
    const picked = Object.fromEntries([32, 33, 37, 21, 42, 29, 30, 31].map((key) => [key, [...(used.get(key) ?? [])]]));
    expect(picked).toEqual({ 32: [2], 33: [1], 37: [1], 21: [1], 42: [1], 29: [1], 30: [1], 31: [1] });
  });
});

/** The Kafka error names inside what a @platformatic/kafka call threw (it nests them). */
async function pltErrors(call: () => Promise<unknown>): Promise<string[]> {
  try {
    await call();
  } catch (e) {
    const names: string[] = [];
    const walk = (x: any) => {
      if (typeof x?.apiId === "string") names.push(x.apiId);
      for (const inner of x?.errors ?? []) walk(inner);
    };
    walk(e);
    return names;
  }
  throw new Error("the call succeeded");
}

describe("@platformatic/kafka Admin (flexible versions)", () => {
  const admin = () => new PltAdmin({ clientId: "plt-admin", bootstrapBrokers: plt.brokers, retries: 1 });
  const { TOPIC, BROKER } = PltConfigTypes;

  it("describes configs, alters them whole and one by one (APPEND to a list config refused on others)", async () => {
    await createTopic("plta-configs");
    const a = admin();
    try {
      const [topic] = await a.describeConfigs({ resources: [{ resourceType: TOPIC, resourceName: "plta-configs", configurationKeys: ["retention.ms", "cleanup.policy"] }], includeSynonyms: true });
      expect(topic!.configs.map((c) => [c.name, c.value, c.configSource, c.configType])).toEqual([["retention.ms", "604800000", 5, 5], ["cleanup.policy", "delete", 5, 7]]);

      await a.incrementalAlterConfigs({ resources: [{ resourceType: TOPIC, resourceName: "plta-configs", configs: [{ name: "retention.ms", configOperation: Op.SET, value: "7200000" }, { name: "segment.ms", configOperation: Op.SET, value: "60000" }] }] });
      expect(await configs("plta-configs")).toMatchObject({ "retention.ms": "7200000", "segment.ms": "60000" });
      await a.incrementalAlterConfigs({ resources: [{ resourceType: TOPIC, resourceName: "plta-configs", configs: [{ name: "segment.ms", configOperation: Op.DELETE }] }] });
      expect(await configs("plta-configs")).toMatchObject({ "retention.ms": "7200000", "segment.ms": "604800000" });
      // APPEND of a value cleanup.policy already holds changes nothing; on a config that is no list it is INVALID_CONFIG.
      await a.incrementalAlterConfigs({ resources: [{ resourceType: TOPIC, resourceName: "plta-configs", configs: [{ name: "cleanup.policy", configOperation: Op.APPEND, value: "delete" }] }] });
      expect((await configs("plta-configs"))["cleanup.policy"]).toBe("delete");
      expect(await pltErrors(() => a.incrementalAlterConfigs({ resources: [{ resourceType: TOPIC, resourceName: "plta-configs", configs: [{ name: "retention.ms", configOperation: Op.APPEND, value: "1" }] }] }))).toEqual(["INVALID_CONFIG"]);
      expect(await pltErrors(() => a.incrementalAlterConfigs({ resources: [{ resourceType: TOPIC, resourceName: "plta-configs", configs: [{ name: "no.such.config", configOperation: Op.SET, value: "1" }] }] }))).toEqual(["INVALID_CONFIG"]);

      await a.alterConfigs({ resources: [{ resourceType: TOPIC, resourceName: "plta-configs", configs: [{ name: "max.message.bytes", value: "2000000" }] }] });
      expect(await configs("plta-configs")).toMatchObject({ "retention.ms": "604800000", "max.message.bytes": "2000000" });

      const [broker] = await a.describeConfigs({ resources: [{ resourceType: BROKER, resourceName: "0", configurationKeys: ["log.retention.ms", "auto.create.topics.enable"] }] });
      expect(broker!.configs.map((c) => [c.name, c.value, c.readOnly, c.configSource])).toEqual([["auto.create.topics.enable", "false", true, 5], ["log.retention.ms", "604800000", true, 5]]);
    } finally {
      await a.close();
    }
  });

  it("adds partitions, deletes records, and describes the log dir with each partition's size", async () => {
    await createTopic("plta-parts", 1);
    await fill("plta-parts", 0, 4);
    const a = admin();
    try {
      await a.createPartitions({ topics: [{ name: "plta-parts", count: 3 }] });
      expect((await http("GET", "/topics/plta-parts")).body.partitions_count).toBe(3);
      expect(await pltErrors(() => a.createPartitions({ topics: [{ name: "plta-parts", count: 2 }] }))).toEqual(["INVALID_PARTITIONS"]);

      const deleted = await a.deleteRecords({ topics: [{ name: "plta-parts", partitions: [{ partition: 0, offset: 2n }] }] });
      expect(deleted).toEqual([{ name: "plta-parts", partitions: [{ partition: 0, lowWatermark: 2n }] }]);

      const [dirs] = await a.describeLogDirs({ topics: [{ name: "plta-parts", partitions: [0, 1] }] });
      const [dir] = dirs!.results;
      expect(dir!.logDir).toBe("/runnel");
      const parts = dir!.topics.find((t: any) => t.name === "plta-parts")!.partitions;
      expect(parts.map((p: any) => p.partitionIndex).sort()).toEqual([0, 1]);
      expect(Number(parts.find((p: any) => p.partitionIndex === 0)!.partitionSize)).toBeGreaterThan(0);
      expect(Number(parts.find((p: any) => p.partitionIndex === 1)!.partitionSize)).toBe(0);
    } finally {
      await a.close();
    }
  });

  it("deletes a topic's committed offsets of a group (refused while a member subscribes to it) and then the group", async () => {
    await createTopic("plta-offsets");
    await fill("plta-offsets", 0, 3);
    const a = admin();
    const consumer = new PltConsumer({ groupId: "plta-group", clientId: "plta-consumer", bootstrapBrokers: plt.brokers, deserializers: stringDeserializers, autocommit: false });
    try {
      const stream = await consumer.consume({ topics: ["plta-offsets"], mode: "earliest" });
      let seen = 0;
      for await (const message of stream) {
        if (++seen === 3) {
          await message.commit();
          break;
        }
      }
      const subscribed = await pltErrors(() => a.deleteConsumerGroupOffsets({ groupId: "plta-group", topics: [{ name: "plta-offsets", partitionIndexes: [0] }] }));
      expect(subscribed).toEqual(["GROUP_SUBSCRIBED_TO_TOPIC"]);
      expect(await pltErrors(() => a.deleteGroups({ groups: ["plta-group"] }))).toEqual(["NON_EMPTY_GROUP"]);
      await stream.close();
      await consumer.close(true);

      await a.deleteConsumerGroupOffsets({ groupId: "plta-group", topics: [{ name: "plta-offsets", partitionIndexes: [0] }] });
      expect((await http("GET", "/consumer-groups/plta-group/lags")).body.data).toEqual([]);
      await a.deleteGroups({ groups: ["plta-group"] });
      expect((await http("GET", "/consumer-groups/plta-group")).status).toBe(404);
      expect(await pltErrors(() => a.deleteGroups({ groups: ["plta-group"] }))).toEqual(["GROUP_ID_NOT_FOUND"]);
    } finally {
      await consumer.close(true).catch(() => {});
      await a.close();
    }
  });

  it("answers the ACL APIs SECURITY_DISABLED", async () => {
    const a = admin();
    try {
      const filter = { resourceType: ResourceTypes.ANY, resourceName: null, resourcePatternType: PltPatterns.ANY, principal: null, host: null, operation: AclOperations.ANY, permissionType: PltPermissions.ANY };
      expect(await pltErrors(() => a.describeAcls({ filter }))).toEqual(["SECURITY_DISABLED"]);
      const acl = { resourceType: ResourceTypes.TOPIC, resourceName: "t", resourcePatternType: PltPatterns.LITERAL, principal: "User:a", host: "*", operation: AclOperations.READ, permissionType: PltPermissions.ALLOW };
      expect(await pltErrors(() => a.createAcls({ creations: [acl] }))).toEqual(["SECURITY_DISABLED"]);
      expect(await pltErrors(() => a.deleteAcls({ filters: [filter] }))).toEqual(["SECURITY_DISABLED"]);
    } finally {
      await a.close();
    }
  });

  it("picked the newest versions, the flexible ones", () => {
    const used = plt.recorder.versionsUsed();
    const picked = Object.fromEntries([32, 33, 44, 37, 21, 35, 47, 42, 29, 30, 31].map((key) => [key, [...(used.get(key) ?? [])]]));
    expect(picked).toEqual({ 32: [4], 33: [2], 44: [1], 37: [3], 21: [2], 35: [4], 47: [0], 42: [2], 29: [3], 30: [3], 31: [3] });
  });
});

// v3 admin: cluster, brokers, topics, partitions and configs, with the
// fields and `related` links of Confluent's OpenAPI spec (api/v3/openapi.yaml:
// ClusterData, BrokerData, TopicData, PartitionData, TopicConfigData,
// PartitionWithOffsetsData). Cases from Confluent's integration tests
// (integration/v3 ClustersResourceIntegrationTest, BrokersResourceIntegrationTest,
// TopicsResourceIntegrationTest, PartitionsResourceIntegrationTest,
// TopicConfigsResourceIntegrationTest, ListPartitionOffsetsActionIntegrationTest,
// JsonParsingErrorTest) and Strimzi (AdminClientIT testCreateEmptyTopic,
// testCreateTopic, testCreateTopicWithAllParameters).
import { describe, expect, it } from "vitest";
import { partitionForKey } from "../../src/produce/murmur2";
import { baseUrl, exchange, topic, useServer, V3 } from "./harness";

useServer();

describe("clusters (ClustersResourceIntegrationTest)", () => {
  it("lists its own cluster with every relationship ClusterData requires", async () => {
    const res = await exchange("GET", "/v3/clusters");
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ kind: "KafkaClusterList", metadata: { self: `${baseUrl()}/v3/clusters` } });
    const c = res.json.data[0];
    expect(c).toMatchObject({ kind: "KafkaCluster", cluster_id: "runnel-local", metadata: { self: `${baseUrl()}${V3}`, resource_name: "crn:///kafka=runnel-local" } });
    for (const rel of ["acls", "brokers", "broker_configs", "consumer_groups", "topics", "partition_reassignments"]) expect(c[rel].related).toMatch(/^http/);
  });

  it("another cluster id is a 404 (getCluster_differentCluster_returnsNotFound)", async () => {
    expect((await exchange("GET", "/v3/clusters/foobar")).status).toBe(404);
  });
});

describe("brokers (BrokersResourceIntegrationTest)", () => {
  it("lists the brokers with BrokerData's fields", async () => {
    const res = await exchange("GET", `${V3}/brokers`);
    expect(res.json.data.map((b: any) => b.broker_id)).toEqual([0, 1, 2]);
    expect(res.json.data[1]).toMatchObject({ kind: "KafkaBroker", cluster_id: "runnel-local", broker_id: 1, host: null, port: null, rack: null });
    expect(res.json.data[1].configs.related).toBe(`${baseUrl()}${V3}/brokers/1/configs`);
    expect(res.json.data[1].partition_replicas.related).toBe(`${baseUrl()}${V3}/brokers/1/partition-replicas`);
  });

  it("an unknown broker is a 404 (getBroker_nonExistingBroker_returnsNotFound)", async () => {
    expect((await exchange("GET", `${V3}/brokers/100`)).status).toBe(404);
  });
});

describe("topics (TopicsResourceIntegrationTest; Strimzi AdminClientIT)", () => {
  it("creates a topic: 201 with TopicData's fields (createTopic_nonExistingTopic_returnsCreatedTopic)", async () => {
    const res = await exchange("POST", `${V3}/topics`, { topic_name: "compat-adm-1", partitions_count: 2, replication_factor: 1, configs: [{ name: "cleanup.policy", value: "delete" }] });
    expect(res.status).toBe(201);
    const self = `${baseUrl()}${V3}/topics/compat-adm-1`;
    expect(res.json).toMatchObject({
      kind: "KafkaTopic",
      metadata: { self, resource_name: "crn:///kafka=runnel-local/topic=compat-adm-1" },
      cluster_id: "runnel-local",
      topic_name: "compat-adm-1",
      is_internal: false,
      replication_factor: 1,
      partitions_count: 2,
      partitions: { related: `${self}/partitions` },
      configs: { related: `${self}/configs` },
      partition_reassignments: { related: `${self}/partitions/-/reassignment` },
    });
  });

  it("creates with only a name (Strimzi testCreateTopic): one partition, replication factor 1", async () => {
    const res = await exchange("POST", `${V3}/topics`, { topic_name: "compat-adm-min" });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ partitions_count: 1, replication_factor: 1 });
  });

  it("validate_only answers 200 with the topic it would make and creates nothing (validateOnlyCreateTopic_nonExistingTopic_returnsNonCreatedTopic)", async () => {
    const res = await exchange("POST", `${V3}/topics`, { topic_name: "compat-adm-dry", partitions_count: 1, replication_factor: 1, validate_only: true });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ topic_name: "compat-adm-dry", partitions_count: 1, replication_factor: 1 });
    expect((await exchange("GET", `${V3}/topics/compat-adm-dry`)).status).toBe(404);
    expect((await exchange("GET", "/topics")).json).not.toContain("compat-adm-dry");
  });

  it("validate_only still refuses what a creation would (validateOnlyCreateTopic_existingTopic_returnsBadRequest)", async () => {
    const dup = await exchange("POST", `${V3}/topics`, { topic_name: "compat-adm-1", partitions_count: 1, validate_only: true });
    expect(dup.status).toBe(400);
    expect(dup.json.error_code).toBe(40002);
    const bad = await exchange("POST", `${V3}/topics`, { topic_name: "compat-adm-bad", partitions_count: 0, validate_only: true });
    expect(bad.status).toBe(400);
  });

  it("an existing topic is a 400 / 40002 (createTopic_existingTopic_returnsBadRequest)", async () => {
    const res = await exchange("POST", `${V3}/topics`, { topic_name: "compat-adm-1", partitions_count: 1 });
    expect(res.status).toBe(400);
    expect(res.json.error_code).toBe(40002);
  });

  it("no body is a 422 (createTopic_withoutRequestBody_returnsInvalidPayload)", async () => {
    const res = await exchange("POST", `${V3}/topics`, "", { "content-type": "application/json" });
    expect(res.status).toBe(422);
  });

  it("a body that is not JSON, or {} without a name, is a 400 (JsonParsingErrorTest; Strimzi testCreateEmptyTopic)", async () => {
    expect((await exchange("POST", `${V3}/topics`, "foobar", { "content-type": "application/json" })).status).toBe(400);
    const empty = await exchange("POST", `${V3}/topics`, {});
    expect(empty.status).toBe(400);
    expect(empty.json.message).toMatch(/topic_name/);
  });

  it("a field of the wrong type or an unknown field is a 400 that creates nothing", async () => {
    expect((await exchange("POST", `${V3}/topics`, { topic_name: "compat-adm-type", partitions_count: "2" })).status).toBe(400);
    expect((await exchange("POST", `${V3}/topics`, { topic_name: "compat-adm-type", partitions: 2 })).status).toBe(400);
    expect((await exchange("GET", `${V3}/topics/compat-adm-type`)).status).toBe(404);
  });

  it("an unknown topic is a 404 / 40401 (getTopic_nonExistingTopic_returnsNotFound)", async () => {
    const res = await exchange("GET", `${V3}/topics/compat-adm-none`);
    expect(res.status).toBe(404);
    expect(res.json.error_code).toBe(40401);
  });

  it("PATCH raises the partition count (updateTopicPartitions_IncreasePartitionsCount_returnsTopicWithIncreasedPartitions)", async () => {
    await topic("compat-adm-grow", 1);
    const res = await exchange("PATCH", `${V3}/topics/compat-adm-grow`, { partitions_count: 3 });
    expect(res.status).toBe(200);
    expect(res.json.partitions_count).toBe(3);
  });

  it("PATCH keeps every record where it is, and new keyed records go by murmur2 over the new count (Kafka's CreatePartitions)", async () => {
    await topic("compat-adm-keys", 2);
    const keys = Array.from({ length: 12 }, (_, i) => `key-${i}`);
    const before = await Promise.all(keys.map(async (k) => (await exchange("POST", `${V3}/topics/compat-adm-keys/records`, { key: { type: "STRING", data: k }, value: { type: "STRING", data: `old-${k}` } })).json));
    expect(before.map((r) => r.partition_id)).toEqual(keys.map((k) => partitionForKey(new TextEncoder().encode(k), 2)));
    expect((await exchange("PATCH", `${V3}/topics/compat-adm-keys`, { partitions_count: 5 })).json.partitions_count).toBe(5);
    for (const [i, r] of before.entries()) {
      const got = await exchange("GET", `${V3}/topics/compat-adm-keys/partitions/${r.partition_id}/records?offset=${r.offset}&max_records=1&format=string`);
      expect(got.json.records[0]).toMatchObject({ offset: r.offset, key: keys[i], value: `old-${keys[i]}` });
    }
    for (const p of [2, 3, 4]) expect((await exchange("GET", `${V3}/topics/compat-adm-keys/partitions/${p}`)).json).toMatchObject({ log_start_offset: 0, high_watermark: 0 });
    const after = await Promise.all(keys.map(async (k) => (await exchange("POST", `${V3}/topics/compat-adm-keys/records`, { key: { type: "STRING", data: k }, value: { type: "STRING", data: `new-${k}` } })).json.partition_id));
    expect(after).toEqual(keys.map((k) => partitionForKey(new TextEncoder().encode(k), 5)));
    expect(after.some((p, i) => p !== before[i].partition_id)).toBe(true); // some keys moved, as in Kafka
  });

  it("PATCH to the same count is a 400 that changes nothing (updateTopicPartitions_samePartitionsCount_returns40002)", async () => {
    const res = await exchange("PATCH", `${V3}/topics/compat-adm-grow`, { partitions_count: 3 });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error_code: 400, error_name: "INVALID_PARTITIONS" });
    expect((await exchange("GET", `${V3}/topics/compat-adm-grow`)).json.partitions_count).toBe(3);
  });

  it("PATCH to fewer partitions is a 400, to an unknown topic a 404 (updateTopicPartitions_decrease…, …_topicDoesntExist_returns404)", async () => {
    expect((await exchange("PATCH", `${V3}/topics/compat-adm-grow`, { partitions_count: 1 })).status).toBe(400);
    expect((await exchange("PATCH", `${V3}/topics/compat-adm-none`, { partitions_count: 1 })).status).toBe(404);
  });

  it("DELETE answers 204 with no body, then the topic is gone (deleteTopic_existingTopic_deletesTopic; createAndDelete_…)", async () => {
    await topic("compat-adm-del");
    const res = await exchange("DELETE", `${V3}/topics/compat-adm-del`);
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    expect((await exchange("GET", `${V3}/topics/compat-adm-del`)).status).toBe(404);
    expect((await exchange("DELETE", `${V3}/topics/compat-adm-del`)).status).toBe(404);
  });
});

describe("partitions (PartitionsResourceIntegrationTest; ListPartitionOffsetsActionIntegrationTest)", () => {
  it("a partition has PartitionData's fields and Runnel's offsets", async () => {
    await topic("compat-adm-part", 2);
    const res = await exchange("GET", `${V3}/topics/compat-adm-part/partitions/1`);
    const self = `${baseUrl()}${V3}/topics/compat-adm-part/partitions/1`;
    expect(res.json).toMatchObject({
      kind: "KafkaPartition",
      metadata: { self, resource_name: "crn:///kafka=runnel-local/topic=compat-adm-part/partition=1" },
      cluster_id: "runnel-local",
      topic_name: "compat-adm-part",
      partition_id: 1,
      leader: { broker_id: 1, related: `${self}/replicas/1` },
      reassignment: { related: `${self}/reassignment` },
      high_watermark: 0,
    });
  });

  it("an unknown partition or topic is a 404 (getPartition_nonExistingPartition_returnsNotFound, …Topic…)", async () => {
    expect((await exchange("GET", `${V3}/topics/compat-adm-part/partitions/100`)).json.error_code).toBe(40402);
    expect((await exchange("GET", `${V3}/topics/compat-adm-none/partitions/0`)).json.error_code).toBe(40401);
  });

  it("…/offset?offset_type=earliest_and_latest is KafkaPartitionWithOffsets, and the type is the default (listPartitionOffsets_*)", async () => {
    await exchange("POST", "/topics/compat-adm-part/partitions/0", { records: [{ value: 1 }, { value: 2 }] });
    const self = `${baseUrl()}${V3}/topics/compat-adm-part/partitions/0/offset`;
    const expected = {
      kind: "KafkaPartitionWithOffsets",
      metadata: { self, resource_name: "crn:///kafka=runnel-local/topic=compat-adm-part/partition=0/offset_type=earliest_and_latest" },
      cluster_id: "runnel-local",
      topic_name: "compat-adm-part",
      partition_id: 0,
      earliest_offset: 0,
      latest_offset: 2,
    };
    expect((await exchange("GET", `${V3}/topics/compat-adm-part/partitions/0/offset?offset_type=earliest_and_latest`)).json).toEqual(expected);
    expect((await exchange("GET", `${V3}/topics/compat-adm-part/partitions/0/offset`)).json).toEqual(expected);
  });

  it("…/offset of an unknown partition or topic is a 404, another offset_type a 400", async () => {
    expect((await exchange("GET", `${V3}/topics/compat-adm-part/partitions/100/offset?offset_type=earliest_and_latest`)).status).toBe(404);
    expect((await exchange("GET", `${V3}/topics/foobar/partitions/0/offset?offset_type=earliest_and_latest`)).status).toBe(404);
    expect((await exchange("GET", `${V3}/topics/compat-adm-part/partitions/0/offset?offset_type=earliest`)).status).toBe(400);
  });
});

describe("configs (TopicConfigsResourceIntegrationTest)", () => {
  it("a config has TopicConfigData's fields (getTopicConfig_existingConfig_returnsConfig)", async () => {
    await topic("compat-adm-cfg");
    const res = await exchange("GET", `${V3}/topics/compat-adm-cfg/configs/cleanup.policy`);
    expect(res.json).toMatchObject({ kind: "KafkaTopicConfig", topic_name: "compat-adm-cfg", name: "cleanup.policy", value: "delete", is_default: true, is_read_only: false, is_sensitive: false, source: "DEFAULT_CONFIG", synonyms: [] });
  });

  it("PUT sets one config and DELETE resets it (getUpdateReset_withExistingConfig)", async () => {
    const put = await exchange("PUT", `${V3}/topics/compat-adm-cfg/configs/retention.ms`, { value: "3600000" });
    expect(put.status).toBe(204);
    expect((await exchange("GET", `${V3}/topics/compat-adm-cfg/configs/retention.ms`)).json).toMatchObject({ value: "3600000", is_default: false, source: "DYNAMIC_TOPIC_CONFIG" });
    expect((await exchange("DELETE", `${V3}/topics/compat-adm-cfg/configs/retention.ms`)).status).toBe(204);
    expect((await exchange("GET", `${V3}/topics/compat-adm-cfg/configs/retention.ms`)).json).toMatchObject({ value: "604800000", is_default: true });
  });

  it("PUT or DELETE of an unknown config or topic is refused (updateTopicConfig_nonExisting*, resetTopicConfig_nonExisting*)", async () => {
    expect((await exchange("PUT", `${V3}/topics/compat-adm-cfg/configs/no.such.config`, { value: "1" })).status).toBeGreaterThanOrEqual(400);
    expect((await exchange("PUT", `${V3}/topics/compat-adm-none/configs/retention.ms`, { value: "1" })).status).toBe(404);
    expect((await exchange("DELETE", `${V3}/topics/compat-adm-none/configs/retention.ms`)).status).toBe(404);
  });

  it("configs:alter with validate_only changes nothing (alterMultipleTopicsConfigsBatch_validateOnly_returnsNoContentWithoutChangingConfig)", async () => {
    const res = await exchange("POST", `${V3}/topics/compat-adm-cfg/configs:alter`, { data: [{ name: "retention.ms", value: "1000" }], validate_only: true });
    expect(res.status).toBe(204);
    expect((await exchange("GET", `${V3}/topics/compat-adm-cfg/configs/retention.ms`)).json.is_default).toBe(true);
  });

  it("configs:alter with one bad config changes none (alterMultipleTopicsConfigsBatch_partialInvalidConfig_returns)", async () => {
    const res = await exchange("POST", `${V3}/topics/compat-adm-cfg/configs:alter`, { data: [{ name: "retention.ms", value: "1000" }, { name: "segment.bytes", value: "x" }] });
    expect(res.status).toBe(400);
    expect((await exchange("GET", `${V3}/topics/compat-adm-cfg/configs/retention.ms`)).json.is_default).toBe(true);
  });
});

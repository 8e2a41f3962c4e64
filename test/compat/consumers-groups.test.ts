// v3 consumer-group admin, with the shapes of Confluent's OpenAPI spec
// (ConsumerGroupData, ConsumerData, ConsumerAssignmentData, ConsumerLagData,
// ConsumerGroupLagSummaryData). Cases from Confluent's integration tests
// (integration/v3 ConsumerGroupsResourceIntegrationTest,
// ConsumersResourceIntegrationTest, ConsumerAssignmentsResourceIntegrationTest,
// ConsumerLagsResourceIntegrationTest, ConsumerGroupLagSummariesResourceIntegrationTest).
// The group is one HTTP consumer instance subscribed to a 2-partition topic;
// it commits offset 1 on partition 0 (stored as 2: API.md "Consumer instances").
import { beforeAll, describe, expect, it } from "vitest";
import { BINARY_V2, exchange, topic, useServer, V2_JSON, V3 } from "./harness";

useServer();
const T = "compat-cg";
const G = "compat-cg-group";
const GROUPS = `${V3}/consumer-groups`;
let consumerId = "";

beforeAll(async () => {
  await topic(T, 2);
  await exchange("POST", `/topics/${T}`, { records: [0, 1, 2, 3].map((i) => ({ value: i, partition: 0 })) });
  const created = await exchange("POST", `/consumers/${G}`, { name: "cg-member", format: "json", "auto.offset.reset": "earliest", "auto.commit.enable": "false" }, { "content-type": V2_JSON });
  consumerId = created.json.instance_id;
  const path = new URL(created.json.base_uri).pathname;
  await exchange("POST", `${path}/subscription`, { topics: [T] });
  for (let i = 0; i < 20; i++) {
    const a = await exchange("GET", `${path}/assignments`);
    if (a.json.partitions.length === 2) break;
    await exchange("GET", `${path}/records?timeout=100`, undefined, { accept: BINARY_V2 });
  }
  const commit = await exchange("POST", `${path}/offsets`, { offsets: [{ topic: T, partition: 0, offset: 1 }] });
  if (commit.status >= 300) throw new Error(`commit: ${commit.status} ${commit.text}`);
});

describe("consumer groups (ConsumerGroupsResourceIntegrationTest)", () => {
  it("a group with a live member is STABLE", async () => {
    const res = await exchange("GET", `${GROUPS}/${G}`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ kind: "KafkaConsumerGroup", cluster_id: "runnel-local", consumer_group_id: G, is_simple: false, state: "STABLE" });
    expect(res.json.lag_summary.related).toMatch(new RegExp(`/consumer-groups/${G}/lag-summary$`));
  });

  it("is listed (listConsumerGroups_returnsConsumerGroups)", async () => {
    const res = await exchange("GET", GROUPS);
    expect(res.json.data.map((g: any) => g.consumer_group_id)).toContain(G);
  });

  it("an unknown group is a 404 (getConsumerGroup_nonExistingConsumerGroup_returnsNotFound)", async () => {
    expect((await exchange("GET", `${GROUPS}/compat-cg-none`)).status).toBe(404);
  });
});

describe("consumers (ConsumersResourceIntegrationTest; ConsumerAssignmentsResourceIntegrationTest)", () => {
  it("lists the member with its client_id and assignments (listConsumers_returnsConsumers)", async () => {
    const res = await exchange("GET", `${GROUPS}/${G}/consumers`);
    expect(res.json.data).toHaveLength(1);
    expect(res.json.data[0]).toMatchObject({ kind: "KafkaConsumer", consumer_group_id: G, consumer_id: consumerId, client_id: expect.any(String) });
  });

  it("answers ConsumerData exactly: assignments is a related link (listConsumers_returnsConsumers expects Relationship.create(…/assignments))", async () => {
    const res = await exchange("GET", `${GROUPS}/${G}/consumers`);
    const self = `${new URL(res.json.metadata.self).origin}${GROUPS}/${G}/consumers/${consumerId}`;
    expect(res.json.data[0].assignments).toEqual({ related: `${self}/assignments` });
    expect(Object.keys(res.json.data[0]).sort()).toEqual(["assignments", "client_id", "cluster_id", "consumer_group_id", "consumer_id", "instance_id", "kind", "metadata"]);
    expect((await exchange("GET", `${GROUPS}/${G}/consumers/${consumerId}`)).json.assignments).toEqual({ related: `${self}/assignments` });
  });

  it("one consumer by id (getConsumer_returnsConsumer), an unknown one is a 404", async () => {
    const res = await exchange("GET", `${GROUPS}/${G}/consumers/${consumerId}`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ kind: "KafkaConsumer", consumer_id: consumerId });
    expect((await exchange("GET", `${GROUPS}/${G}/consumers/nobody`)).status).toBe(404);
  });

  it("its assignments (listConsumerAssignments_returnsConsumerAssignments)", async () => {
    const res = await exchange("GET", `${GROUPS}/${G}/consumers/${consumerId}/assignments`);
    expect(res.status).toBe(200);
    expect(res.json.data.map((a: any) => [a.topic_name, a.partition_id]).sort()).toEqual([[T, 0], [T, 1]]);
    expect(res.json.data[0]).toMatchObject({ kind: "KafkaConsumerAssignment", consumer_group_id: G, consumer_id: consumerId });
  });
});

describe("lags (ConsumerLagsResourceIntegrationTest; ConsumerGroupLagSummariesResourceIntegrationTest)", () => {
  it("one row per partition with client_id; lag = high watermark − committed offset (listConsumerLags_returnsConsumerLags)", async () => {
    const res = await exchange("GET", `${GROUPS}/${G}/lags`);
    const p0 = res.json.data.find((r: any) => r.partition_id === 0);
    expect(p0).toMatchObject({ kind: "KafkaConsumerLag", topic_name: T, current_offset: 2, log_end_offset: 4, lag: 2, consumer_id: consumerId, client_id: expect.any(String) });
  });

  it("one partition's lag (getConsumerLag_returnsConsumerLag); a partition without offsets is a 404", async () => {
    const res = await exchange("GET", `${GROUPS}/${G}/lags/${T}/partitions/0`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ kind: "KafkaConsumerLag", topic_name: T, partition_id: 0, current_offset: 2, lag: 2 });
    expect((await exchange("GET", `${GROUPS}/${G}/lags/${T}/partitions/9`)).status).toBe(404);
  });

  it("the lag summary (getConsumerGroupLagSummary_returnsConsumerGroupLagSummary)", async () => {
    const res = await exchange("GET", `${GROUPS}/${G}/lag-summary`);
    expect(res.json).toMatchObject({ kind: "KafkaConsumerGroupLagSummary", consumer_group_id: G, max_lag: 2, total_lag: 2, max_lag_topic_name: T, max_lag_partition_id: 0 });
  });
});

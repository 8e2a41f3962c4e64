// v2 metadata: topics, partitions, their offsets, brokers. Sources:
// Confluent's v2 reference (docs/api.rst "Topics", "Partitions", "Brokers")
// and its resources/v2 PartitionsResource (`…/offsets`); Karapace
// (test_rest.py test_topics, test_list_topics, test_brokers,
// test_partitions); Strimzi (AdminClientIT testGetTopic, testListingPartitions,
// testGetPartition, testGetOffsetSummary*); Redpanda (pandaproxy_test
// test_get_brokers, test_list_topics).
import { beforeAll, describe, expect, it } from "vitest";
import { exchange, JSON_V2, topic, useServer, V2_JSON, V3 } from "./harness";

useServer();
const T = "compat-meta";

beforeAll(async () => {
  await topic(T, 2, [{ name: "cleanup.policy", value: "delete" }]);
  await topic("compat-meta-other");
  const res = await exchange("POST", `/topics/${T}/partitions/0`, { records: [1, 2, 3, 4, 5].map((value) => ({ value })) });
  if (res.status !== 200) throw new Error(`produce: ${res.text}`);
});

describe("GET /topics (api.rst; Karapace test_list_topics; pandaproxy test_list_topics)", () => {
  it("is a bare array of names", async () => {
    const res = await exchange("GET", "/topics", undefined, { accept: V2_JSON });
    expect(res.status).toBe(200);
    expect(Array.isArray(res.json)).toBe(true);
    expect(res.json).toEqual(expect.arrayContaining([T, "compat-meta-other"]));
  });
});

describe("GET /topics/{t} (api.rst; Karapace test_topics; Strimzi testGetTopic)", () => {
  it("has name, a configs map and partitions with replicas", async () => {
    const res = await exchange("GET", `/topics/${T}`);
    expect(res.status).toBe(200);
    expect(res.json.name).toBe(T);
    expect(res.json.configs["cleanup.policy"]).toBe("delete");
    expect(res.json.partitions).toEqual([
      { partition: 0, leader: 0, replicas: [{ broker: 0, leader: true, in_sync: true }] },
      { partition: 1, leader: 1, replicas: [{ broker: 1, leader: true, in_sync: true }] },
    ]);
  });

  it("an unknown topic is a 404 / 40401 (Confluent; Karapace expects 40403 here, Confluent wins)", async () => {
    const res = await exchange("GET", "/topics/compat-meta-missing");
    expect(res.status).toBe(404);
    expect(res.json.error_code).toBe(40401);
  });
});

describe("GET /topics/{t}/partitions[/{p}] (api.rst; Karapace test_partitions; Strimzi testListingPartitions, testGetPartition)", () => {
  it("lists every partition as a bare array", async () => {
    const res = await exchange("GET", `/topics/${T}/partitions`);
    expect(res.status).toBe(200);
    expect(res.json.map((p: any) => [p.partition, p.leader])).toEqual([[0, 0], [1, 1]]);
  });

  it("one partition equals its entry in the list (Karapace: partition_data == partition)", async () => {
    const all = await exchange("GET", `/topics/${T}/partitions`);
    const one = await exchange("GET", `/topics/${T}/partitions/0`);
    expect(one.json).toEqual(all.json[0]);
  });

  it("an unknown topic's partitions are a 40401", async () => {
    expect((await exchange("GET", "/topics/compat-meta-missing/partitions")).json.error_code).toBe(40401);
    expect((await exchange("GET", "/topics/compat-meta-missing/partitions/0")).json.error_code).toBe(40401);
  });

  it("a partition the topic lacks is a 404 / 40402 (Confluent)", async () => {
    const past = await exchange("GET", `/topics/${T}/partitions/10`);
    expect(past.status).toBe(404);
    expect(past.json.error_code).toBe(40402);
  });

  it("a negative partition is a 400 (Strimzi AdminClientIT testGetNegativePartition, testGetOffsetSummaryNegativePartition; ProducerIT sendSimpleMessageToNegativePartition)", async () => {
    for (const [method, path] of [["GET", `/topics/${T}/partitions/-1`], ["GET", `/topics/${T}/partitions/-1/offsets`], ["GET", `/topics/${T}/partitions/-1/records?offset=0`]]) {
      const res = await exchange(method!, path!);
      expect([res.status, res.json.error_code], path).toEqual([400, 400]);
    }
    const produce = await exchange("POST", `/topics/${T}/partitions/-1`, { records: [{ value: "x" }] }, { "content-type": JSON_V2 });
    expect([produce.status, produce.json.error_code]).toEqual([400, 400]);
    expect((await exchange("GET", `${V3}/topics/${T}/partitions/-1`)).json.error_code).toBe(40402); // v3 stays Confluent's 40402
  });
});

describe("GET /topics/{t}/partitions/{p}/offsets (Confluent PartitionsResource.getOffsets; Karapace test_partitions; Strimzi testGetOffsetSummary)", () => {
  it("is {beginning_offset, end_offset}", async () => {
    const res = await exchange("GET", `/topics/${T}/partitions/0/offsets`, undefined, { accept: "*/*", "content-type": V2_JSON });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ beginning_offset: 0, end_offset: 5 });
  });

  it("an unknown topic is a 40401 (Strimzi testGetOffsetSummaryNotFound)", async () => {
    const res = await exchange("GET", "/topics/compat-meta-missing/partitions/0/offsets");
    expect(res.status).toBe(404);
    expect(res.json.error_code).toBe(40401);
  });

  it("a partition id that is not a number matches no route: 404 / 404 (Karapace: partitions/foo/offsets)", async () => {
    const res = await exchange("GET", `/topics/${T}/partitions/foo/offsets`);
    expect(res.status).toBe(404);
    expect(res.json.error_code).toBe(404);
  });

  it("agrees with v3's partitions/{p}/offset (openapi listKafkaPartitionOffsets)", async () => {
    const res = await exchange("GET", `${V3}/topics/${T}/partitions/0/offset?offset_type=earliest_and_latest`);
    expect(res.json).toMatchObject({ kind: "KafkaPartitionWithOffsets", earliest_offset: 0, latest_offset: 5 });
  });
});

describe("GET /brokers (api.rst; pandaproxy test_get_brokers; Karapace test_brokers)", () => {
  it("is {brokers: [ids]} in placement order", async () => {
    const res = await exchange("GET", "/brokers", undefined, { accept: V2_JSON, "content-type": V2_JSON });
    expect(res.status).toBe(200);
    expect(res.type).toBe(V2_JSON);
    expect(res.json).toEqual({ brokers: [0, 1, 2] });
  });
});

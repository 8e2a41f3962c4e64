// v2 consumer instances. Sources: Confluent's v2 reference (docs/api.rst
// "Consumers") and its Errors catalogue (40601, 40902, 40903, 42204);
// Karapace (tests/integration/kafka_rest_apis/test_rest_consumer.py
// test_create_and_delete, test_assignment, test_subscription, test_seek,
// test_offsets, test_offsets_no_payload, test_consume); Redpanda
// (pandaproxy_test test_create_consumer_validation,
// test_subscribe_consumer_validation, test_remove_consumer_validation).
// Commit semantics follow API.md "Consumer instances": the posted offset is
// the last one consumed and the group stores offset + 1. Subscribing by
// topics and a pattern at once is 40903 (Karapace's test, Kafka's illegal
// state); subscribing one way after another is 40901 (API.md's table).
import { beforeAll, describe, expect, it } from "vitest";
import { b64, BINARY_V2, exchange, JSON_V2, topic, useServer, V2_JSON } from "./harness";

useServer();
const T = "compat-ci";
const G = "compat-ci-group";

/** Creates an instance in `group` and returns its path (`/consumers/{g}/instances/{i}`). */
async function instance(group: string, config: Record<string, unknown> = {}): Promise<string> {
  const res = await exchange("POST", `/consumers/${group}`, { format: "binary", "auto.offset.reset": "earliest", "auto.commit.enable": "false", ...config }, { "content-type": V2_JSON });
  if (res.status !== 200) throw new Error(`create consumer: ${res.status} ${res.text}`);
  return new URL(res.json.base_uri).pathname;
}

/** Polls until records come (a fresh assignment may need a poll or two). */
async function poll(path: string, accept = BINARY_V2, want = 1): Promise<any[]> {
  const got: any[] = [];
  for (let i = 0; i < 20 && got.length < want; i++) {
    const res = await exchange("GET", `${path}/records?timeout=500`, undefined, { accept });
    if (res.status !== 200) throw new Error(`records: ${res.status} ${res.text}`);
    got.push(...res.json);
  }
  return got;
}

beforeAll(async () => {
  await topic(T, 1);
  await exchange("POST", `/topics/${T}`, { records: ["val0", "val1", "val2"].map((v) => ({ value: b64(v) })) }, { "content-type": BINARY_V2 });
});

describe("create and delete (api.rst POST /consumers/(group); Karapace test_create_and_delete; pandaproxy test_create_consumer_validation)", () => {
  it("no body at all is every default: a binary instance (ConsumersResource.createGroup: a null config is the PROTOTYPE)", async () => {
    const res = await exchange("POST", `/consumers/${G}-bare`, undefined, { "content-type": V2_JSON });
    expect(res.status).toBe(200);
    const path = new URL(res.json.base_uri).pathname;
    await exchange("POST", `${path}/assignments`, { partitions: [{ topic: T, partition: 0 }] });
    await exchange("POST", `${path}/positions/beginning`, { partitions: [{ topic: T, partition: 0 }] });
    const read = await exchange("GET", `${path}/records?timeout=3000`, undefined, { accept: BINARY_V2 }); // another format's type would be a 40601
    expect([read.status, read.type]).toEqual([200, BINARY_V2]);
    expect(Buffer.from(read.json[0].value, "base64").toString()).toBe("val0");
  });

  it("creates an instance: {instance_id, base_uri}, answered as v2", async () => {
    const res = await exchange("POST", `/consumers/${G}`, { name: "my_consumer", format: "binary", "auto.offset.reset": "earliest", "auto.commit.enable": "false" }, { "content-type": V2_JSON });
    expect(res.status).toBe(200);
    expect(res.type).toBe(V2_JSON);
    expect(res.json.instance_id).toBe("my_consumer");
    expect(res.json.base_uri).toMatch(new RegExp(`/consumers/${G}/instances/my_consumer$`));
  });

  it("a trailing slash on the group is the same route (api.rst 'POST /consumers/testgroup/')", async () => {
    const res = await exchange("POST", `/consumers/${G}/`, { format: "binary" }, { "content-type": V2_JSON });
    expect(res.status).toBe(200);
  });

  it("a name already taken is a 409 / 40902", async () => {
    const res = await exchange("POST", `/consumers/${G}`, { name: "my_consumer", format: "binary" }, { "content-type": V2_JSON });
    expect(res.status).toBe(409);
    expect(res.json.error_code).toBe(40902);
  });

  it("an invalid config value is a 422 / 42204 (Karapace: fetch.min.bytes -10)", async () => {
    const res = await exchange("POST", `/consumers/${G}`, { format: "binary", "fetch.min.bytes": -10 }, { "content-type": V2_JSON });
    expect(res.status).toBe(422);
    expect(res.json.error_code).toBe(42204);
    const reset = await exchange("POST", `/consumers/${G}`, { format: "binary", "auto.offset.reset": "sideways" }, { "content-type": V2_JSON });
    expect(reset.json.error_code).toBe(42204);
  });

  it("an Accept of an embedded type is a 406 / 40601 (pandaproxy: create with Accept binary.v2)", async () => {
    const res = await exchange("POST", `/consumers/${G}`, { format: "binary" }, { "content-type": V2_JSON, accept: BINARY_V2 });
    expect(res.status).toBe(406);
    expect(res.json.error_code).toBe(40601);
  });

  it("delete answers 204; a deleted or unknown instance is a 404 / 40403 (api.rst DELETE; pandaproxy test_remove_consumer_validation)", async () => {
    const path = await instance(G);
    expect((await exchange("DELETE", path, undefined, { "content-type": V2_JSON })).status).toBe(204);
    const again = await exchange("POST", `${path}/subscription`, { topics: [T] }, { "content-type": V2_JSON });
    expect(again.status).toBe(404);
    expect(again.json.error_code).toBe(40403);
    expect((await exchange("DELETE", `/consumers/${G}/instances/random_name`)).json.error_code).toBe(40403);
  });
});

describe("subscription (api.rst; Karapace test_subscription)", () => {
  it("is empty at first, lists its topics once subscribed, and is empty again after DELETE", async () => {
    const path = await instance("compat-ci-sub");
    expect((await exchange("GET", `${path}/subscription`)).json).toEqual({ topics: [] });
    expect((await exchange("POST", `${path}/subscription`, { topics: [T] }, { "content-type": V2_JSON })).status).toBe(204);
    expect((await exchange("GET", `${path}/subscription`)).json.topics).toEqual([T]);
    expect((await exchange("DELETE", `${path}/subscription`)).status).toBe(204);
    expect((await exchange("GET", `${path}/subscription`)).json.topics).toEqual([]);
  });

  it("a pattern subscription lists the topics it matches", async () => {
    await topic("compat-ci-pat-a");
    await topic("compat-ci-pat-b");
    const path = await instance("compat-ci-pat");
    expect((await exchange("POST", `${path}/subscription`, { topic_pattern: "compat-ci-pat-.*" })).status).toBe(204);
    await exchange("GET", `${path}/records?timeout=100`, undefined, { accept: BINARY_V2 });
    expect(new Set((await exchange("GET", `${path}/subscription`)).json.topics)).toEqual(new Set(["compat-ci-pat-a", "compat-ci-pat-b"]));
  });

  it("topics and a pattern together are a 409 / 40903 (Karapace test_subscription: 'Invalid state error expected')", async () => {
    const path = await instance("compat-ci-both");
    const res = await exchange("POST", `${path}/subscription`, { topics: [T], topic_pattern: "baz" });
    expect(res.status).toBe(409);
    expect(res.json.error_code).toBe(40903);
    expect((await exchange("GET", `${path}/subscription`)).json).toEqual({ topics: [] });
  });

  it("topics after a pattern are a 409 / 40901 (Kafka: subscriptions to topics and to a pattern are mutually exclusive)", async () => {
    const path = await instance("compat-ci-then");
    expect((await exchange("POST", `${path}/subscription`, { topic_pattern: "compat-ci.*" })).status).toBe(204);
    const res = await exchange("POST", `${path}/subscription`, { topics: [T] });
    expect(res.status).toBe(409);
    expect(res.json.error_code).toBe(40901);
  });

  it("assigning by hand after subscribing is a 409 (Karapace: assign after subscribe)", async () => {
    const path = await instance("compat-ci-assign-after");
    await exchange("POST", `${path}/subscription`, { topics: [T] });
    const res = await exchange("POST", `${path}/assignments`, { partitions: [{ topic: T, partition: 0 }] });
    expect(res.status).toBe(409);
    expect(res.json.error_code).toBe(40901);
  });

  it("topics that is not an array, or a pattern that is not a string, is a 422 (Karapace)", async () => {
    const path = await instance("compat-ci-badsub");
    expect((await exchange("POST", `${path}/subscription`, { topics: T })).status).toBe(422);
    expect((await exchange("POST", `${path}/subscription`, { topic_pattern: ["not", "a", "string"] })).status).toBe(422);
  });
});

describe("records (api.rst GET …/records; Karapace test_consume)", () => {
  it("a binary consumer answers base64 records in the binary type", async () => {
    const path = await instance("compat-ci-read");
    await exchange("POST", `${path}/assignments`, { partitions: [{ topic: T, partition: 0 }] });
    await exchange("POST", `${path}/positions/beginning`, { partitions: [{ topic: T, partition: 0 }] });
    const res = await exchange("GET", `${path}/records?timeout=3000&max_bytes=300000`, undefined, { accept: BINARY_V2 });
    expect(res.status).toBe(200);
    expect(res.type).toBe(BINARY_V2);
    expect(res.json.map((r: any) => Buffer.from(r.value, "base64").toString())).toEqual(["val0", "val1", "val2"]);
    expect(res.json[0]).toMatchObject({ topic: T, partition: 0, offset: 0, key: null });
  });

  it("an Accept whose format is not the consumer's is a 406 / 40601", async () => {
    const path = await instance("compat-ci-mismatch");
    await exchange("POST", `${path}/assignments`, { partitions: [{ topic: T, partition: 0 }] });
    const res = await exchange("GET", `${path}/records?timeout=100`, undefined, { accept: JSON_V2 });
    expect(res.status).toBe(406);
    expect(res.json.error_code).toBe(40601);
  });
});

describe("offsets (api.rst POST/GET …/offsets; Karapace test_offsets, test_offsets_no_payload)", () => {
  it("a commit of offset N reads back as N + 1 with metadata \"\", past the high watermark too (Karapace test_offsets: commits 0 then 1 on an empty topic)", async () => {
    await topic("compat-ci-empty");
    const path = await instance("compat-ci-commit");
    const tp = { topic: "compat-ci-empty", partition: 0 };
    await exchange("POST", `${path}/assignments`, { partitions: [tp] });
    const commit = await exchange("POST", `${path}/offsets`, { offsets: [{ ...tp, offset: 0 }] });
    expect(commit.status).toBe(200);
    expect(commit.json).toEqual([{ ...tp, consumed: 0, committed: 1 }]);
    const got = await exchange("GET", `${path}/offsets`, { partitions: [tp] });
    expect(got.json.offsets).toEqual([{ ...tp, offset: 1, metadata: "" }]);
    expect((await exchange("POST", `${path}/offsets`, { offsets: [{ ...tp, offset: 1 }] })).status).toBe(200);
    expect((await exchange("GET", `${path}/offsets`, { partitions: [tp] })).json.offsets[0].offset).toBe(2);
  });

  it("an empty commit commits what was returned so far, answered as Confluent's [{topic, partition, consumed, committed}] (api.rst v1 POST …/offsets)", async () => {
    const path = await instance("compat-ci-commit-all");
    await exchange("POST", `${path}/assignments`, { partitions: [{ topic: T, partition: 0 }] });
    expect((await exchange("POST", `${path}/offsets`, {})).status).toBe(200); // nothing read yet: still fine
    const records = await poll(path, BINARY_V2, 3);
    expect(records).toHaveLength(3);
    const commit = await exchange("POST", `${path}/offsets`, undefined, { "content-type": V2_JSON });
    expect(commit.status).toBe(200);
    expect(commit.json).toEqual([{ topic: T, partition: 0, consumed: 2, committed: 3 }]);
    expect((await exchange("GET", `${path}/offsets`, { partitions: [{ topic: T, partition: 0 }] })).json.offsets[0].offset).toBe(3);
  });
});

describe("assignments and positions (api.rst; Karapace test_assignment, test_seek)", () => {
  it("assignments are empty at first and list what was assigned by hand", async () => {
    const path = await instance("compat-ci-assign");
    expect((await exchange("GET", `${path}/assignments`)).json).toEqual({ partitions: [] });
    expect((await exchange("POST", `${path}/assignments`, { partitions: [{ topic: T, partition: 0 }] })).status).toBe(204);
    expect((await exchange("GET", `${path}/assignments`)).json.partitions).toEqual([{ topic: T, partition: 0 }]);
  });

  it("seek to an offset, to the beginning and to the end answer 204", async () => {
    const path = await instance("compat-ci-seek");
    await exchange("POST", `${path}/assignments`, { partitions: [{ topic: T, partition: 0 }] });
    expect((await exchange("POST", `${path}/positions`, { offsets: [{ topic: T, partition: 0, offset: 2 }] })).status).toBe(204);
    for (const end of ["beginning", "end"]) {
      expect((await exchange("POST", `${path}/positions/${end}`, { partitions: [{ topic: T, partition: 0 }] })).status).toBe(204);
    }
  });

  it("a seek on a partition the instance does not own is a 409 (Karapace: unassigned seeks should fail)", async () => {
    const path = await instance("compat-ci-seek-other");
    await exchange("POST", `${path}/assignments`, { partitions: [{ topic: T, partition: 0 }] });
    const res = await exchange("POST", `${path}/positions`, { offsets: [{ topic: "faulty", partition: 0, offset: 10 }] });
    expect(res.status).toBe(409);
  });
});

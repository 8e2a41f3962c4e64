// v2 produce and its validation: a refused request appends nothing.
// Sources: Confluent's v2 reference (docs/api.rst "POST /topics/(topic)",
// "POST …/partitions/(p)") and ProducerTest; Karapace (test_rest.py
// test_publish, test_publish_malformed_requests, test_request_body_too_large,
// test_publish_to_nonexisting_topic); Redpanda (pandaproxy_test
// test_produce_topic, test_fetch_topic, test_fetch_topic_validation);
// Strimzi (ProducerIT sendSimpleMessage, sendMessagesToMultiplePartitions,
// sendSimpleMessageWithKey, sendSimpleMessageWithTimestamp).
import { beforeAll, describe, expect, it } from "vitest";
import { b64, BINARY_V2, endOffset, exchange, JSON_V2, topic, useServer, V2_JSON } from "./harness";

useServer();
const T = "compat-v2p";

beforeAll(async () => {
  await topic(T, 3);
});

describe("produce (api.rst examples; pandaproxy test_produce_topic; Strimzi ProducerIT)", () => {
  it("binary records with a key and an explicit partition (api.rst 'Example binary request')", async () => {
    const res = await exchange("POST", `/topics/${T}`, { records: [{ key: "a2V5", value: "Y29uZmx1ZW50" }, { value: "a2Fma2E=", partition: 1 }, { value: "bG9ncw==" }] }, { "content-type": BINARY_V2, accept: "application/vnd.kafka.v2+json, application/vnd.kafka+json, application/json" });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ key_schema_id: null, value_schema_id: null });
    expect(res.json.offsets).toHaveLength(3);
    expect(res.json.offsets[1]).toMatchObject({ partition: 1, offset: expect.any(Number), error_code: null, error: null });
  });

  it("JSON records (api.rst 'Example JSON request')", async () => {
    const res = await exchange("POST", `/topics/${T}`, { records: [{ key: "somekey", value: { foo: "bar" } }, { value: ["foo", "bar"], partition: 1 }, { value: 53.5 }] }, { "content-type": JSON_V2 });
    expect(res.status).toBe(200);
    expect(res.json.offsets.map((o: any) => o.error_code)).toEqual([null, null, null]);
  });

  it("one record to each of three partitions lands at offset 0 of each (pandaproxy test_produce_topic; Strimzi sendMessagesToMultiplePartitions)", async () => {
    await topic("compat-v2p-three", 3);
    const res = await exchange("POST", "/topics/compat-v2p-three", { records: [{ value: "dmVjdG9yaXplZA==", partition: 0 }, { value: "cGFuZGFwcm94eQ==", partition: 1 }, { value: "bXVsdGlicm9rZXI=", partition: 2 }] }, { "content-type": BINARY_V2 });
    expect(res.json.offsets.map((o: any) => [o.partition, o.offset])).toEqual([[0, 0], [1, 0], [2, 0]]);
  });

  it("to one partition: every offset names it (api.rst POST …/partitions/(p); Karapace test_publish)", async () => {
    const res = await exchange("POST", `/topics/${T}/partitions/2`, { records: [{ value: { foo: "bar" } }, { value: 2 }] }, { "content-type": JSON_V2 });
    expect(res.json.offsets.map((o: any) => o.partition)).toEqual([2, 2]);
  });

  it("a record timestamp is kept (Strimzi sendSimpleMessageWithTimestamp)", async () => {
    const ts = Date.now() - 1000;
    const at = await endOffset(T, 0);
    await exchange("POST", `/topics/${T}/partitions/0`, { records: [{ value: "dA==", timestamp: ts }] }, { "content-type": BINARY_V2 });
    const got = await exchange("GET", `/topics/${T}/partitions/0/records?offset=${at}`, undefined, { accept: BINARY_V2 });
    expect(got.json[0]).toMatchObject({ value: "dA==", timestamp: ts });
  });

  it("the v2 fetch answers a bare array in the Accept's embedded format (pandaproxy test_fetch_topic)", async () => {
    await topic("compat-v2p-fetch", 3);
    await exchange("POST", "/topics/compat-v2p-fetch", { records: [{ value: "dmVjdG9yaXplZA==", partition: 0 }] }, { "content-type": BINARY_V2 });
    const res = await exchange("GET", "/topics/compat-v2p-fetch/partitions/0/records?offset=0&timeout=1000&max_bytes=100000", undefined, { accept: BINARY_V2, "content-type": V2_JSON });
    expect(res.status).toBe(200);
    expect(res.type).toBe(BINARY_V2);
    expect(res.json).toHaveLength(1);
    expect(res.json[0]).toMatchObject({ topic: "compat-v2p-fetch", key: null, value: "dmVjdG9yaXplZA==", partition: 0, offset: 0 });
  });

  it("the v2 fetch with Accept json.v2 gives JSON values", async () => {
    const at = await endOffset(T, 1);
    await exchange("POST", `/topics/${T}/partitions/1`, { records: [{ value: { n: 1 } }] }, { "content-type": JSON_V2 });
    const res = await exchange("GET", `/topics/${T}/partitions/1/records?offset=${at}`, undefined, { accept: JSON_V2 });
    expect(res.type).toBe(JSON_V2);
    expect(res.json[0].value).toEqual({ n: 1 });
  });

  it("the v2 fetch with Karapace's JSON Accept list (json.v2, v2, json, */*) gives JSON values (tests/utils.py REST_HEADERS)", async () => {
    const at = await endOffset(T, 1);
    await exchange("POST", `/topics/${T}/partitions/1`, { records: [{ value: [1, 2] }] }, { "content-type": JSON_V2 });
    const res = await exchange("GET", `/topics/${T}/partitions/1/records?offset=${at}`, undefined, { accept: "application/vnd.kafka.json.v2+json, application/vnd.kafka.v2+json, application/json, */*" });
    expect(res.type).toBe(JSON_V2);
    expect(res.json[0].value).toEqual([1, 2]);
  });

  it("the v2 fetch without offset is a 400 (pandaproxy 'Consuming with empty offset param')", async () => {
    const res = await exchange("GET", `/topics/${T}/partitions/0/records?offset=`, undefined, { accept: BINARY_V2 });
    expect(res.status).toBe(400);
  });

  it("the v2 fetch of a partition the topic lacks is a 40402 (pandaproxy test_fetch_topic_validation)", async () => {
    const res = await exchange("GET", `/topics/${T}/partitions/7/records?offset=0`, undefined, { accept: BINARY_V2 });
    expect(res.status).toBe(404);
    expect(res.json.error_code).toBe(40402);
  });
});

describe("a refused v2 request appends nothing (Karapace test_publish_malformed_requests; API.md v2 conventions)", () => {
  const bad: [string, unknown][] = [
    ['an empty "records"', { records: [] }],
    ['no "records" at all', { foo: "bar" }],
    ['a misspelt field ("valur")', { records: [{ valur: { foo: "bar" } }] }],
    ['"records" that is not an array', { records: "should be an array" }],
    ['"records" that is an object', { records: { value: { foo: "bar" } } }],
    ["a record that is not an object", { records: ["object with value"] }],
    ["an empty body", ""],
  ];
  for (const [what, body] of bad) {
    for (const path of [`/topics/${T}`, `/topics/${T}/partitions/0`]) {
      it(`${what} to ${path.includes("partitions") ? "a partition" : "a topic"} is a 422 / 42206`, async () => {
        const before = [await endOffset(T, 0), await endOffset(T, 1), await endOffset(T, 2)];
        const res = await exchange("POST", path, body, { "content-type": JSON_V2 });
        expect(res.status).toBe(422);
        expect(res.json.error_code).toBe(42206);
        expect(res.type).toBe(V2_JSON);
        expect([await endOffset(T, 0), await endOffset(T, 1), await endOffset(T, 2)]).toEqual(before);
      });
    }
  }

  it("binary data that is not base64 is a 42206 for the whole request (Karapace expects 400 here; API.md says 42206)", async () => {
    const before = await endOffset(T, 0);
    const res = await exchange("POST", `/topics/${T}/partitions/0`, { records: [{ value: b64("fine") }, { value: "not base64" }] }, { "content-type": BINARY_V2 });
    expect(res.status).toBe(422);
    expect(res.json.error_code).toBe(42206);
    expect(await endOffset(T, 0)).toBe(before);
  });

  it("a binary value that is an object is a 42206 (Karapace: 'Binary format expects base64 encoded string')", async () => {
    const res = await exchange("POST", `/topics/${T}`, { records: [{ value: { a: 1 } }] }, { "content-type": BINARY_V2 });
    expect(res.json.error_code).toBe(42206);
  });

  it("an unknown topic is a 404 / 40401 (Karapace test_publish_to_nonexisting_topic; Confluent; Redpanda answers 200 with per-record error 3)", async () => {
    for (const path of ["/topics/compat-v2p-missing", "/topics/compat-v2p-missing/partitions/0"]) {
      const res = await exchange("POST", path, { records: [{ value: "Zm9v" }] }, { "content-type": BINARY_V2 });
      expect(res.status).toBe(404);
      expect(res.json.error_code).toBe(40401);
    }
  });

  it("a record over max.message.bytes refuses the whole request with 413 (Karapace test_too_large_record answers 422 per record)", async () => {
    await topic("compat-v2p-small", 1, [{ name: "max.message.bytes", value: "1000" }]);
    const res = await exchange("POST", "/topics/compat-v2p-small", { records: [{ value: "small" }, { value: "a".repeat(2000) }] }, { "content-type": JSON_V2 });
    expect(res.status).toBe(413);
    expect(await endOffset("compat-v2p-small")).toBe(0);
  });

  it("an Avro request is a 415: Runnel has no schema registry (Karapace test_avro_publish answers 200)", async () => {
    const res = await exchange("POST", `/topics/${T}`, { value_schema: '{"type":"int"}', records: [{ value: 1 }] }, { "content-type": "application/vnd.kafka.avro.v2+json" });
    expect(res.status).toBe(415);
    expect(res.json.message).toMatch(/schema registry/);
  });
});

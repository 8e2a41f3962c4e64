// v2 media types, content negotiation and trailing slashes. Sources:
// Confluent's v2 reference (docs/api.rst, "Content Types" and "Errors"),
// Karapace (tests/integration/kafka_rest_apis/test_rest.py
// test_content_types; test_rest_consumer.py's `trail` parameter),
// Redpanda (tests/rptest/tests/pandaproxy_test.py *_validation tests).
// Where they disagree Confluent decides; API.md "v2 conventions" states the
// rules these cases check.
import { beforeAll, describe, expect, it } from "vitest";
import { b64, BINARY_V2, endOffset, exchange, JSON_V2, topic, useServer, V2_JSON } from "./harness";

useServer();
const T = "compat-media";

beforeAll(async () => {
  await topic(T, 2);
});

describe("v2 responses carry the v2 media type (api.rst Content Types; pandaproxy_test test_list_topics_validation)", () => {
  it("GET /topics with Accept: application/vnd.kafka.v2+json", async () => {
    const res = await exchange("GET", "/topics", undefined, { accept: V2_JSON });
    expect(res.status).toBe(200);
    expect(res.type).toBe(V2_JSON);
  });

  it("GET /topics without an Accept header (pandaproxy: 'List topics with no accept header')", async () => {
    const res = await exchange("GET", "/topics", undefined, { "content-type": V2_JSON });
    expect(res.status).toBe(200);
    expect(res.type).toBe(V2_JSON);
  });

  it("GET /topics with Accept: */* (pandaproxy: 'generic accept header')", async () => {
    const res = await exchange("GET", "/topics", undefined, { accept: "*/*" });
    expect(res.type).toBe(V2_JSON);
  });

  it("an error answer is v2 too (api.rst Errors: error bodies carry the v2 type)", async () => {
    const res = await exchange("GET", "/topics/compat-media-nope", undefined, { accept: V2_JSON });
    expect(res.status).toBe(404);
    expect(res.type).toBe(V2_JSON);
    expect(res.json).toMatchObject({ error_code: 40401, message: expect.any(String) });
  });

  it("a v2 produce answers with the v2 type (pandaproxy_test test_produce_topic)", async () => {
    const res = await exchange("POST", `/topics/${T}`, { records: [{ value: b64("x"), partition: 0 }] }, { "content-type": BINARY_V2 });
    expect(res.status).toBe(200);
    expect(res.type).toBe(V2_JSON);
  });
});

describe("Accept negotiation (Karapace test_content_types; api.rst weighted preferences)", () => {
  // Karapace's valid_accept_headers against GET /brokers.
  for (const accept of ["application/vnd.kafka.v1+json", "application/vnd.kafka+json", "application/json", "application/*", "*/json", "*/*"]) {
    it(`GET /brokers with Accept: ${accept} is answered`, async () => {
      const res = await exchange("GET", "/brokers", undefined, { accept });
      expect(res.status).toBe(200);
      expect(res.json.brokers).toEqual([0, 1, 2]);
    });
  }

  // Karapace's invalid_accept_headers against GET /brokers.
  for (const accept of ["application/octet-stream", "application/vnd.kafka+foo", "application/text", "foo/*", "bar/json", "*/baz"]) {
    it(`GET /brokers with Accept: ${accept} is a 406 / 40601`, async () => {
      const res = await exchange("GET", "/brokers", undefined, { accept });
      expect(res.status).toBe(406);
      expect(res.json).toMatchObject({ error_code: 40601 });
      expect(res.type).toBe(V2_JSON);
    });
  }

  it("a weighted list picks the best type the endpoint offers (api.rst: 'v2+json; q=0.9, application/json; q=0.5')", async () => {
    const res = await exchange("GET", "/topics", undefined, { accept: "application/vnd.kafka.v2+json; q=0.9, application/json; q=0.5" });
    expect(res.status).toBe(200);
    expect(res.type).toBe(V2_JSON);
  });

  it("q=0 rules a type out, so only the other one may answer", async () => {
    const res = await exchange("GET", "/topics", undefined, { accept: "application/vnd.kafka.v2+json; q=0, application/json" });
    expect(res.status).toBe(200);
    expect(res.type).toBe("application/json");
  });

  it("a list whose every type has q=0 is a 406", async () => {
    const res = await exchange("GET", "/topics", undefined, { accept: "application/vnd.kafka.v2+json; q=0, application/json;q=0" });
    expect(res.status).toBe(406);
    expect(res.json.error_code).toBe(40601);
  });

  it("an embedded-format Accept on a produce is a 406 and appends nothing (pandaproxy test_produce_topic_validation)", async () => {
    const before = await endOffset(T, 1);
    const res = await exchange("POST", `/topics/${T}`, { records: [{ value: b64("x"), partition: 1 }] }, { "content-type": BINARY_V2, accept: BINARY_V2 });
    expect(res.status).toBe(406);
    expect(res.json.error_code).toBe(40601);
    expect(await endOffset(T, 1)).toBe(before);
  });
});

describe("request content types (Karapace test_content_types valid_headers / invalid_headers)", () => {
  const binary = { records: [{ value: "Zm9v", partition: 0 }] };
  const json = { records: [{ value: { foo: "bar" }, partition: 0 }] };
  const accepted: [string, unknown, string][] = [
    ["application/vnd.kafka.v1+json", binary, "Zm9v"],
    ["application/vnd.kafka.binary.v1+json", binary, "Zm9v"],
    ["application/vnd.kafka.json+json", json, b64('{"foo":"bar"}')],
    ["application/vnd.kafka+json", binary, "Zm9v"],
    ["application/vnd.kafka.v2+json", binary, "Zm9v"],
    ["application/json", json, b64('{"foo":"bar"}')],
    ["application/octet-stream", binary, "Zm9v"],
  ];
  for (const [type, body, stored] of accepted) {
    it(`POST /topics/{t} with Content-Type ${type} is produced in its embedded format`, async () => {
      const at = await endOffset(T, 0);
      const res = await exchange("POST", `/topics/${T}`, body, { "content-type": type });
      expect(res.status).toBe(200);
      expect(res.json.offsets).toEqual([{ partition: 0, offset: at, error_code: null, error: null }]);
      const got = await exchange("GET", `/topics/${T}/partitions/0/records?offset=${at}`, undefined, { accept: BINARY_V2 });
      expect(got.json[0].value).toBe(stored);
    });
  }

  for (const type of ["application/vnd.kafka.v3+json", "application/vnd.kafka.binary.v1+foo", "application/vnd.kafka.avro.v0+json", "application/vnd.kafka.json+avro", "application/vnd.kafka", "application/vnd.kafka+binary", "application/text", "bar/baz"]) {
    it(`POST /topics/{t} with Content-Type ${type} is a 415 and appends nothing`, async () => {
      const at = await endOffset(T, 0);
      const res = await exchange("POST", `/topics/${T}`, binary, { "content-type": type });
      expect(res.status).toBe(415);
      expect(res.json.error_code).toBe(415);
      expect(await endOffset(T, 0)).toBe(at);
    });
  }
});

describe("bodies of other v2 routes (pandaproxy test_create_consumer_validation, test_subscribe_consumer_validation)", () => {
  it("a consumer creation whose body is text/plain is a 415 and creates nothing", async () => {
    const res = await exchange("POST", "/consumers/compat-media-group", '{"name":"c1","format":"binary"}', { "content-type": "text/plain" });
    expect(res.status).toBe(415);
    expect(res.json.error_code).toBe(415);
    expect(res.type).toBe(V2_JSON);
    const created = await exchange("POST", "/consumers/compat-media-group", { name: "c1", format: "binary" }, { "content-type": "application/vnd.kafka.v1+json" });
    expect(created.status).toBe(200);
  });
});

describe("a trailing slash is the same route (Karapace's trail='/' runs; api.rst's 'POST /consumers/testgroup/')", () => {
  it("GET /topics/", async () => {
    const res = await exchange("GET", "/topics/");
    expect(res.status).toBe(200);
    expect(res.json).toContain(T);
  });

  it("POST /topics/{t}/", async () => {
    const res = await exchange("POST", `/topics/${T}/`, { records: [{ value: { a: 1 }, partition: 1 }] }, { "content-type": JSON_V2 });
    expect(res.status).toBe(200);
  });

  it("GET /v3/clusters/{c}/topics/{t}/ and POST …/records:batch/", async () => {
    expect((await exchange("GET", `/v3/clusters/runnel-local/topics/${T}/`)).json.topic_name).toBe(T);
    const batch = await exchange("POST", `/v3/clusters/runnel-local/topics/${T}/records:batch/`, { entries: [{ id: "1", value: { type: "STRING", data: "s" } }] });
    expect(batch.status).toBe(207);
    expect(batch.json.successes).toHaveLength(1);
  });
});

// v3 produce: one record, concatenated records and records:batch. Cases
// from Confluent's integration tests (integration/v3 ProduceActionIntegrationTest
// and ProduceBatchActionIntegrationTest), its resource tests (resources/v3
// ProduceActionTest, ProduceBatchActionTest) and its OpenAPI spec
// (ProduceRequest, ProduceResponse, ProduceBatchRequest/Response). Confluent answers a bad
// record with HTTP 200 and the error in the body; Runnel does so in a
// streamed body, but answers a single record whose body length is known
// with the error's own status (see docs/kafka-compat.md).
import { beforeAll, describe, expect, it } from "vitest";
import { b64, endOffset, exchange, topic, useServer, V3 } from "./harness";

useServer();
const T = "compat-v3p";
const records = `${V3}/topics/${T}/records`;

async function read(partition: number, offset: number, format = "binary") {
  const res = await exchange("GET", `${V3}/topics/${T}/partitions/${partition}/records?offset=${offset}&max_records=1&format=${format}`);
  return res.json.records[0];
}

beforeAll(async () => {
  await topic(T, 2, [{ name: "retention.ms", value: "-1" }]);
});

describe("one record (ProduceActionIntegrationTest)", () => {
  it("binary key and value (produceBinary)", async () => {
    const res = await exchange("POST", records, { key: { type: "BINARY", data: b64("foo") }, value: { type: "BINARY", data: b64("bar") } });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ error_code: 200, cluster_id: "runnel-local", topic_name: T, partition_id: expect.any(Number), offset: expect.any(Number) });
    expect(await read(res.json.partition_id, res.json.offset)).toMatchObject({ key: b64("foo"), value: b64("bar") });
  });

  it("null binary data is a null key and value (produceBinaryWithNullData)", async () => {
    const res = await exchange("POST", records, { key: { type: "BINARY", data: null }, value: { type: "BINARY", data: null } });
    expect(await read(res.json.partition_id, res.json.offset)).toMatchObject({ key: null, value: null });
  });

  it("binary data that is a number is refused and appends nothing (produceBinaryWithInvalidData_throwsBadRequest)", async () => {
    const before = [await endOffset(T, 0), await endOffset(T, 1)];
    const res = await exchange("POST", records, { key: { type: "BINARY", data: 1 }, value: { type: "BINARY", data: b64("bar") } });
    expect(res.json.error_code).toBe(42206);
    expect([await endOffset(T, 0), await endOffset(T, 1)]).toEqual(before);
  });

  it("string data, and an empty string (produceString, produceStringWithEmptyData)", async () => {
    const a = await exchange("POST", records, { partition_id: 0, key: { type: "STRING", data: "foo" }, value: { type: "STRING", data: "bar" } });
    expect(await read(0, a.json.offset, "string")).toMatchObject({ key: "foo", value: "bar" });
    const b = await exchange("POST", records, { partition_id: 0, key: { type: "STRING", data: "" }, value: { type: "STRING", data: "" } });
    expect(await read(0, b.json.offset, "string")).toMatchObject({ key: "", value: "" });
  });

  it("JSON data (produceJson)", async () => {
    const res = await exchange("POST", records, { partition_id: 1, key: { type: "JSON", data: 1 }, value: { type: "JSON", data: { foo: "bar" } } });
    expect(await read(1, res.json.offset, "json")).toMatchObject({ key: 1, value: { foo: "bar" } });
  });

  it("an explicit partition, a timestamp and headers (produceBinaryWithPartitionId, …WithTimestamp, …WithHeaders)", async () => {
    const ts = "2025-01-02T03:04:05.678Z";
    const res = await exchange("POST", records, {
      partition_id: 1,
      headers: [{ name: "header-1", value: b64("value-1") }, { name: "header-2", value: b64("value-2") }],
      value: { type: "BINARY", data: b64("bar") },
      timestamp: ts,
    });
    expect(res.json).toMatchObject({ partition_id: 1, timestamp: ts });
    expect(await read(1, res.json.offset)).toMatchObject({
      timestamp: Date.parse(ts),
      headers: [{ name: "header-1", value: b64("value-1") }, { name: "header-2", value: b64("value-2") }],
    });
  });

  it("a key only (produceBinaryKeyOnly)", async () => {
    const res = await exchange("POST", records, { key: { type: "BINARY", data: b64("foo") } });
    expect(await read(res.json.partition_id, res.json.offset)).toMatchObject({ key: b64("foo"), value: null });
  });

  it("a misspelt record field ('valur') is a 422 / 42206 that appends nothing (API.md v2 conventions)", async () => {
    const before = [await endOffset(T, 0), await endOffset(T, 1)];
    const res = await exchange("POST", records, { valur: { type: "STRING", data: "x" } });
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({ error_code: 42206, message: expect.stringMatching(/valur/) });
    expect([await endOffset(T, 0), await endOffset(T, 1)]).toEqual(before);
  });

  it("schema fields in a key or value are refused: Runnel has no schema registry (ProduceRequestData schema_id)", async () => {
    const res = await exchange("POST", records, { value: { type: "AVRO", schema_id: 1, data: 1 } });
    expect(res.status).toBe(422);
  });

  it("an empty body is a 422 with error_code 422 (ProduceActionTest: 'Request body is empty. Data is required.', as RestConstraintViolationExceptionMapper answers it)", async () => {
    for (const body of ["", "  \n"]) {
      const res = await exchange("POST", records, body, { "content-type": "application/json" });
      expect(res.status).toBe(422);
      expect(res.json).toMatchObject({ error_code: 422, message: expect.stringMatching(/empty/) });
    }
  });

  it("receipts carry key and value as {type, size} (openapi ProduceResponse, ProduceResponseData; ProduceAction.toProduceResponse)", async () => {
    const res = await exchange("POST", records, { partition_id: 0, key: { type: "BINARY", data: b64("foo") }, value: { type: "JSON", data: { foo: "bar" } } });
    expect(res.json).toMatchObject({ key: { type: "BINARY", size: 3 }, value: { type: "JSON", size: 13 } });
    // A null key is size -1 (Kafka's RecordMetadata); a field not given is not reported.
    const valueOnly = await exchange("POST", records, { key: { type: "STRING", data: null }, value: { type: "STRING", data: "héllo" } });
    expect(valueOnly.json.key).toEqual({ type: "STRING", size: -1 });
    expect(valueOnly.json.value).toEqual({ type: "STRING", size: 6 });
    const bare = await exchange("POST", records, { value: { data: [1, 2] } });
    expect(bare.json.value).toEqual({ type: "JSON", size: 5 });
    expect("key" in bare.json).toBe(false);
  });

  it("a negative partition_id is a 404 / 40402 that appends nothing (ProduceActionTest: getProduceRequestsMappingIteratorWithNegativePartitionId)", async () => {
    const before = [await endOffset(T, 0), await endOffset(T, 1)];
    const res = await exchange("POST", records, { partition_id: -1, value: { type: "STRING", data: "x" } });
    expect(res.status).toBe(404);
    expect(res.json.error_code).toBe(40402);
    expect([await endOffset(T, 0), await endOffset(T, 1)]).toEqual(before);
  });
});

describe("concatenated records (openapi produceRecord: 'a stream of records')", () => {
  it("get one report each, in order, the bad one in its line, as application/json (ProduceAction @Produces(APPLICATION_JSON); Confluent's Go SDK decodes only JSON types)", async () => {
    const body = ['{"partition_id":0,"value":{"type":"STRING","data":"a"}}', '{"partition_id":0,"value":{"type":"BINARY","data":"!!"}}', '{"partition_id":0,"value":{"type":"STRING","data":"b"}}'].join("");
    const res = await exchange("POST", records, body);
    expect(res.status).toBe(200);
    expect(res.type).toBe("application/json");
    const reports = res.text.trim().split("\n").map((l) => JSON.parse(l));
    expect(reports.map((r) => r.error_code)).toEqual([200, 42206, 200]);
    expect(reports[2].offset).toBe(reports[0].offset + 1);
    expect(reports[0].value).toEqual({ type: "STRING", size: 1 });
  });
});

describe("records:batch (ProduceBatchActionIntegrationTest)", () => {
  it("answers 207 with one success per entry (produceStringBatch)", async () => {
    const res = await exchange("POST", `${records}:batch`, { entries: ["1", "2", "3"].map((id) => ({ id, partition_id: 0, value: { type: "STRING", data: `v${id}` } })) });
    expect(res.status).toBe(207);
    expect(res.json.successes.map((s: any) => s.id)).toEqual(["1", "2", "3"]);
    expect(res.json.failures).toEqual([]);
  });

  it("invalid entries fail one by one while the rest are appended (produceBinaryBatchWithInvalidData_throwsMultipleBadRequests)", async () => {
    const res = await exchange("POST", `${records}:batch`, {
      entries: [
        { id: "a", value: { type: "BINARY", data: 1 } },
        { id: "b", value: { type: "BINARY", data: b64("ok") } },
        { id: "c", valur: { type: "BINARY", data: b64("typo") } },
      ],
    });
    expect(res.status).toBe(207);
    expect(res.json.successes.map((s: any) => s.id)).toEqual(["b"]);
    expect(res.json.failures.map((f: any) => [f.id, f.error_code])).toEqual([["a", 42206], ["c", 42206]]);
  });

  it("an entry with partition_id -1 fails with 40402 and the rest are appended (ProduceBatchActionTest.testProduceNegativePartitionId)", async () => {
    const res = await exchange("POST", `${records}:batch`, {
      entries: [
        { id: "neg", partition_id: -1, value: { type: "STRING", data: "x" } },
        { id: "ok", partition_id: 1, key: { type: "STRING", data: "k" }, value: { type: "STRING", data: "y" } },
      ],
    });
    expect(res.status).toBe(207);
    expect(res.json.failures).toEqual([{ id: "neg", error_code: 40402, error_name: "UNKNOWN_TOPIC_OR_PARTITION", message: expect.any(String) }]);
    expect(res.json.successes).toEqual([
      { id: "ok", partition_id: 1, offset: expect.any(Number), timestamp: expect.any(String), key: { type: "STRING", size: 1 }, value: { type: "STRING", size: 1 } },
    ]);
  });

  it("no entries, or ids that repeat, are a 42208 (Errors PRODUCE_BATCH_EXCEPTION_*)", async () => {
    expect((await exchange("POST", `${records}:batch`, { entries: [] })).json.error_code).toBe(42208);
    const dup = await exchange("POST", `${records}:batch`, { entries: [{ id: "x", value: { data: 1 } }, { id: "x", value: { data: 2 } }] });
    expect(dup.json.error_code).toBe(42208);
  });
});

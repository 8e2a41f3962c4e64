import { describe, expect, it } from "vitest";
import { call, createTopic, fetchStrings, V3 } from "../helpers";

async function highWatermark(topic: string, partition = 0): Promise<number> {
  return (await call("GET", `${V3}/topics/${topic}/partitions/${partition}`)).body.high_watermark;
}

describe("bad input gets a JSON error and changes nothing", () => {
  it("malformed JSON is a 400", async () => {
    await createTopic("err-json");
    const res = await call("POST", `${V3}/topics/err-json/records`, '{"value": {"type": "STRING", "data": "x"');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error_code: 400, message: expect.stringMatching(/JSON/) });
    expect(await highWatermark("err-json")).toBe(0);
  });

  it("invalid base64 refuses a whole v2 request with 42206", async () => {
    await createTopic("err-b64");
    const res = await call("POST", "/topics/err-b64", { records: [{ value: btoa("fine") }, { value: "not base64!" }] }, { "content-type": "application/vnd.kafka.binary.v2+json" });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ error_code: 42206, error_name: "INVALID_RECORD", message: "records[1]: value is not valid base64" });
    expect(await highWatermark("err-b64")).toBe(0);
  });

  it("an invalid v3 record is a 42206", async () => {
    await createTopic("err-v3");
    const res = await call("POST", `${V3}/topics/err-v3/records`, { value: { type: "BINARY", data: "%%%" } });
    expect(res.status).toBe(422);
    expect(res.body.error_code).toBe(42206);
    const ts = await call("POST", `${V3}/topics/err-v3/records`, { value: { type: "STRING", data: "x" }, timestamp: "yesterday" });
    expect(ts.body).toMatchObject({ error_code: 42206, message: expect.stringMatching(/timestamp/) });
    expect(await highWatermark("err-v3")).toBe(0);
  });

  it("an unknown topic is a 40401 UNKNOWN_TOPIC_OR_PARTITION for produce, fetch and describe", async () => {
    const unknown = { error_code: 40401, error_name: "UNKNOWN_TOPIC_OR_PARTITION", message: "topic 'err-nope' does not exist" };
    const produce = await call("POST", `${V3}/topics/err-nope/records`, { value: { type: "STRING", data: "x" } });
    expect(produce.status).toBe(404);
    expect(produce.body).toEqual(unknown);
    expect((await fetchStrings("err-nope", 0, 0)).body).toEqual(unknown);
    expect((await call("GET", `${V3}/topics/err-nope`)).body).toEqual(unknown);
    expect((await call("POST", "/topics/err-nope", { records: [{ value: 1 }] })).body).toEqual(unknown);
  });

  it("a partition out of range is a 40402 and appends nothing", async () => {
    await createTopic("err-part", 2);
    const v2 = await call("POST", "/topics/err-part", { records: [{ value: 1, partition: 0 }, { value: 2, partition: 2 }] });
    expect(v2.status).toBe(404);
    expect(v2.body.error_code).toBe(40402);
    expect((await call("POST", "/topics/err-part/partitions/9", { records: [{ value: 1 }] })).body.error_code).toBe(40402);
    expect((await fetchStrings("err-part", 2, 0)).body.error_code).toBe(40402);
    expect((await call("POST", `${V3}/topics/err-part/records`, { partition_id: 3, value: { data: 1 } })).body.error_code).toBe(40402);
    expect(await highWatermark("err-part", 0)).toBe(0);
  });

  it("an offset outside [log start, high watermark] is a 41601", async () => {
    await createTopic("err-offset");
    await call("POST", "/topics/err-offset", { records: [{ value: 1 }, { value: 2 }] });
    const past = await fetchStrings("err-offset", 0, 3);
    expect(past.status).toBe(416);
    expect(past.body).toEqual({ error_code: 41601, error_name: "OFFSET_OUT_OF_RANGE", message: expect.stringMatching(/\[0, 2\]/) });
    expect((await fetchStrings("err-offset", 0, 2)).body.records).toEqual([]);
    expect((await call("GET", `${V3}/topics/err-offset/partitions/0/records`)).body).toMatchObject({ error_code: 400, message: "offset is required" });
    expect((await call("GET", `${V3}/topics/err-offset/partitions/0/records?offset=-1`)).status).toBe(400);
  });

  it("a record over max.message.bytes refuses the whole request with 413", async () => {
    await createTopic("err-big", 1, [{ name: "max.message.bytes", value: "1000" }]);
    const records = [{ value: "small" }, { value: "x".repeat(2000) }];
    const v2 = await call("POST", "/topics/err-big", { records });
    expect(v2.status).toBe(413);
    expect(v2.body.error_code).toBe(413);
    const batch = await call("POST", `${V3}/topics/err-big/records:batch`, {
      entries: [{ id: "a", value: { type: "STRING", data: "small" } }, { id: "b", value: { type: "STRING", data: "x".repeat(2000) } }],
    });
    expect(batch.status).toBe(413);
    expect(await highWatermark("err-big")).toBe(0);
  });

  it("a body over the request limit is a 413", async () => {
    await createTopic("err-body");
    const huge = JSON.stringify({ records: [{ value: "x".repeat(17 * 1024 * 1024) }] });
    const res = await call("POST", "/topics/err-body", huge);
    expect(res.status).toBe(413);
    expect(await highWatermark("err-body")).toBe(0);
  });

  it("an unsupported content type is a 415", async () => {
    await createTopic("err-ctype");
    const res = await call("POST", "/topics/err-ctype", { records: [{ value: 1 }] }, { "content-type": "application/vnd.kafka.avro.v2+json" });
    expect(res.status).toBe(415);
    expect(res.body).toEqual({ error_code: 415, message: expect.any(String) }); // no Kafka meaning: no error_name
    const v3 = await call("POST", `${V3}/topics/err-ctype/records`, "value=1", { "content-type": "application/x-www-form-urlencoded" });
    expect(v3.status).toBe(415);
  });

  it("a bad acks value is a 400", async () => {
    await createTopic("err-acks");
    const res = await call("POST", `${V3}/topics/err-acks/records?acks=2`, { value: { data: 1 } });
    expect(res.body).toMatchObject({ error_code: 400, message: expect.stringMatching(/acks/) });
  });

  it("an unknown route or cluster is a JSON 404", async () => {
    expect(await call("GET", "/nowhere")).toMatchObject({ status: 404, body: { error_code: 404 } });
    expect((await call("GET", "/nowhere")).body.error_name).toBeUndefined();
    expect(await call("GET", "/v3/clusters/other/topics")).toMatchObject({ status: 404, body: { error_code: 404 } });
    expect(await call("GET", "/v3/clusters/other")).toMatchObject({ status: 404, body: { error_code: 404 } });
  });

  it("records:batch without entries or with duplicate ids is a 42208", async () => {
    await createTopic("err-batch");
    expect((await call("POST", `${V3}/topics/err-batch/records:batch`, { entries: [] })).body.error_code).toBe(42208);
    const dup = await call("POST", `${V3}/topics/err-batch/records:batch`, { entries: [{ id: "a", value: { data: 1 } }, { id: "a", value: { data: 2 } }] });
    expect(dup.body.error_code).toBe(42208);
    expect(await highWatermark("err-batch")).toBe(0);
  });

  it("a bad format is a 400", async () => {
    await createTopic("err-format");
    expect((await call("GET", `${V3}/topics/err-format/partitions/0/records?offset=0&format=avro`)).body.error_code).toBe(400);
  });
});

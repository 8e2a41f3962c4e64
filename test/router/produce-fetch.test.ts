import { describe, expect, it } from "vitest";
import { b64, call, createTopic, fetchStrings, V3 } from "../helpers";
import { partitionForKey } from "../../src/produce/murmur2";

const utf8 = (s: string) => new TextEncoder().encode(s);

describe("producing and fetching over v3", () => {
  it("appends one record and reads it back with key, value, headers and timestamp", async () => {
    // The record's own timestamp is years old: keep it from retention (judged by record timestamps).
    await createTopic("pf-single", 1, [{ name: "retention.ms", value: "-1" }]);
    const res = await call("POST", `${V3}/topics/pf-single/records`, {
      key: { type: "JSON", data: "k1" },
      value: { type: "JSON", data: { hello: "world" } },
      headers: [{ name: "trace", value: b64("t-1") }],
      timestamp: 1_700_000_000_000,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ error_code: 200, cluster_id: "runnel-local", topic_name: "pf-single", partition_id: 0, offset: 0 });
    expect(res.body.timestamp).toBe("2023-11-14T22:13:20.000Z");
    const got = await call("GET", `${V3}/topics/pf-single/partitions/0/records?offset=0&format=json`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ next_offset: 1, high_watermark: 1, log_start_offset: 0 });
    expect(got.body.records).toEqual([
      { topic: "pf-single", partition: 0, offset: 0, timestamp: 1_700_000_000_000, key: "k1", value: { hello: "world" }, headers: [{ name: "trace", value: b64("t-1") }] },
    ]);
  });

  it("gives one report per concatenated record object, in order", async () => {
    await createTopic("pf-stream");
    const body = ['{"value":{"type":"STRING","data":"a"}}', '{"value":{"type":"STRING","data":"b"}}', '{"value":{"type":"BINARY","data":"!!"}}', '{"value":{"type":"STRING","data":"c"}}'].join("\n");
    const res = await call("POST", `${V3}/topics/pf-stream/records`, body);
    expect(res.status).toBe(200);
    const reports = (res.body as string).trim().split("\n").map((l) => JSON.parse(l));
    expect(reports.map((r) => r.error_code)).toEqual([200, 200, 42206, 200]);
    expect(reports.filter((r) => r.error_code === 200).map((r) => r.offset)).toEqual([0, 1, 2]);
    const got = await fetchStrings("pf-stream", 0, 0);
    expect(got.body.records.map((r: any) => r.value)).toEqual(["a", "b", "c"]);
  });

  it("answers records:batch with 207, successes and failures by id", async () => {
    await createTopic("pf-batch", 2);
    const res = await call("POST", `${V3}/topics/pf-batch/records:batch`, {
      entries: [
        { id: "1", partition_id: 1, value: { type: "STRING", data: "x" } },
        { id: "2", partition_id: 5, value: { type: "STRING", data: "y" } },
        { id: "3", partition_id: 1, value: { type: "STRING", data: "z" } },
      ],
    });
    expect(res.status).toBe(207);
    expect(res.body.successes).toEqual([
      expect.objectContaining({ id: "1", partition_id: 1, offset: 0 }),
      expect.objectContaining({ id: "3", partition_id: 1, offset: 1 }),
    ]);
    expect(res.body.failures).toEqual([expect.objectContaining({ id: "2", error_code: 40402 })]);
  });

  it("places keyed records where Kafka's default partitioner would", async () => {
    await createTopic("pf-keys", 7);
    for (const key of ["alpha", "beta", "gamma", "delta"]) {
      const res = await call("POST", `${V3}/topics/pf-keys/records`, { key: { type: "STRING", data: key }, value: { type: "STRING", data: key } });
      expect(res.body.partition_id).toBe(partitionForKey(utf8(key), 7));
    }
  });

  it("spreads keyless records across partitions", async () => {
    await createTopic("pf-spread", 4);
    const seen = new Set<number>();
    for (let i = 0; i < 12; i++) {
      const res = await call("POST", `${V3}/topics/pf-spread/records`, { value: { type: "STRING", data: `${i}` } });
      seen.add(res.body.partition_id);
    }
    expect(seen.size).toBe(4);
  });

  it("keeps order and dense offsets over thousands of records in many requests", async () => {
    await createTopic("pf-many");
    for (let r = 0; r < 5; r++) {
      const records = Array.from({ length: 1000 }, (_, i) => ({ value: `${r * 1000 + i}`, partition: 0 }));
      const res = await call("POST", "/topics/pf-many", { records }, { "content-type": "application/vnd.kafka.json.v2+json" });
      expect(res.status).toBe(200);
      expect(res.body.offsets[999]).toEqual({ partition: 0, offset: r * 1000 + 999, error_code: null, error: null });
    }
    const values: string[] = [];
    let offset = 0;
    while (offset < 5000) {
      const got = await call("GET", `${V3}/topics/pf-many/partitions/0/records?offset=${offset}&format=json&max_bytes=20000`);
      expect(got.status).toBe(200);
      for (const r of got.body.records) {
        expect(r.offset).toBe(offset + values.length - offset);
        values.push(r.value);
      }
      offset = got.body.next_offset;
    }
    expect(values).toEqual(Array.from({ length: 5000 }, (_, i) => `${i}`));
  });

  it("returns only records at or after the requested offset, at most max_records", async () => {
    await createTopic("pf-mid");
    await call("POST", "/topics/pf-mid", { records: ["a", "b", "c", "d", "e"].map((value) => ({ value })) });
    const got = await fetchStrings("pf-mid", 0, 2, "&max_records=2");
    expect(got.body.records.map((r: any) => [r.offset, r.value])).toEqual([[2, '"c"'], [3, '"d"']]);
    expect(got.body.next_offset).toBe(4);
  });

  it("takes base64 keys and values on v2 binary and serves them back as base64", async () => {
    await createTopic("pf-v2bin", 3);
    const res = await call("POST", "/topics/pf-v2bin/partitions/2", { records: [{ key: b64("k"), value: b64("\u0000\u0001bytes") }] }, { "content-type": "application/vnd.kafka.binary.v2+json" });
    expect(res.body.offsets).toEqual([{ partition: 2, offset: 0, error_code: null, error: null }]);
    // The v2 fetch answers a bare array in the negotiated embedded type (binary when none is asked for).
    const got = await call("GET", "/topics/pf-v2bin/partitions/2/records?offset=0");
    expect(got.headers.get("content-type")).toBe("application/vnd.kafka.binary.v2+json");
    expect(got.body[0]).toMatchObject({ key: b64("k"), value: b64("\u0000\u0001bytes"), partition: 2 });
  });

  it("waits at the high watermark until a record arrives", async () => {
    await createTopic("pf-wait");
    const waiting = fetchStrings("pf-wait", 0, 0, "&timeout_ms=5000");
    await new Promise((r) => setTimeout(r, 100));
    await call("POST", `${V3}/topics/pf-wait/records`, { value: { type: "STRING", data: "late" } });
    const got = await waiting;
    expect(got.body.records.map((r: any) => r.value)).toEqual(["late"]);
  });

  it("answers an empty fetch at the high watermark once the wait runs out", async () => {
    await createTopic("pf-idle");
    const got = await fetchStrings("pf-idle", 0, 0, "&timeout_ms=50");
    expect(got.body).toEqual({ records: [], next_offset: 0, high_watermark: 0, log_start_offset: 0 });
  });

  it("stamps records with the log's time under LogAppendTime", async () => {
    await createTopic("pf-lat", 1, [{ name: "message.timestamp.type", value: "LogAppendTime" }]);
    const before = Date.now();
    await call("POST", `${V3}/topics/pf-lat/records`, { value: { type: "STRING", data: "x" }, timestamp: 1000 });
    const got = await fetchStrings("pf-lat", 0, 0);
    expect(got.body.records[0].timestamp).toBeGreaterThanOrEqual(before);
  });

  it("stores gzip batches when compression.type is gzip and reads them back", async () => {
    await createTopic("pf-gzip", 1, [{ name: "compression.type", value: "gzip" }]);
    const records = Array.from({ length: 200 }, (_, i) => ({ value: `value number ${i} repeated repeated repeated` }));
    await call("POST", "/topics/pf-gzip", { records });
    const got = await fetchStrings("pf-gzip", 0, 0);
    expect(got.body.records).toHaveLength(200);
    expect(got.body.records[199].value).toBe('"value number 199 repeated repeated repeated"');
  });

  it("answers acks=0 at once and still appends", async () => {
    await createTopic("pf-acks0");
    const res = await call("POST", `${V3}/topics/pf-acks0/records?acks=0`, { value: { type: "STRING", data: "fire" } });
    expect(res.body.offset).toBe(-1);
    const got = await fetchStrings("pf-acks0", 0, 0, "&timeout_ms=2000");
    expect(got.body.records.map((r: any) => r.value)).toEqual(["fire"]);
  });

  it("finds the first offset at or after a timestamp, even when timestamps go back", async () => {
    await createTopic("pf-time");
    const t0 = Date.now() - 60_000; // recent: older records may be deleted by retention at once
    const records = [100, 200, 300, 250, 400].map((t) => ({ value: `${t}`, timestamp: t0 + t }));
    await call("POST", "/topics/pf-time", { records });
    const at = (t: number) => call("GET", `${V3}/topics/pf-time/partitions/0/offsets?timestamp=${t0 + t}`);
    expect((await at(0)).body).toMatchObject({ offset: 0, timestamp: t0 + 100 });
    expect((await at(201)).body).toMatchObject({ offset: 2, timestamp: t0 + 300 });
    expect((await at(400)).body).toMatchObject({ offset: 4, timestamp: t0 + 400 });
    expect((await at(401)).body).toMatchObject({ offset: 5, timestamp: null });
    expect((await call("GET", `${V3}/topics/pf-time/partitions/0/offsets`)).body).toMatchObject({ earliest_offset: 0, latest_offset: 5 });
  });
});

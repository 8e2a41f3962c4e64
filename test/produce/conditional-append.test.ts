// Conditional append (`?expected_offset=`) and fencing tokens on every
// produce path that targets one partition (API.md "Conditional append and
// fencing"): the leader checks and appends in one step, a refusal appends
// nothing, and racing appends at the same offset have exactly one winner.
import { SELF } from "cloudflare:test";
import { afterAll, describe, expect, it } from "vitest";
import { call, createTopic, V3 } from "../helpers";
import { idempotentBatch, newProducer } from "../replication/idempotence-helpers";
import { partition, quiesce } from "../replication/helpers";
import { buildBatch, encodeRecords } from "../../src/record/record-batch";

afterAll(() => quiesce(["cond-"]), 20_000);

const utf8 = (s: string) => new TextEncoder().encode(s);
const V2_JSON = { "content-type": "application/vnd.kafka.json.v2+json" };

/** A plain batch (no producer id) of `values`. */
function plainBatch(values: string[]): Uint8Array {
  const t = Date.now();
  const records = values.map((v) => ({ key: null, value: utf8(v), headers: [], timestampMs: t }));
  return buildBatch({ recordCount: records.length, baseTimestampMs: t, maxTimestampMs: t, recordsSection: encodeRecords(records, t) });
}

async function postBatch(topic: string, body: Uint8Array, query = "", headers: Record<string, string> = {}) {
  const res = await SELF.fetch(`http://runnel.test${V3}/topics/${topic}/partitions/0/batches${query}`, {
    method: "POST",
    headers: { "content-type": "application/vnd.kafka.record-batch", ...headers },
    body,
  });
  return { status: res.status, body: (await res.json()) as any };
}

/** v3 produce of one JSON value to partition 0. */
function v3(topic: string, value: unknown, query = "", headers: Record<string, string> = {}) {
  return call("POST", `${V3}/topics/${topic}/records${query}`, { partition_id: 0, value: { type: "JSON", data: value } }, headers);
}

/** Every value of partition 0, as fetch shows them (JSON), with their offsets. */
async function shown(topic: string): Promise<string[]> {
  const res = await call("GET", `${V3}/topics/${topic}/partitions/0/records?offset=0&format=json`);
  expect(res.status).toBe(200);
  return res.body.records.map((r: { offset: number; value: unknown }) => `${r.offset}:${JSON.stringify(r.value)}`);
}

const leo = async (topic: string) => (await partition(topic)).log_end_offset as number;

describe("expected_offset", () => {
  it("appends a v3 record only at the expected log end, else 40905 with the log end offset and nothing appended", async () => {
    await createTopic("cond-v3");
    const first = await v3("cond-v3", "a", "?expected_offset=0");
    expect(first.status).toBe(200);
    expect(first.body.offset).toBe(0);
    const stale = await v3("cond-v3", "b", "?expected_offset=0");
    expect(stale.status).toBe(409);
    expect(stale.body).toEqual({ error_code: 40905, message: expect.stringMatching(/expected_offset is 0, but the log end offset is 1/), log_end_offset: 1 });
    const ahead = await v3("cond-v3", "c", "?expected_offset=5");
    expect(ahead.body).toMatchObject({ error_code: 40905, log_end_offset: 1 });
    expect((await v3("cond-v3", "d", "?expected_offset=1")).body.offset).toBe(1);
    expect(await shown("cond-v3")).toEqual(['0:"a"', '1:"d"']);
  });

  it("appends several v3 records at N or none of them (one bad record refuses the whole request)", async () => {
    await createTopic("cond-v3-many");
    const body = (values: unknown[]) => values.map((v) => JSON.stringify({ partition_id: 0, value: { type: "JSON", data: v } })).join("\n");
    const two = await call("POST", `${V3}/topics/cond-v3-many/records?expected_offset=0`, body(["a", "b"]));
    expect(two.status).toBe(200);
    expect(two.body.split("\n").filter(Boolean).map((l: string) => JSON.parse(l).offset)).toEqual([0, 1]);
    const withBad = `${body(["c"])}\n${JSON.stringify({ partition_id: 0, value: { type: "NOPE", data: 1 } })}`;
    const refused = await call("POST", `${V3}/topics/cond-v3-many/records?expected_offset=2`, withBad);
    expect(refused.status).toBe(422);
    const stale = await call("POST", `${V3}/topics/cond-v3-many/records?expected_offset=0`, body(["x", "y"]));
    expect(stale.body).toMatchObject({ error_code: 40905, log_end_offset: 2 });
    expect(await shown("cond-v3-many")).toEqual(['0:"a"', '1:"b"']);
  });

  it("applies to v2 partition produce, v3 records:batch and record batches, with any acks", async () => {
    await createTopic("cond-paths");
    const v2 = (value: string, expected: number) => call("POST", `/topics/cond-paths/partitions/0?expected_offset=${expected}`, { records: [{ value }] }, V2_JSON);
    expect((await v2("a", 0)).body.offsets[0]).toMatchObject({ partition: 0, offset: 0, error_code: null });
    expect(await v2("stale", 0)).toMatchObject({ status: 409, body: { error_code: 40905, log_end_offset: 1 } });
    const batch = (id: string, expected: number) => call("POST", `${V3}/topics/cond-paths/records:batch?expected_offset=${expected}`, { entries: [{ id, partition_id: 0, value: { type: "JSON", data: id } }] });
    expect((await batch("b", 1)).body.successes).toEqual([expect.objectContaining({ id: "b", offset: 1 })]);
    expect(await batch("stale", 1)).toMatchObject({ status: 409, body: { error_code: 40905, log_end_offset: 2 } });
    expect((await postBatch("cond-paths", plainBatch(['"c"', '"d"']), "?expected_offset=2&acks=1")).body).toMatchObject({ base_offset: 2, last_offset: 3 });
    expect(await postBatch("cond-paths", plainBatch(["stale"]), "?expected_offset=2")).toMatchObject({ status: 409, body: { error_code: 40905, log_end_offset: 4 } });
    // acks=0 answers at once; the refusal is unheard, and nothing is appended.
    expect((await call("POST", "/topics/cond-paths/partitions/0?expected_offset=0&acks=0", { records: [{ value: "late" }] }, V2_JSON)).status).toBe(200);
    expect((await v2("e", 4)).body.offsets[0].offset).toBe(4);
    expect(await shown("cond-paths")).toEqual(['0:"a"', '1:"b"', '2:"c"', '3:"d"', '4:"e"']);
  });

  it("refuses with 400 a request whose records go to more than one partition, appending nothing", async () => {
    await createTopic("cond-spread", 2);
    const records = [{ value: "a", partition: 0 }, { value: "b", partition: 1 }];
    const res = await call("POST", "/topics/cond-spread?expected_offset=0", { records }, V2_JSON);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/these records go to 2 partitions; .*nothing was appended/);
    // Resolved to one partition, a topic-level request is conditional too.
    expect((await call("POST", "/topics/cond-spread?expected_offset=0", { records: [records[1]] }, V2_JSON)).body.offsets[0].offset).toBe(0);
    expect(await leo("cond-spread")).toBe(0);
  });

  it("refuses a malformed expected_offset with 400", async () => {
    await createTopic("cond-bad");
    for (const q of ["-1", "x", "1.5", ""]) {
      const res = await v3("cond-bad", "a", `?expected_offset=${q}`);
      expect(res.status, q).toBe(400);
    }
    expect(await leo("cond-bad")).toBe(0);
  });

  it("lets exactly one of several racing appends at the same offset win", async () => {
    await createTopic("cond-race");
    for (let round = 0; round < 5; round++) {
      const racers = await Promise.all([0, 1, 2, 3].map((i) => v3("cond-race", `r${round}-${i}`, `?expected_offset=${round}`)));
      expect(racers.filter((r) => r.status === 200).length).toBe(1);
      for (const r of racers.filter((x) => x.status !== 200)) expect(r.body).toMatchObject({ error_code: 40905, log_end_offset: round + 1 });
    }
    expect(await leo("cond-race")).toBe(5);
  });

  it("answers a retry it recognises (Idempotency-Key, an idempotent batch) with the original offsets, not 40905", async () => {
    await createTopic("cond-retry");
    const keyed = () => v3("cond-retry", "a", "?expected_offset=0", { "idempotency-key": "k-1" });
    expect((await keyed()).body.offset).toBe(0);
    expect((await keyed()).body.offset).toBe(0);
    const pid = await newProducer();
    const batch = idempotentBatch(pid, 0, 0, ["b", "c"]);
    expect((await postBatch("cond-retry", batch, "?expected_offset=1")).body).toMatchObject({ base_offset: 1, last_offset: 2 });
    expect((await postBatch("cond-retry", batch, "?expected_offset=1")).body).toMatchObject({ base_offset: 1, last_offset: 2 });
    expect(await leo("cond-retry")).toBe(3);
  });
});

describe("fencing tokens", () => {
  const fence = (topic: string, token: unknown, p = 0) => call("POST", `${V3}/topics/${topic}/partitions/${p}/fence`, { token });
  const fenced = (token: string) => ({ "runnel-fencing-token": token });

  it("admits a produce carrying the current token, refuses an old one with 40906 PRODUCER_FENCED, and checks none without the header", async () => {
    await createTopic("cond-fence", 2);
    expect(await v3("cond-fence", "before", "", fenced("w1"))).toMatchObject({ status: 409, body: { error_code: 40906, error_name: "PRODUCER_FENCED" } });
    expect((await fence("cond-fence", "w1")).body).toEqual({ token: "w1", offset: 0 });
    expect((await v3("cond-fence", "a", "", fenced("w1"))).body.offset).toBe(1);
    expect((await fence("cond-fence", "w2")).body).toEqual({ token: "w2", offset: 2 });
    const old = await v3("cond-fence", "zombie", "", fenced("w1"));
    expect(old.status).toBe(409);
    expect(old.body).toEqual({ error_code: 40906, error_name: "PRODUCER_FENCED", message: expect.stringMatching(/another fencing token was set .*nothing was appended/) });
    const v2 = await call("POST", "/topics/cond-fence/partitions/0", { records: [{ value: "zombie" }] }, { ...V2_JSON, ...fenced("w1") });
    expect(v2.body).toMatchObject({ error_code: 40906, error_name: "PRODUCER_FENCED" });
    expect((await postBatch("cond-fence", plainBatch(["zombie"]), "", fenced("w1"))).body).toMatchObject({ error_code: 40906 });
    expect((await postBatch("cond-fence", plainBatch(["b"]), "", fenced("w2"))).body.base_offset).toBe(3);
    expect((await v3("cond-fence", "c")).body.offset).toBe(4); // no header: not checked
    // Token and expected offset together: both must hold.
    expect((await v3("cond-fence", "d", "?expected_offset=4", fenced("w1"))).body.error_code).toBe(40906);
    expect((await v3("cond-fence", "d", "?expected_offset=3", fenced("w2"))).body.error_code).toBe(40905);
    expect((await v3("cond-fence", "d", "?expected_offset=5", fenced("w2"))).body.offset).toBe(5);
    // An old token may be set again; the other partition has none of this.
    expect((await fence("cond-fence", "w1")).body.offset).toBe(6);
    expect((await v3("cond-fence", "e", "", fenced("w1"))).body.offset).toBe(7);
    const other = await call("POST", `${V3}/topics/cond-fence/records`, { partition_id: 1, value: { type: "JSON", data: "x" } }, fenced("w1"));
    expect(other.body.error_code).toBe(40906);
  });

  it("keeps fences out of what readers see: fetch, record batches and the next offset skip them", async () => {
    await createTopic("cond-hidden");
    await v3("cond-hidden", "a");
    await fence("cond-hidden", "t");
    await v3("cond-hidden", "b");
    expect(await shown("cond-hidden")).toEqual(['0:"a"', '2:"b"']);
    const fromFence = await call("GET", `${V3}/topics/cond-hidden/partitions/0/records?offset=1&format=json`);
    expect(fromFence.body).toMatchObject({ records: [{ offset: 2 }], next_offset: 3 });
    const onlyFence = await call("GET", `${V3}/topics/cond-hidden/partitions/0/records?offset=1&max_records=1&max_bytes=1&format=json`);
    expect(onlyFence.body.records.map((r: { offset: number }) => r.offset)).not.toContain(1);
  });

  it("refuses a malformed token, in a fence body or the header, with 400 and changes nothing", async () => {
    await createTopic("cond-token");
    for (const token of ["", "x".repeat(65), "é", 7, null]) expect((await fence("cond-token", token)).status, String(token)).toBe(400);
    expect((await call("POST", `${V3}/topics/cond-token/partitions/0/fence`, { token: "a", extra: 1 })).status).toBe(400);
    expect((await v3("cond-token", "a", "", fenced("x".repeat(65)))).status).toBe(400);
    expect((await fence("cond-token", "x".repeat(64))).status).toBe(200);
    expect((await fence("cond-token", "a", 3)).status).toBe(404);
    expect(await leo("cond-token")).toBe(1);
  });

  it("survives a restart of the broker holding the partition", async () => {
    await createTopic("cond-restart");
    await fence("cond-restart", "w1");
    await fence("cond-restart", "w2");
    expect((await call("POST", `${V3}/brokers/0/restart`)).status).toBe(204);
    expect((await v3("cond-restart", "zombie", "", fenced("w1"))).body.error_code).toBe(40906);
    expect((await v3("cond-restart", "a", "", fenced("w2"))).body.offset).toBe(2);
  });
});

import { SELF } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { call, createTopic, V3 } from "../helpers";
import { SseReader } from "./sse-events";

const open: SseReader[] = [];
afterEach(async () => {
  for (const r of open.splice(0)) await r.close();
});

/** Produces `values` (JSON strings) to one partition in one request: one stored batch. */
async function produce(topic: string, partition: number, values: string[], acks = "all") {
  const res = await call("POST", `/topics/${topic}/partitions/${partition}?acks=${acks}`, { records: values.map((value) => ({ value })) }, { "content-type": "application/vnd.kafka.json.v2+json" });
  expect(res.status).toBe(200);
}

async function tail(path: string, headers: Record<string, string> = {}) {
  const res = await SELF.fetch(`http://runnel.test${V3}${path}`, { headers: { accept: "text/event-stream", ...headers } });
  return res;
}

async function stream(path: string, headers: Record<string, string> = {}): Promise<SseReader> {
  const res = await tail(path, headers);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const reader = new SseReader(res.body!);
  open.push(reader);
  return reader;
}

/** Offsets and values of the records in per-partition events. */
function records(reader: SseReader): { offset: number; value: string }[] {
  return reader.records().flatMap((e) => JSON.parse(e.data!) as { offset: number; value: string }[]);
}

describe("live tail of a partition (SSE)", () => {
  it("streams every record in order, one event per batch with the next offset as id, then follows new ones", async () => {
    await createTopic("sse-basic");
    await produce("sse-basic", 0, ["a", "b", "c"]);
    await produce("sse-basic", 0, ["d"]);
    const reader = await stream("/topics/sse-basic/partitions/0/records?offset=1&format=json");
    expect(await reader.until((items) => items.filter((i) => i.event === "records").length === 2)).toBe(true);
    expect(reader.records().map((e) => e.id)).toEqual(["3", "4"]);
    const first = JSON.parse(reader.records()[0]!.data!);
    expect(first[0]).toMatchObject({ topic: "sse-basic", partition: 0, offset: 1, value: "b", headers: [] });
    await produce("sse-basic", 0, ["e", "f"]);
    expect(await reader.until((items) => items.filter((i) => i.event === "records").length === 3)).toBe(true);
    expect(reader.records()[2]!.id).toBe("6");
    expect(records(reader).map((r) => r.value)).toEqual(["b", "c", "d", "e", "f"]);
  });

  it("Last-Event-ID resumes exactly where the client left off and wins over offset", async () => {
    await createTopic("sse-resume");
    for (let i = 0; i < 5; i++) await produce("sse-resume", 0, [`${i}a`, `${i}b`]);
    const first = await stream("/topics/sse-resume/partitions/0/records?offset=0&format=json");
    expect(await first.until((items) => items.filter((i) => i.event === "records").length >= 2)).toBe(true);
    const seen = records(first).slice(0, 4);
    const lastId = first.records()[1]!.id!;
    expect(lastId).toBe("4");
    await first.close();
    await produce("sse-resume", 0, ["5a"]);
    const again = await stream("/topics/sse-resume/partitions/0/records?offset=0&format=json", { "last-event-id": lastId });
    expect(await again.until(() => records(again).length === 7)).toBe(true);
    const all = [...seen, ...records(again)];
    expect(all.map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("starts at the high watermark without an offset, and delivers records only below it", async () => {
    // Two replicas; the follower's broker stops answering, so an acks=1 append stays above the high watermark.
    await createTopic("sse-hw", 1, [{ name: "replica.lag.time.max.ms", value: "600000" }], 2);
    await produce("sse-hw", 0, ["seen-before"]);
    const reader = await stream("/topics/sse-hw/partitions/0/records?format=json");
    expect(await call("POST", `${V3}/brokers/1/faults`, { mode: "down" })).toMatchObject({ status: 204 });
    try {
      await produce("sse-hw", 0, ["above-hw"], "1");
      const partition = await call("GET", `${V3}/topics/sse-hw/partitions/0`);
      expect(partition.body).toMatchObject({ high_watermark: 1, log_end_offset: 2 });
      expect(await reader.until((items) => items.some((i) => i.event === "records"), 1_500)).toBe(false);
    } finally {
      await call("POST", `${V3}/brokers/1/faults`, { mode: "heal" });
    }
    expect(await reader.until(() => records(reader).length === 1, 10_000)).toBe(true);
    expect(records(reader)).toMatchObject([{ offset: 1, value: "above-hw" }]);
    expect(reader.records()[0]!.id).toBe("2");
  });

  it("sends a ping comment while nothing is produced", async () => {
    await createTopic("sse-ping");
    const reader = await stream("/topics/sse-ping/partitions/0/records?offset=0");
    const started = Date.now();
    expect(await reader.until((items) => items.some((i) => i.comment === "ping"), 15_000)).toBe(true);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(reader.records()).toEqual([]);
  });

  it("ends with an error event when the topic is deleted under it", async () => {
    await createTopic("sse-deleted");
    const reader = await stream("/topics/sse-deleted/partitions/0/records?offset=0");
    expect((await call("DELETE", `${V3}/topics/sse-deleted`)).status).toBe(204);
    expect(await reader.until(() => reader.ended, 15_000)).toBe(true);
    const error = reader.items.find((i) => i.event === "error");
    expect(JSON.parse(error!.data!)).toMatchObject({ error_code: 40401 });
  });
});

describe("live tail errors are JSON answers before the stream starts", () => {
  it("an offset outside the log is 41601", async () => {
    await createTopic("sse-range");
    await produce("sse-range", 0, ["x"]);
    for (const headers of [{}, { "last-event-id": "9" }] as Record<string, string>[]) {
      const res = await tail("/topics/sse-range/partitions/0/records?offset=5", headers);
      expect(res.status).toBe(416);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      expect(await res.json()).toMatchObject({ error_code: 41601 });
    }
  });

  it("an unknown topic is 40401, an unknown partition 40402, a bad parameter 400", async () => {
    await createTopic("sse-errors", 2);
    const cases: [string, Record<string, string>, number][] = [
      ["/topics/sse-nope/partitions/0/records?offset=0", {}, 40401],
      ["/topics/sse-nope/records", {}, 40401],
      ["/topics/sse-errors/partitions/2/records?offset=0", {}, 40402],
      ["/topics/sse-errors/partitions/0/records?offset=-1", {}, 400],
      ["/topics/sse-errors/partitions/0/records", { "last-event-id": "x" }, 400],
      ["/topics/sse-errors/partitions/0/records?format=avro", {}, 400],
      ["/topics/sse-errors/records?from=middle", {}, 400],
      ["/topics/sse-errors/records", { "last-event-id": "0:1,0:2" }, 400],
      ["/topics/sse-errors/records", { "last-event-id": "5:0" }, 40402],
      ["/topics/sse-errors/records", { "last-event-id": "1:3" }, 41601],
    ];
    for (const [path, headers, code] of cases) {
      const res = await tail(path, headers);
      expect([path, (await res.json() as { error_code: number }).error_code]).toEqual([path, code]);
    }
  });

  it("the topic-wide tail answers event streams only; the partition path still answers JSON fetches", async () => {
    await createTopic("sse-json");
    const res = await SELF.fetch(`http://runnel.test${V3}/topics/sse-json/records`, { headers: { accept: "application/json" } });
    expect(res.status).toBe(406);
    expect(await res.json()).toMatchObject({ error_code: 40601 });
    const fetched = await call("GET", `${V3}/topics/sse-json/partitions/0/records?offset=0`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toMatchObject({ records: [], next_offset: 0, high_watermark: 0 });
  });
});

describe("live tail of a whole topic (SSE)", () => {
  it("streams every partition with ids listing each partition's next offset, and resumes by them", async () => {
    await createTopic("sse-topic", 3);
    await produce("sse-topic", 0, ["p0-0", "p0-1"]);
    await produce("sse-topic", 2, ["p2-0"]);
    const reader = await stream("/topics/sse-topic/records?from=earliest&format=json");
    expect(await reader.until((items) => items.filter((i) => i.event === "records").length === 2)).toBe(true);
    const events = reader.records().map((e) => ({ id: e.id, data: JSON.parse(e.data!) as { partition: number; records: { value: string }[] } }));
    const byPartition = new Map(events.map((e) => [e.data.partition, e.data.records.map((r) => r.value)]));
    expect(byPartition).toEqual(new Map([[0, ["p0-0", "p0-1"]], [2, ["p2-0"]]]));
    expect(events.at(-1)!.id).toBe("0:2,1:0,2:1");
    await produce("sse-topic", 1, ["p1-0"]);
    expect(await reader.until((items) => items.filter((i) => i.event === "records").length === 3)).toBe(true);
    const lastId = reader.records()[2]!.id!;
    expect(lastId).toBe("0:2,1:1,2:1");
    await reader.close();

    await produce("sse-topic", 0, ["p0-2"]);
    const again = await stream("/topics/sse-topic/records?from=earliest&format=json", { "last-event-id": lastId });
    expect(await again.until((items) => items.some((i) => i.event === "records"))).toBe(true);
    const resumed = again.records().map((e) => JSON.parse(e.data!));
    expect(resumed).toMatchObject([{ partition: 0, records: [{ offset: 2, value: "p0-2" }] }]);
    expect(again.records()[0]!.id).toBe("0:3,1:1,2:1");
  });

  it("from=latest (the default) starts at each partition's high watermark", async () => {
    await createTopic("sse-latest", 2);
    await produce("sse-latest", 0, ["old"]);
    const reader = await stream("/topics/sse-latest/records");
    await produce("sse-latest", 1, ["new"]);
    expect(await reader.until((items) => items.some((i) => i.event === "records"))).toBe(true);
    const [event] = reader.records();
    expect(JSON.parse(event!.data!)).toMatchObject({ partition: 1, records: [{ offset: 0 }] });
    expect(event!.id).toBe("0:1,1:1");
  });
});

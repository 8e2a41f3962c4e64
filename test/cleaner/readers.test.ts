// Every reader of stored batches on a compacted partition: offsets with gaps, batches holding fewer records than their
// offsets span, and batches kept with no record at all (the first of a leader epoch, here offset 0).
import { SELF } from "cloudflare:test";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { decodeBatches } from "../../src/client/batch-decode";
import { call, createTopic, V3 } from "../helpers";
import { SseReader } from "../fetch/sse-events";
import { consumer, stopPumps, subscribe, subscriber, waitFor } from "../group/helpers";

const open: SseReader[] = [];
afterEach(async () => {
  for (const r of open.splice(0)) await r.close();
});
afterAll(() => stopPumps("clr-"), 20_000);

const COMPACTED = [
  { name: "cleanup.policy", value: "compact" },
  { name: "segment.bytes", value: "100" },
  { name: "min.cleanable.dirty.ratio", value: "0" },
];
const T0 = 1_700_000_000_000;

/**
 * A compacted topic holding a=1 b=1 a=2 b=2 c=1 (offsets 0-4, each in a
 * segment of its own, timestamps T0 + offset), cleaned by the leader's
 * own alarm: 2 (a=2), 3 (b=2) and 4 (c=1, the active segment) are left,
 * and an empty batch at 0, the first of its leader epoch.
 */
async function compactedTopic(name: string) {
  await createTopic(name, 1, COMPACTED);
  const records: [string, string][] = [["a", "1"], ["b", "1"], ["a", "2"], ["b", "2"], ["c", "1"]];
  for (const [i, [key, value]] of records.entries()) {
    const res = await call("POST", `/topics/${name}/partitions/0`, { records: [{ key, value, timestamp: T0 + i }] }, { "content-type": "application/vnd.kafka.json.v2+json" });
    expect(res.status).toBe(200);
  }
  await waitFor("the leader's cleaner to pass", async () => (await call("GET", `${V3}/topics/${name}/partitions/0`)).body.cleaner?.last_cleaned_offset === 4, 10_000);
}

const fetchJson = (topic: string, query: string) => call("GET", `${V3}/topics/${topic}/partitions/0/records?format=json&${query}`);

describe("reading a compacted partition", () => {
  it("fetch: records keep their offsets, a gap reads on from the next record, and next_offset moves past batches left empty", async () => {
    await compactedTopic("clr-fetch");
    const all = await fetchJson("clr-fetch", "offset=0");
    expect(all.body.records.map((r: any) => [r.offset, r.key, r.value, r.timestamp])).toEqual([
      [2, "a", "2", T0 + 2],
      [3, "b", "2", T0 + 3],
      [4, "c", "1", T0 + 4],
    ]);
    expect(all.body).toMatchObject({ next_offset: 5, high_watermark: 5, log_start_offset: 0 });
    // Positioned where a record was compacted away: the next one.
    expect((await fetchJson("clr-fetch", "offset=1")).body.records.map((r: any) => r.offset)).toEqual([2, 3, 4]);
    // One batch at a time: the empty batch at 0 gives no record but moves the next offset on.
    const first = await fetchJson("clr-fetch", "offset=0&max_bytes=1");
    expect(first.body).toMatchObject({ records: [], next_offset: 1 });
    expect((await fetchJson("clr-fetch", "offset=0&max_records=1")).body).toMatchObject({ records: [{ offset: 2 }], next_offset: 3 });
    // By time: the first record left at or after it.
    expect((await call("GET", `${V3}/topics/clr-fetch/partitions/0/offsets?timestamp=${T0}`)).body).toMatchObject({ offset: 2, timestamp: T0 + 2 });
    expect((await call("GET", `${V3}/topics/clr-fetch/partitions/0/offsets?timestamp=${T0 + 3}`)).body).toMatchObject({ offset: 3, timestamp: T0 + 3 });
  });

  it("record batches: stored bytes as the cleaner left them, the client's decoder reads them, and Runnel-Next-Offset moves past them", async () => {
    await compactedTopic("clr-batches");
    const res = await SELF.fetch(`http://runnel.test${V3}/topics/clr-batches/partitions/0/batches?offset=1`, { headers: { accept: "application/vnd.kafka.record-batch" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("runnel-next-offset")).toBe("5");
    const decoded = await decodeBatches(new Uint8Array(await res.arrayBuffer()), 1);
    expect(decoded.map((r) => r.offset)).toEqual([2, 3, 4]);
    const empty = await SELF.fetch(`http://runnel.test${V3}/topics/clr-batches/partitions/0/batches?offset=0&max_bytes=1`, { headers: { accept: "application/vnd.kafka.record-batch" } });
    const bytes = new Uint8Array(await empty.arrayBuffer());
    expect(bytes.length).toBe(61); // the empty batch: a header alone
    expect(empty.headers.get("runnel-next-offset")).toBe("1");
    expect(await decodeBatches(bytes, 0)).toEqual([]);
  });

  it("the live tail (SSE): events hold only the records left, and the tail reads on past an empty batch", async () => {
    await compactedTopic("clr-sse");
    const res = await SELF.fetch(`http://runnel.test${V3}/topics/clr-sse/partitions/0/records?offset=0&format=json`, { headers: { accept: "text/event-stream" } });
    const reader = new SseReader(res.body!);
    open.push(reader);
    const offsets = () => reader.records().flatMap((e) => (JSON.parse(e.data!) as { offset: number }[]).map((r) => r.offset));
    expect(await reader.until(() => offsets().length >= 3)).toBe(true);
    expect(offsets()).toEqual([2, 3, 4]);
    expect(reader.records().map((e) => e.id)).toEqual(["3", "4", "5"]);
  });

  it("a consumer instance (v2): polls only the records left, reading on past empty batches one small read at a time", async () => {
    await compactedTopic("clr-v2");
    const base = await consumer("clr-v2-g");
    await subscribe(base, ["clr-v2"]);
    const got: number[] = [];
    for (let i = 0; i < 20 && got.length < 3; i++) {
      const res = await call("GET", `${base}/records?timeout=100&max_bytes=1`);
      expect(res.status).toBe(200);
      got.push(...res.body.map((r: { offset: number }) => r.offset));
    }
    expect(got).toEqual([2, 3, 4]);
    expect((await call("POST", `${base}/offsets`)).status).toBe(200);
    const committed = await call("GET", `${V3}/consumer-groups/clr-v2-g/lags`);
    expect(committed.body.data[0]).toMatchObject({ current_offset: 5, lag: 0 });
  });

  it("a WebSocket subscriber: only the records left, and the position past the last batch", async () => {
    await compactedTopic("clr-ws");
    const s = await subscriber("clr-ws-g", "topics=clr-ws&auto_offset_reset=earliest&permits=100&format=json");
    await s.until("three records", () => s.records().length >= 3);
    expect(s.records().map((r: any) => [r.offset, r.key])).toEqual([
      [2, "a"],
      [3, "b"],
      [4, "c"],
    ]);
    expect(s.frames.filter((f) => f.type === "records").at(-1)!.next_offset).toBe(5);
    s.ws.close();
  });
});

// Compaction of the segments held in the bucket: keys superseded after their segment was copied, and tombstones past
// delete.retention.ms, go from the bucket's copies too — each changed segment written anew under a new key, recorded in
// place of the old one, whose object is then deleted — and every reader sees what a model of Kafka's semantics says.
import { env, SELF } from "cloudflare:test";
import { afterAll, describe, expect, it } from "vitest";
import { decodeBatches } from "../../src/client/batch-decode";
import { call, createTopic, V3 } from "../helpers";
import { quiesce, replica, waitFor } from "../replication/helpers";
import { bucketKeys, inReplica, tieredConfigs, tieredState, waitForView } from "./helpers";

afterAll(() => quiesce(["trc-"]), 30_000);

const T0 = 1_700_000_000_000;
const text = new TextDecoder();

type Rec = [offset: number, key: string | null, value: string | null];

/** Appends each [key, value] (null value: a tombstone) as a request of its own, at T0 + its offset: with segment.bytes 100, each closes the segment before it. */
async function produceKeyed(topic: string, records: [string, string | null][]): Promise<void> {
  for (const [key, value] of records) {
    const hw = (await call("GET", `${V3}/topics/${topic}/partitions/0`)).body.high_watermark as number;
    const res = await call("POST", `/topics/${topic}/partitions/0`, { records: [{ key, value, timestamp: T0 + hw }] }, { "content-type": "application/vnd.kafka.json.v2+json" });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
}

/** The records an object of the bucket holds, decoded as a consumer decodes them. */
async function objectRecords(key: string): Promise<Rec[]> {
  const body = await env.SEGMENTS.get(key);
  if (body === null) throw new Error(`no object ${key}`);
  return recordsOf(new Uint8Array(await body.arrayBuffer()), 0);
}

/** The records of stored batches from `offset`: keys and values are JSON (the v2 JSON produce's). */
async function recordsOf(batches: Uint8Array, offset: number): Promise<Rec[]> {
  const json = (b: Uint8Array | null) => (b === null ? null : JSON.parse(text.decode(b)));
  return (await decodeBatches(batches, offset)).map((r): Rec => [r.offset, json(r.key), json(r.value)]);
}

/** What the bucket holds for the partition, read from the objects the leader records (oldest first), and whether nothing else is there. */
async function bucketState(topic: string) {
  const { topicId } = await replica(topic, 0, 0);
  const state = await tieredState(topic, 0, 0);
  const records: Rec[] = [];
  for (const s of state.remote) records.push(...(await objectRecords(s.key)));
  const keys = await bucketKeys(`${topicId}/`);
  return { state, records, onlyRecorded: JSON.stringify(keys) === JSON.stringify(state.remote.map((s) => s.key).sort()) };
}

/** Every record from `offset` up to the high watermark, through fetch (format=json), following next_offset across gaps. */
async function fetched(topic: string, offset: number): Promise<Rec[]> {
  const out: Rec[] = [];
  for (let at = offset; ; ) {
    const res = await call("GET", `${V3}/topics/${topic}/partitions/0/records?offset=${at}&format=json`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    out.push(...res.body.records.map((r: any): Rec => [r.offset, r.key, r.value]));
    if (res.body.next_offset >= res.body.high_watermark) return out;
    at = res.body.next_offset;
  }
}

/** Every record from `offset`, through the record-batch endpoint (the bytes the Kafka front door serves), one batch a read. */
async function batched(topic: string, offset: number): Promise<Rec[]> {
  const out: Rec[] = [];
  for (let at = offset; ; ) {
    const res = await SELF.fetch(`http://runnel.test${V3}/topics/${topic}/partitions/0/batches?offset=${at}&max_bytes=1`, { headers: { accept: "application/vnd.kafka.record-batch" } });
    const body = new Uint8Array(await res.arrayBuffer());
    expect(res.status, text.decode(body)).toBe(200);
    if (body.length === 0) return out;
    out.push(...(await recordsOf(body, at)));
    at = Number(res.headers.get("runnel-next-offset"));
  }
}

/** The model's answer to an offset-by-time lookup: the first record kept at or after `timestampMs` (records at T0 + offset). */
function byTime(kept: Rec[], timestampMs: number): number | null {
  return kept.find(([offset]) => T0 + offset >= timestampMs)?.[0] ?? null;
}

async function expectReaders(topic: string, kept: Rec[]) {
  expect(await fetched(topic, 0)).toEqual(kept);
  expect(await batched(topic, 0)).toEqual(kept);
  for (const [offset] of kept) expect((await fetched(topic, offset))[0]).toEqual(kept.find((r) => r[0] >= offset)); // from each record, and across each gap
  for (let t = T0; t <= T0 + kept[kept.length - 1]![0]; t++) {
    const res = await call("GET", `${V3}/topics/${topic}/partitions/0/offsets?timestamp=${t}`);
    expect(res.body.offset ?? null, `by time ${t - T0}`).toBe(byTime(kept, t));
  }
}

const COMPACTED = { "cleanup.policy": "compact", "min.cleanable.dirty.ratio": "0", "local.retention.ms": "1" };

describe("compaction of the segments in the bucket", () => {
  it("removes keys superseded after their segment was copied from the bucket's copy, and readers see each key's latest", async () => {
    await createTopic("trc-superseded", 1, tieredConfigs(100, 1, COMPACTED));
    await produceKeyed("trc-superseded", [["a", "1"], ["b", "1"], ["c", "1"], ["d", "1"]]);
    await waitForView("trc-superseded", "three segments copied and dropped locally", (v) => v.remote_segments === 3 && v.local_log_start_offset === 3);
    const first = await bucketState("trc-superseded");
    expect(first.records).toEqual([[0, "a", "1"], [1, "b", "1"], [2, "c", "1"]]);
    const { stub } = await replica("trc-superseded", 0, 0);
    await inReplica(stub, (t) => {
      t.replacedDelayMs = 0;
    });

    // a and b again: their records in the bucket are superseded now.
    await produceKeyed("trc-superseded", [["a", "2"], ["b", "2"], ["e", "1"]]);
    const after = await waitFor("the bucket's copies cleaned and the replaced objects deleted", async () => {
      const b = await bucketState("trc-superseded");
      return b.onlyRecorded && b.state.remote.at(-1)?.lastOffset === 5 && !b.records.some(([o]) => o < 2) ? b : null;
    });
    expect(after.records).toEqual([[2, "c", "1"], [3, "d", "1"], [4, "a", "2"], [5, "b", "2"]]);
    // Rewritten objects have new keys; the emptied segment's offsets belong to the next one: contiguous from the log start.
    expect(after.state.remote[0]).toMatchObject({ baseOffset: 0 });
    expect(after.state.remote[0]!.key).not.toBe(first.state.remote[0]!.key);
    for (let i = 1; i < after.state.remote.length; i++) expect(after.state.remote[i]!.baseOffset).toBe(after.state.remote[i - 1]!.lastOffset + 1);
    expect(after.state.localLogStartOffset).toBeGreaterThan(5); // everything read below comes from the bucket
    await expectReaders("trc-superseded", [[2, "c", "1"], [3, "d", "1"], [4, "a", "2"], [5, "b", "2"], [6, "e", "1"]]);
  });

  it("removes tombstones past delete.retention.ms from the bucket's copies, with no further writes", async () => {
    await createTopic("trc-tombstones", 1, tieredConfigs(100, 1, { ...COMPACTED, "delete.retention.ms": "4000" }));
    const { stub } = await replica("trc-tombstones", 0, 0);
    await inReplica(stub, (t) => {
      t.replacedDelayMs = 0;
    });
    await produceKeyed("trc-tombstones", [["a", "1"], ["b", "1"], ["a", null], ["c", "1"], ["d", "1"]]);
    // First the tombstone reaches the bucket (stamped with its horizon by the pass that reached it) and its local copy goes.
    const held = await waitFor("the tombstone copied to the bucket and dropped locally", async () => {
      const b = await bucketState("trc-tombstones");
      return b.records.some(([, k, v]) => k === "a" && v === null) && b.state.localLogStartOffset >= 4 ? b : null;
    });
    expect(held.records.filter(([, k]) => k === "a")).toEqual([[2, "a", null]]);
    // Then its horizon passes: the cleaner comes back by itself and takes it out of the bucket's copy.
    const after = await waitFor("the tombstone gone from the bucket", async () => {
      const b = await bucketState("trc-tombstones");
      return b.onlyRecorded && !b.records.some(([, k]) => k === "a") ? b : null;
    }, 20_000);
    expect(after.records).toEqual([[1, "b", "1"], [3, "c", "1"]]);
    await expectReaders("trc-tombstones", [[1, "b", "1"], [3, "c", "1"], [4, "d", "1"]]);
  });
});

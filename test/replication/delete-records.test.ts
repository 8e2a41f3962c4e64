// DeleteRecords over HTTP (POST …/partitions/{p}/records:delete-before):
// the leader's log start moves forward as Kafka's DeleteRecords moves it,
// the followers' follow with the next replication call, nothing below it
// is served, and a follower that missed the move starts over at the
// leader's first batch.
import { describe, expect, it } from "vitest";
import { call, createTopic, V3 } from "../helpers";
import { fault, partition, produce, replica, values, waitFor } from "./helpers";

/** Every batch in a segment of its own, so that moving the log start deletes whole segments. */
const ONE_BATCH_SEGMENTS = { name: "segment.bytes", value: "100" };

const deleteBefore = (topic: string, offset: unknown, p = 0) => call("POST", `${V3}/topics/${topic}/partitions/${p}/records:delete-before`, { offset });

/** Produces `n` requests of two records each (one batch each): offsets 0–1, 2–3, … */
async function fillPairs(topic: string, n: number, from = 0) {
  for (let i = from; i < from + n; i++) expect((await produce(topic, [`v${2 * i}`, `v${2 * i + 1}`])).status).toBe(200);
}

/** Each replica's log start offset, as the replica itself says. */
async function logStarts(topic: string) {
  return Promise.all([0, 1, 2].map(async (b) => {
    const { topicId, stub } = await replica(topic, 0, b);
    const d = await stub.describe(topicId);
    return d.ok ? d.logStartOffset : d.message;
  }));
}

describe("records:delete-before", () => {
  it("moves the log start on every replica, inside a batch too, and serves nothing below it", async () => {
    await createTopic("dr-rep", 1, [ONE_BATCH_SEGMENTS], 3);
    await fillPairs("dr-rep", 5); // high watermark 10
    const res = await deleteBefore("dr-rep", 5);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ cluster_id: "runnel-local", topic_name: "dr-rep", partition_id: 0, low_watermark: 5 });
    expect(await logStarts("dr-rep")).toEqual([5, 5, 5]); // answered once the in-sync followers confirmed it
    expect((await partition("dr-rep")).log_start_offset).toBe(5);
    const below = await call("GET", `${V3}/topics/dr-rep/partitions/0/records?offset=4`);
    expect([below.status, below.body.error_code]).toEqual([416, 41601]);
    expect(await values("dr-rep")).toEqual(["v5", "v6", "v7", "v8", "v9"]);
    await fillPairs("dr-rep", 1, 5);
    expect(await values("dr-rep")).toEqual(["v5", "v6", "v7", "v8", "v9", "v10", "v11"]);
  });

  it("takes -1 for the high watermark, changes nothing at or below the log start, and refuses past the high watermark", async () => {
    await createTopic("dr-ends");
    await fillPairs("dr-ends", 2);
    const p = 0;
    expect((await deleteBefore("dr-ends", 1, p)).body.low_watermark).toBe(1);
    expect((await deleteBefore("dr-ends", 0, p)).body.low_watermark).toBe(1); // never backwards
    const past = await deleteBefore("dr-ends", 5, p);
    expect([past.status, past.body.error_code, past.body.error_name]).toEqual([416, 41601, "OFFSET_OUT_OF_RANGE"]);
    expect((await deleteBefore("dr-ends", -1, p)).body.low_watermark).toBe(4);
    expect((await partition("dr-ends", p)).log_start_offset).toBe(4);
    expect((await call("GET", `${V3}/topics/dr-ends/partitions/${p}/records?offset=4`)).body.records).toEqual([]);
  });

  it("refuses a bad body, an unknown partition or topic, changing nothing", async () => {
    await createTopic("dr-bad");
    await fillPairs("dr-bad", 1);
    for (const offset of [-2, 1.5, "1", null]) expect((await deleteBefore("dr-bad", offset)).status, String(offset)).toBe(400);
    expect((await call("POST", `${V3}/topics/dr-bad/partitions/0/records:delete-before`, { offset: 1, extra: true })).status).toBe(400);
    expect((await deleteBefore("dr-bad", 1, 3)).body.error_code).toBe(40402);
    expect((await call("POST", `${V3}/topics/dr-none/partitions/0/records:delete-before`, { offset: 0 })).body.error_code).toBe(40401);
    expect((await partition("dr-bad")).log_start_offset).toBe(0);
  });

  it("starts a follower that missed the move over at the leader's first batch, and it ends up the same", async () => {
    await createTopic("dr-behind", 1, [ONE_BATCH_SEGMENTS, { name: "replica.lag.time.max.ms", value: "1000" }], 3);
    await fillPairs("dr-behind", 2);
    await fault(2, "down");
    await waitFor("broker 2 out of the ISR", async () => (await partition("dr-behind")).isr.length === 2);
    await fillPairs("dr-behind", 3, 2); // high watermark 10; broker 2 holds 0–3, and the leader will hold none of 0–5
    expect((await deleteBefore("dr-behind", 7)).body.low_watermark).toBe(7);
    await fault(2, "heal");
    await waitFor("broker 2 back in the ISR", async () => (await partition("dr-behind")).isr.length === 3);
    await fillPairs("dr-behind", 1, 5);
    await waitFor("every replica at the same log start", async () => (await logStarts("dr-behind")).every((s) => s === 7));
    const { topicId, stub } = await replica("dr-behind", 0, 2);
    const read = await stub.read({ topicId, offset: 7, maxBytes: 1 << 20, timeoutMs: 0 });
    expect(read.ok && read.logEndOffset).toBe(12);
  });
});

import { describe, expect, it } from "vitest";
import { appendEach, cleanFully, compactedReplica, keyedBatch, readLog, storedHeaders, withCleaner } from "./helpers";

const kv = (r: { offset: number; key: string | null; value: string | null }) => [r.offset, r.key, r.value];

describe("the log cleaner of a compacted partition", () => {
  it("keeps each key's latest record in closed segments, with offsets unchanged: readers see the gaps", async () => {
    const { stub, topicId } = await compactedReplica();
    await appendEach(stub, topicId, [["a", "1"], ["b", "1"], ["a", "2"], ["c", "1"], ["b", "2"], ["a", "3"], ["d", "1"]]);
    await cleanFully(stub); // its own alarm may have cleaned first: what is left is what counts
    // d at 6 is the active segment; a at 5, b at 4 and c at 3 are the latest of their keys.
    expect((await readLog(stub, topicId)).map(kv)).toEqual([
      [3, "c", "1"],
      [4, "b", "2"],
      [5, "a", "3"],
      [6, "d", "1"],
    ]);
    // Offsets in a gap read on from the next record.
    expect((await readLog(stub, topicId, 1)).map((r) => r.offset)).toEqual([3, 4, 5, 6]);
    expect(await stub.describe(topicId)).toMatchObject({ ok: true, logStartOffset: 0, highWatermark: 7, logEndOffset: 7, cleaner: { lastCleanedOffset: 6, dirtyRatio: 0 } });
  });

  it("never cleans the active segment: a key written again there does not yet remove the older record", async () => {
    const { stub, topicId } = await compactedReplica();
    await appendEach(stub, topicId, [["a", "old"], ["a", "new"]]);
    await cleanFully(stub);
    expect((await readLog(stub, topicId)).map(kv)).toEqual([
      [0, "a", "old"],
      [1, "a", "new"],
    ]);
    await appendEach(stub, topicId, [["b", "x"]]); // closes the segment holding a=new
    await cleanFully(stub);
    expect((await readLog(stub, topicId)).map(kv)).toEqual([
      [1, "a", "new"],
      [2, "b", "x"],
    ]);
  });

  it("keeps a tombstone for delete.retention.ms after the pass that first reached it, then removes it without any further write", async () => {
    const { stub, topicId } = await compactedReplica({ "delete.retention.ms": "60000" });
    const before = Date.now();
    await appendEach(stub, topicId, [["a", "1"], ["a", null], ["b", "1"]]);
    await cleanFully(stub); // the replica's own alarm may have run the pass already: either way, on the clock
    expect((await readLog(stub, topicId)).map(kv)).toEqual([
      [1, "a", null],
      [2, "b", "1"],
    ]);
    // The batch holding the tombstone now carries its delete horizon (KIP-534): the pass's time plus delete.retention.ms.
    const header = (await storedHeaders(stub)).find((h) => h.baseOffset === 1)!;
    expect(header.attributes & 0x40).toBe(0x40);
    const horizon = header.baseTimestampMs;
    expect(horizon).toBeGreaterThanOrEqual(before + 60_000);
    expect(horizon).toBeLessThanOrEqual(Date.now() + 60_000);
    // The cleaner is due then, with nothing written meanwhile; not a moment sooner.
    expect(await withCleaner(stub, (c) => c.dueMs(Date.now()))).toBe(horizon);
    await cleanFully(stub, horizon - 1);
    expect((await readLog(stub, topicId)).map((r) => r.offset)).toEqual([1, 2]);
    await cleanFully(stub, horizon);
    expect((await readLog(stub, topicId)).map(kv)).toEqual([[2, "b", "1"]]);
    expect(await withCleaner(stub, (c) => c.dueMs(horizon))).toBeNull();
  });

  it("keeps records younger than min.compaction.lag.ms uncleaned, and cleans them once it has passed", async () => {
    const t0 = Date.now();
    const { stub, topicId } = await compactedReplica({ "min.compaction.lag.ms": "3600000" });
    await appendEach(stub, topicId, [["a", "1"], ["a", "2"], ["b", "1"]], t0);
    expect(await withCleaner(stub, (c) => c.dueMs(t0))).toBe(t0 + 3_600_000);
    await cleanFully(stub, t0);
    expect((await readLog(stub, topicId)).map((r) => r.offset)).toEqual([0, 1, 2]);
    await cleanFully(stub, t0 + 3_600_000);
    expect((await readLog(stub, topicId)).map((r) => r.offset)).toEqual([1, 2]);
  });

  it("cleans below the dirty ratio once max.compaction.lag.ms has passed", async () => {
    const t0 = Date.now();
    const { stub, topicId } = await compactedReplica({ "min.cleanable.dirty.ratio": "1", "max.compaction.lag.ms": "1000" });
    await appendEach(stub, topicId, [["a", "1"], ["a", "2"], ["b", "1"]], t0);
    expect(await withCleaner(stub, (c) => c.dueMs(t0))).toBe(t0 + 1001);
    await cleanFully(stub, t0 + 1000);
    expect((await readLog(stub, topicId)).map((r) => r.offset)).toEqual([0, 1, 2]);
    await cleanFully(stub, t0 + 1001);
    expect((await readLog(stub, topicId)).map((r) => r.offset)).toEqual([1, 2]);
  });

  it("removes records without a key, as Kafka's cleaner does (written before the topic became compacted)", async () => {
    const { stub, topicId } = await compactedReplica({ "cleanup.policy": "delete" });
    await appendEach(stub, topicId, [[null, "x"], ["a", "1"], [null, "y"], ["b", "1"]]);
    expect(await withCleaner(stub, (c) => c.dueMs(Date.now()))).toBeNull();
    const set = await stub.setConfigs(topicId, { "cleanup.policy": "compact", "segment.bytes": "100", "min.cleanable.dirty.ratio": "0" });
    expect(set.ok).toBe(true);
    await cleanFully(stub);
    expect((await readLog(stub, topicId)).map(kv)).toEqual([
      [1, "a", "1"],
      [3, "b", "1"],
    ]);
  });

  it("cleans records inside batches, keeping each batch's base and last offsets, and drops batches left empty", async () => {
    const { stub, topicId } = await compactedReplica({ "segment.bytes": "100000" });
    const batches = [
      await keyedBatch([["a", "1"], ["b", "1"], ["c", "1"]]),
      await keyedBatch([["a", "2"], ["b", "2"]]),
      await keyedBatch([["a", "3"]]),
    ];
    for (const b of batches) expect((await stub.append({ topicId, leaderEpoch: 0, acks: 1, batches: [b] })).ok).toBe(true);
    await stub.setConfigs(topicId, { "cleanup.policy": "compact", "segment.bytes": "100", "min.cleanable.dirty.ratio": "0" });
    await appendEach(stub, topicId, [["z", "1"]]); // rolls a new active segment: the first one closes
    await cleanFully(stub);
    const headers = await storedHeaders(stub);
    expect(headers.map((h) => [h.baseOffset, h.lastOffsetDelta, h.recordCount])).toEqual([
      [0, 2, 1], // c=1 only, last offset 2 kept; the first batch of the epoch stays in any case
      [3, 1, 1], // b=2 only
      [5, 0, 1], // a=3
      [6, 0, 1], // z, the active segment
    ]);
    expect((await readLog(stub, topicId)).map(kv)).toEqual([
      [2, "c", "1"],
      [4, "b", "2"],
      [5, "a", "3"],
      [6, "z", "1"],
    ]);
  });

  it("keeps the last batch before the uncleanable part, emptied, so the log's end there stays known (Kafka's rule)", async () => {
    const { stub, topicId } = await compactedReplica({ "delete.retention.ms": "0" });
    await appendEach(stub, topicId, [["x", "1"], ["a", "1"], ["a", null], ["c", "1"]]);
    await cleanFully(stub); // a pass stamps the tombstone's horizon (now + 0), the next removes it
    expect((await storedHeaders(stub)).map((h) => [h.baseOffset, h.recordCount])).toEqual([
      [0, 1],
      [2, 0],
      [3, 1],
    ]);
    expect((await readLog(stub, topicId)).map(kv)).toEqual([
      [0, "x", "1"],
      [3, "c", "1"],
    ]);
  });

  it("makes what follows a truncation point dirty again (Kafka's checkpoint truncation)", async () => {
    const { stub, topicId } = await compactedReplica();
    await appendEach(stub, topicId, [["a", "1"], ["b", "1"], ["a", "2"], ["c", "1"], ["d", "1"]]);
    await cleanFully(stub);
    expect(await stub.describe(topicId)).toMatchObject({ cleaner: { lastCleanedOffset: 4 } });
    const after = await withCleaner(stub, (cleaner, instance) => {
      instance.state!.log.truncateTo(2);
      return { view: cleaner.view(Date.now()), reloads: instance.state!.log.reloads };
    });
    expect(after).toMatchObject({ view: { lastCleanedOffset: 2 }, reloads: 1 });
  });
});

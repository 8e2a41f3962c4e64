// Idempotent-producer state survives compaction: Kafka keeps an active producer's last batch, emptied if need be.
import { runInDurableObject } from "cloudflare:test";
import { limits } from "../../src/limits";
import type { PartitionReplica } from "../../src/replication/partition-replica";
import { describe, expect, it } from "vitest";
import { appendEach, cleanFully, compactedReplica, keyedBatch, readLog, storedHeaders, withCleaner } from "./helpers";

const P = { id: 4242, epoch: 0 };

describe("compaction and idempotent producers", () => {
  it("keeps an active producer's last batch (emptied), drops its older ones, and answers its retry as a duplicate", async () => {
    const { stub, topicId } = await compactedReplica();
    await appendEach(stub, topicId, [["x", "1"]]); // offset 0: the first batch of the epoch, kept in any case
    for (const [sequence, key] of [[0, "a"], [1, "b"]] as const) {
      const batch = await keyedBatch([[key, "p"]], { producer: { ...P, sequence } });
      expect(await stub.append({ topicId, leaderEpoch: 0, acks: 1, batches: [batch] })).toMatchObject({ ok: true, baseOffset: 1 + sequence });
    }
    await appendEach(stub, topicId, [["a", "later"], ["b", "later"], ["z", "1"]]); // 3, 4, and 5 closing them
    await cleanFully(stub);
    const headers = await storedHeaders(stub);
    // 1 (the producer's older batch) went; 2, its last, stays without its record, with its producer fields and last offset.
    expect(headers.map((h) => [h.baseOffset, h.recordCount])).toEqual([
      [0, 1],
      [2, 0],
      [3, 1],
      [4, 1],
      [5, 1],
    ]);
    expect(headers[1]).toMatchObject({ producerId: P.id, producerEpoch: P.epoch, baseSequence: 1, lastOffsetDelta: 0 });
    expect((await readLog(stub, topicId)).map((r) => r.offset)).toEqual([0, 3, 4, 5]);
    // The retry of sequence 1 is the duplicate it was; sequence 2 follows on.
    const retry = await stub.append({ topicId, leaderEpoch: 0, acks: 1, batches: [await keyedBatch([["b", "p"]], { producer: { ...P, sequence: 1 } })] });
    expect(retry).toMatchObject({ ok: true, duplicate: true, baseOffset: 2, lastOffset: 2 });
    const next = await stub.append({ topicId, leaderEpoch: 0, acks: 1, batches: [await keyedBatch([["c", "p"]], { producer: { ...P, sequence: 2 } })] });
    expect(next).toMatchObject({ ok: true, duplicate: false, baseOffset: 6 });
  });

  it("lets an expired producer's last batch go", async () => {
    const { stub, topicId } = await compactedReplica();
    // Only this test's passes clean, at the times it names: the replica's own alarm would clean at the real time first.
    await runInDurableObject(stub, (instance: PartitionReplica) => {
      instance.state!.tick = async () => {};
    });
    await appendEach(stub, topicId, [["x", "1"]]);
    const batch = await keyedBatch([["a", "p"]], { producer: { ...P, sequence: 0 } });
    expect((await stub.append({ topicId, leaderEpoch: 0, acks: 1, batches: [batch] })).ok).toBe(true);
    await appendEach(stub, topicId, [["a", "later"], ["z", "1"]]);
    await cleanFully(stub);
    expect((await storedHeaders(stub)).map((h) => [h.baseOffset, h.recordCount])).toEqual([
      [0, 1],
      [1, 0],
      [2, 1],
      [3, 1],
    ]);
    // The replica's own alarm (on the clock, the producer still active) must not clean what the pass a day later is to.
    const configs = { "cleanup.policy": "compact", "segment.bytes": "100" };
    await withCleaner(stub, (_c, instance) => instance.state!.log.setConfigs({ ...configs, "min.cleanable.dirty.ratio": "1" }));
    await appendEach(stub, topicId, [["y", "1"]]); // something dirty, so a pass runs
    await withCleaner(stub, async (cleaner, instance) => {
      instance.state!.log.setConfigs({ ...configs, "min.cleanable.dirty.ratio": "0" });
      const at = Date.now() + limits.producerIdExpirationMs + 1;
      for (let i = 0; cleaner.cleaning || cleaner.dueMs(at) === at; i++) {
        if (i > 1_000) throw new Error("the cleaner did not settle");
        await cleaner.step(at);
      }
    });
    expect((await storedHeaders(stub)).map((h) => h.baseOffset)).toEqual([0, 2, 3, 4]);
  });
});

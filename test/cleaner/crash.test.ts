// A kill in the middle of a compaction pass: the replica's memory (and so the pass and its offset map) is lost, storage
// keeps whatever ranges were replaced; the next pass starts from the same checkpoint. Nothing is lost, nothing is served twice.
import { env, runInDurableObject } from "cloudflare:test";
import { callFaults } from "../../src/faults/call-faults";
import { afterEach, describe, expect, it } from "vitest";
import type { PartitionReplica } from "../../src/replication/partition-replica";
import { fault } from "../replication/helpers";
import { appendEach, cleanFully, compactedReplica, type KV, type ReadRecord, readInObject, readLog } from "./helpers";

afterEach(() => fault(0, "heal"));

/** 120 records over 8 keys (each its own batch and segment), a tombstone every 17th. */
function history(): KV[] {
  return Array.from({ length: 120 }, (_, i): KV => [`k${i % 8}`, i % 17 === 16 ? null : `v${i}`]);
}

/** Each key's latest record by the model: [offset, key, value], tombstones included, in offset order. */
function latest(records: KV[], before: number): [number, string, string | null][] {
  const last = new Map<string, number>();
  for (let i = 0; i < before; i++) last.set(records[i]![0]!, i);
  return [...last.entries()].map(([k, i]): [number, string, string | null] => [i, k, records[i]![1]]).sort((a, b) => a[0] - b[0]);
}

/** What the log holds as the model sees it: every record read is as appended, offsets rise, and each key's latest is there. */
function expectSound(read: ReadRecord[], records: KV[], uncleanableFrom: number): void {
  for (const r of read) expect([r.key, r.value]).toEqual(records[r.offset]);
  for (const [offset, key, value] of latest(records, records.length)) expect(read.find((r) => r.offset === offset)).toMatchObject({ key, value });
  for (let o = uncleanableFrom; o < records.length; o++) expect(read.some((r) => r.offset === o)).toBe(true);
}

/** Storage rows of the batches table, as they are. */
function rows(stub: DurableObjectStub<PartitionReplica>) {
  return runInDurableObject(stub, (_: PartitionReplica, state) => state.storage.sql.exec("SELECT base_offset, size_bytes, bytes FROM batches ORDER BY base_offset").toArray());
}

describe("a kill in the middle of a compaction pass", () => {
  it("a restart between steps: what a reader read before and after it has every key's latest, each offset once", async () => {
    const records = history();
    const { stub, topicId } = await compactedReplica({ "min.cleanable.dirty.ratio": "1" }); // not cleaned by ratio while appending
    await appendEach(stub, topicId, records);
    const position = 60;
    // All in the object, so nothing else runs between the steps and the kill but what awaits a call.
    const killed = await runInDurableObject(stub, async (instance: PartitionReplica) => {
      const r = instance.state!;
      r.cleaner.stepRecordsMax = 1; // one batch a step: the pass takes hundreds of steps
      r.setConfigs({ "cleanup.policy": "compact", "segment.bytes": "100", "min.cleanable.dirty.ratio": "0" });
      for (let i = 0; i < 150; i++) await r.cleaner.step(Date.now()); // the map, and part of the clean
      const cleaning = r.cleaner.cleaning;
      // A consumer reads the first part now, while the pass has replaced some ranges and not others.
      const firstPart = await readInObject(r.log, 0, position);
      const restart = await callFaults(env).restart(0);
      if (!restart.ok) throw new Error(restart.message);
      await instance.describe(topicId); // the replica's next call notices the restart and starts from storage
      return { cleaning, firstPart, old: instance.retired?.cleaner.cleaning, checkpoint: instance.state!.cleaner.view(Date.now())!.lastCleanedOffset };
    });
    expect(killed).toMatchObject({ cleaning: true, old: false }); // the old pass stopped
    // The checkpoint never moved for it: still 0, or the end of a whole pass the restarted replica's own alarm already ran.
    expect([0, 119]).toContain(killed.checkpoint);
    // Half-way: some of the first part was cleaned already, not all (a whole pass leaves none of it: every key comes again later).
    expect(killed.firstPart.length).toBeLessThan(position);
    expect(killed.firstPart.length).toBeGreaterThan(0);
    await cleanFully(stub);
    const after = await readLog(stub, topicId, position);
    const seen = [...killed.firstPart, ...after].map((r) => r.offset);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    for (const r of killed.firstPart) expect([r.key, r.value]).toEqual(records[r.offset]);
    expectSound(await readLog(stub, topicId), records, 119);
    expect(await stub.describe(topicId)).toMatchObject({ cleaner: { lastCleanedOffset: 119 } });
  });

  it("a failure inside a range's transaction changes nothing; the next pass cleans as if it never ran", async () => {
    const records = history();
    const { stub, topicId } = await compactedReplica({ "min.cleanable.dirty.ratio": "1" });
    await appendEach(stub, topicId, records);
    const untouched = await rows(stub);
    const failed = await runInDurableObject(stub, async (instance: PartitionReplica) => {
      const r = instance.state!;
      r.cleaner.stepRecordsMax = 5;
      r.setConfigs({ "cleanup.policy": "compact", "segment.bytes": "100", "min.cleanable.dirty.ratio": "0" });
      const segments = (r.log as unknown as { segments: { resized(...args: unknown[]): void } }).segments;
      segments.resized = () => {
        throw new Error("test: killed inside the transaction");
      };
      for (let i = 0; i < 500; i++) {
        try {
          await r.cleaner.step(Date.now());
        } catch (e) {
          return { error: (e as Error).message, reloads: r.log.reloads };
        }
      }
      return { error: null, reloads: r.log.reloads };
    });
    expect(failed).toEqual({ error: "test: killed inside the transaction", reloads: 1 });
    expect(await rows(stub)).toEqual(untouched); // rolled back: the rows the range had removed and rewritten are all there
    await cleanFully(stub);
    const read = await readLog(stub, topicId);
    expectSound(read, records, 119);
    expect(read.length).toBe(latest(records, 119).length + 1);
  });
});

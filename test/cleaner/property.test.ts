// Random keyed records, updates and tombstones through compaction (and retention, for compact,delete), with kills in the
// middle of passes, compared after every step with a model of Kafka's semantics. Time is the test's: records carry it, the
// cleaner runs at it, and it starts a day ahead of the clock, so the replica's own alarm (which runs on the clock, with
// the dirty ratio at 1 between the test's passes) never cleans on its own. Run twice: with local storage only, and with
// tiered storage keeping almost nothing locally (local.retention.bytes 1), so most of the log is in the bucket and passes
// clean remote segments (rewritten as new objects) as well as local ones, while the replica's alarm copies segments.
import { env, runInDurableObject } from "cloudflare:test";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { callFaults } from "../../src/faults/call-faults";
import type { PartitionReplica } from "../../src/replication/partition-replica";
import type { ReplicaState } from "../../src/replication/replica-state";
import { retire } from "../../src/tiered/tiered-apply";
import { nextRange } from "../../src/tiered/uploader";
import type { ConfigOverrides } from "../../src/topic/configs";
import { fault, waitFor } from "../replication/helpers";
import { compactedReplica, keyedBatch, type ReadRecord, readLog } from "./helpers";

afterEach(() => fault(0, "heal"));

type Op =
  | { kind: "append"; records: [number, boolean][] } // key index, tombstone?
  | { kind: "clean"; advanceMs: number }
  | { kind: "kill"; steps: number; advanceMs: number }
  | { kind: "retention"; advanceMs: number };

interface Setup {
  deleteRetentionMs: number;
  retentionMs: number | null; // null: cleanup.policy compact; else compact,delete with this retention.ms
  mapBytesMax: number;
  stepRecordsMax: number;
  ops: Op[];
}

const advance = fc.constantFrom(0, 1, 500, 1_000, 5_000, 60_000);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("append" as const), records: fc.array(fc.tuple(fc.nat(5), fc.boolean()), { minLength: 1, maxLength: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("clean" as const), advanceMs: advance }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("kill" as const), steps: fc.integer({ min: 1, max: 12 }), advanceMs: advance }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("retention" as const), advanceMs: advance }) },
);
/** Setups of up to `opsMax` operations. */
const setupOf = (opsMax: number): fc.Arbitrary<Setup> =>
  fc.record({
    deleteRetentionMs: fc.constantFrom(0, 1_000, 60_000),
    retentionMs: fc.constantFrom(null, 5_000),
    mapBytesMax: fc.constantFrom(130, 300, 16 * 1024 * 1024), // 130: two keys a pass
    stepRecordsMax: fc.integer({ min: 1, max: 8 }),
    ops: fc.array(op, { minLength: 1, maxLength: opsMax }),
  });

interface Appended {
  offset: number;
  key: string;
  value: string | null;
  ts: number;
}

/** The model: what was appended, and what the cleaner may and must have done by now. */
class Model {
  readonly records: Appended[] = [];
  /** Base offset of the last batch: the active segment, never cleaned. */
  activeBase = 0;
  /** Nothing at or after this was ever in a cleaner's reach. */
  reachedBelow = 0;
  /** Tombstone offset → the earliest time any pass may have stamped its horizon, and the time a whole pass surely did. */
  readonly earliest = new Map<number, number>();
  readonly surely = new Map<number, number>();
  logStart = 0;

  constructor(readonly deleteRetentionMs: number) {}

  /** Whether `r` is its key's latest record below `end`. */
  latestBelow(r: Appended, end: number): boolean {
    return !this.records.some((o) => o.key === r.key && o.offset > r.offset && o.offset < end);
  }

  /** A pass (whole or not) ran at `nowMs` over everything below the active segment. */
  passed(nowMs: number, whole: boolean): void {
    this.reachedBelow = Math.max(this.reachedBelow, this.activeBase);
    for (const r of this.records) {
      if (r.value !== null || r.offset >= this.activeBase || r.offset < this.logStart || !this.latestBelow(r, this.activeBase)) continue;
      this.earliest.set(r.offset, Math.min(this.earliest.get(r.offset) ?? nowMs, nowMs));
      if (whole && !this.surely.has(r.offset)) this.surely.set(r.offset, nowMs);
    }
  }

  /** What any read of the log must show: records as appended, nothing past the cleaner's reach gone, each key's latest value there, no tombstone gone early. */
  checkSound(read: ReadRecord[], nowMs: number): void {
    const at = new Map(read.map((r) => [r.offset, r]));
    for (const r of read) expect([r.key, r.value, r.timestampMs], `offset ${r.offset}`).toEqual([this.records[r.offset]!.key, this.records[r.offset]!.value, this.records[r.offset]!.ts]);
    for (const r of this.records) {
      if (r.offset < this.logStart) {
        expect(at.has(r.offset), `offset ${r.offset} below the log start`).toBe(false);
        continue;
      }
      const present = at.has(r.offset);
      if (r.offset >= this.reachedBelow) expect(present, `offset ${r.offset}, never in the cleaner's reach`).toBe(true);
      if (r.value !== null && this.latestBelow(r, Number.POSITIVE_INFINITY)) expect(present, `offset ${r.offset}: its key's latest value`).toBe(true);
      if (!present && !this.latestBelow(r, Number.POSITIVE_INFINITY)) continue; // superseded
      if (!present && r.value === null) {
        const stamped = this.earliest.get(r.offset);
        expect(stamped !== undefined && nowMs >= stamped + this.deleteRetentionMs, `tombstone at ${r.offset} gone before delete.retention.ms`).toBe(true);
      }
      if (!present && r.value !== null) expect.fail(`offset ${r.offset}: a value gone that nothing later replaced`);
    }
  }

  /** After a whole clean at `nowMs`: below the active segment, exactly each key's latest, tombstones as their horizons say. */
  checkClean(read: ReadRecord[], nowMs: number): void {
    const at = new Set(read.map((r) => r.offset));
    for (const r of this.records) {
      if (r.offset < this.logStart || r.offset >= this.activeBase) continue;
      const latest = this.latestBelow(r, this.activeBase);
      if (!latest) expect(at.has(r.offset), `offset ${r.offset}: superseded below the active segment`).toBe(false);
      else if (r.value !== null) expect(at.has(r.offset)).toBe(true);
      else if (nowMs >= this.surely.get(r.offset)! + this.deleteRetentionMs) expect(at.has(r.offset), `tombstone at ${r.offset} past its horizon`).toBe(false);
    }
  }
}

/** Runs `work` on the replica's state with the dirty ratio at 0 (so passes run), then back at 1. */
function withPasses<T>(stub: DurableObjectStub<PartitionReplica>, configs: ConfigOverrides, s: Setup, work: (r: ReplicaState) => Promise<T>): Promise<T> {
  return runInDurableObject(stub, async (instance: PartitionReplica) => {
    const r = instance.state!;
    r.cleaner.mapBytesMax = s.mapBytesMax;
    r.cleaner.stepRecordsMax = s.stepRecordsMax;
    r.log.setConfigs({ ...configs, "min.cleanable.dirty.ratio": "0" });
    try {
      return await work(r);
    } finally {
      r.log.setConfigs(configs);
    }
  });
}

/** Tiered: waits until the replica's alarm has copied every cleaned closed segment and dropped the local copies (all but the active segment). */
async function copied(stub: DurableObjectStub<PartitionReplica>): Promise<void> {
  await waitFor("cleaned segments copied and dropped locally", () =>
    runInDurableObject(stub, (instance: PartitionReplica) => {
      const r = instance.state!;
      const t = r.tiered;
      const end = t.remote.endOffset() ?? r.log.logStartOffset;
      const pending = t.uploads.current() !== null || nextRange(r.log, t.remote) !== null || r.log.localSegments().slice(0, -1).some((l) => l.lastOffset < end);
      if (pending) r.schedule(Date.now()); // the test's passes set no alarm: copying is due now
      return !pending;
    }),
  );
}

async function run(s: Setup, tiered = false): Promise<void> {
  const configs: ConfigOverrides = {
    "cleanup.policy": s.retentionMs === null ? "compact" : "compact,delete",
    "segment.bytes": "100",
    "min.cleanable.dirty.ratio": "1",
    "delete.retention.ms": String(s.deleteRetentionMs),
    ...(s.retentionMs === null ? {} : { "retention.ms": String(s.retentionMs) }),
    ...(tiered ? { "local.retention.bytes": "1" } : {}),
  };
  const { stub, topicId } = await compactedReplica(configs, tiered ? "clt" : "clp");
  const model = new Model(s.deleteRetentionMs);
  let nowMs = Date.now() + 24 * 3600_000;
  let serial = 0;
  for (const o of s.ops) {
    if (o.kind === "append") {
      const records = o.records.map(([k, tombstone]): [string, string | null] => [`k${k}`, tombstone ? null : `v${serial++}`]);
      const res = await stub.append({ topicId, leaderEpoch: 0, acks: 1, batches: [await keyedBatch(records, { timestampMs: nowMs })] });
      if (!res.ok) throw new Error(res.message);
      model.activeBase = res.baseOffset;
      for (const [i, [key, value]] of records.entries()) model.records.push({ offset: res.baseOffset + i, key, value, ts: nowMs });
      continue;
    }
    if (tiered) await copied(stub);
    nowMs += o.advanceMs;
    if (o.kind === "clean") {
      await withPasses(stub, configs, s, async (r) => {
        for (let i = 0; r.cleaner.cleaning || r.cleaner.dueMs(nowMs) === nowMs; i++) {
          if (i > 10_000) throw new Error("the cleaner did not settle");
          await r.cleaner.step(nowMs);
        }
      });
      model.passed(nowMs, true);
      if (tiered) await copied(stub);
      const read = await readLog(stub, topicId);
      model.checkSound(read, nowMs);
      model.checkClean(read, nowMs);
    } else if (o.kind === "kill") {
      await withPasses(stub, configs, s, async (r) => {
        for (let i = 0; i < o.steps; i++) await r.cleaner.step(nowMs);
      });
      model.passed(nowMs, false);
      await runInDurableObject(stub, async (instance: PartitionReplica) => {
        const restarted = await callFaults(env).restart(0);
        if (!restarted.ok) throw new Error(restarted.message);
        await instance.describe(topicId); // memory rebuilt from storage: the pass is gone
        if (instance.state!.cleaner.cleaning) throw new Error("a pass survived the restart");
      });
      model.checkSound(await readLog(stub, topicId), nowMs);
    } else {
      const held = await readLog(stub, topicId);
      const start = await runInDurableObject(stub, (instance: PartitionReplica) => {
        const r = instance.state!;
        if (tiered) retire(r.tiered, r, nowMs); // the whole log's retention: remote segments first
        else r.log.applyRetention(nowMs);
        return r.log.logStartOffset;
      });
      // Retention takes whole segments whose records are all older than retention.ms (a segment the cleaner emptied has none).
      for (const r of held) if (r.offset < start) expect(r.timestampMs, `offset ${r.offset} taken by retention`).toBeLessThan(nowMs - (s.retentionMs ?? Number.POSITIVE_INFINITY));
      model.logStart = start;
      model.checkSound(await readLog(stub, topicId), nowMs);
    }
  }
}

describe("compaction, against a model of Kafka's semantics", () => {
  it("keeps every key's latest value, removes tombstones only after delete.retention.ms, keeps offsets and never touches what lies past its reach", async () => {
    await fc.assert(fc.asyncProperty(setupOf(24), (s) => run(s)), { numRuns: 30 });
  }, 240_000);

  it("does the same with most of the log in the bucket: remote segments cleaned in the same passes, read back from the bucket", async () => {
    await fc.assert(fc.asyncProperty(setupOf(40), (s) => run(s, true)), { numRuns: 40 });
  }, 480_000);
});

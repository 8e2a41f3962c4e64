/**
 * One pass of Kafka's log cleaner over a partition, in bounded steps.
 *
 * First the offset map: the dirty section, from the checkpoint to the
 * first uncleanable offset, is read in offset order and the latest offset
 * of each key noted, until the map is full (then the pass covers what it
 * read) — Kafka's buildOffsetMap. Then the clean: every closed segment
 * from the log start up to the map's end is read again and each batch
 * judged (batch-cleaner.ts); each range read is replaced in its segment
 * by what stays, atomically, and a segment left empty is dropped —
 * Kafka's cleanSegments, without grouping segments together. The pass
 * ends with the checkpoint at the map's end.
 *
 * The log may be held by several stores (one-log.ts): on the leader of a
 * tiered partition, the remote segments and then the local ones, which
 * may hold copies of the same offsets. The map reads each offset once,
 * from the local copy where there is one. The clean goes through the
 * stores in turn, each from its start — the remote segments first — and
 * cleans every copy with the same map: a reader reads the bucket below the
 * local log start and local storage from it, wherever that start moves,
 * and whichever copy it reads, a tombstone is gone only once every older
 * record of its key is gone from both (the uploader copies nothing the
 * pass would leave behind meanwhile: `uploadable`).
 *
 * A store that swaps whole segments (the bucket's) is cleaned a segment at
 * a time in two sweeps (whole-segments.ts): the first reads it through
 * and judges it, replacing nothing — most of a long log is clean already
 * and stays as it is, for one read — and only when it finds a change does
 * the second read it again and replace it, range after range, while the
 * store writes the new object (`settle`, before each read, one bucket
 * call a step). Every read from such a store ends the step.
 *
 * A batch stays even when emptied (Kafka's RETAIN_EMPTY) when it is an
 * active idempotent producer's last, or the last of the dirty section
 * (Kafka keeps it so the log's end before the uncleanable part stays
 * known), or the first of a leader epoch — replication finds where an
 * epoch ends by its first batch (log-reads.ts endOffsetForEpoch), as
 * Kafka does by its leader-epoch file.
 *
 * The map lives in memory only. A pass that stops half-way (a restart,
 * a truncation, the segment it works on taken by retention) is dropped
 * and a new one starts from the same checkpoint: every range it had
 * replaced is a consistent log already — records only go when a later
 * record of their key stays, and segments are cleaned oldest first, so a
 * tombstone goes only after every older record of its key — and cleaning
 * it again changes nothing more.
 */
import { ErrorCode, type Failure } from "../errors";
import { CONTROL_BATCH } from "../record/attributes";
import { CompressionError, decompress } from "../record/compression";
import { BATCH_HEADER_BYTES, compressionOf, lastOffsetOf, readBatchHeader } from "../record/record-batch";
import { scanRecords } from "../record/record-spans";
import { limits } from "../limits";
import type { TopicConfigs } from "../topic/configs";
import type { CheckpointHost } from "./checkpoint";
import { OffsetMap } from "./offset-map";
import { readingAt, segmentIn } from "./one-log";
import { RangeJudge, spend } from "./range-judge";
import type { ClosedSegment, SegmentStore } from "./segment-store";
import { WholeSegments } from "./whole-segments";

/** What the cleaner needs of the log (PartitionLog). */
export interface CleanerLog extends CheckpointHost {
  readonly configs: TopicConfigs;
  highWatermark: number;
  readonly reloads: number;
  readonly keys: { activeProducersLastBatches(nowMs: number): Set<number> };
}

/** How much one step may read. */
export interface StepBudget {
  bytes: number;
  records: number;
}

export type StepResult =
  | { kind: "more" }
  /** The pass is over: everything below `checkpoint` is clean; `horizonMs`: the earliest delete horizon of a tombstone left. */
  | { kind: "done"; checkpoint: number; horizonMs: number | null }
  /** The log changed under the pass (truncation, retention took its segment): drop it, start anew. */
  | { kind: "aborted"; why: string }
  /** A store's call failed for now (the bucket): the same step again later. */
  | { kind: "retry"; why: string }
  /** A stored batch does not decode: the partition cannot be cleaned. */
  | { kind: "corrupt"; problem: string };

export interface PassStats {
  recordsRead: number;
  recordsRemoved: number;
}

export class CleaningPass {
  readonly map: OffsetMap;
  readonly reloads: number;
  private phase: "map" | "clean" = "map";
  /** The next offset to read (in the clean, of the store being cleaned). */
  private cursor: number;
  /** Exclusive end of what the map covers; the clean stops there. */
  private mapEnd: number;
  /** The store being cleaned (an index into `stores`). */
  private storeAt = 0;
  /** Where a whole-segment store's segment stands. */
  private readonly whole = new WholeSegments();
  private readonly judge: RangeJudge;
  /** Whether this step read from a whole-segment store (a bucket call, maybe): the step ends. */
  private calledOut = false;

  /** A pass over [firstDirtyOffset, firstUncleanableOffset) of `log`, whose segments `stores` hold (in order: see one-log.ts). */
  constructor(
    private readonly log: CleanerLog,
    readonly stores: SegmentStore[],
    readonly firstDirtyOffset: number,
    readonly firstUncleanableOffset: number,
    mapBytesMax: number = limits.cleanerOffsetMapBytesMax,
  ) {
    this.map = new OffsetMap(mapBytesMax);
    this.judge = new RangeJudge(log, this.map, firstUncleanableOffset, this.whole);
    this.reloads = log.reloads;
    this.cursor = firstDirtyOffset;
    this.mapEnd = firstUncleanableOffset;
  }

  /** What the pass read and removed so far. */
  get stats(): PassStats {
    return this.judge.stats;
  }

  /** Whether the pass is still building its map (else cleaning). */
  get mapping(): boolean {
    return this.phase === "map";
  }

  /**
   * Whether the uploader may record a copy of local batches up to
   * `lastOffset` now: one this pass will not clean (a pass without a
   * whole-segment store, or one past its local clean) would keep what the
   * pass removes from the local copy.
   */
  uploadable(lastOffset: number): boolean {
    const store = this.stores[this.storeAt];
    const sweepsCopies = this.stores.some((s) => s.wholeSegments === true);
    if (this.phase === "map" || store?.wholeSegments === true) return sweepsCopies;
    return store !== undefined && this.cursor > lastOffset;
  }

  /** One step within `budget` (which it spends). */
  async step(nowMs: number, budget: StepBudget): Promise<StepResult> {
    if (this.log.reloads !== this.reloads) return { kind: "aborted", why: "the log was cut back" };
    try {
      while (budget.bytes > 0 && budget.records > 0) {
        const owed = await this.settle();
        if (owed !== null) return owed;
        this.calledOut = false;
        const result = this.phase === "map" ? await this.mapSegment(budget) : await this.cleanSegment(nowMs, budget);
        if (result.kind !== "more") return result;
        if (this.log.reloads !== this.reloads) return { kind: "aborted", why: "the log was cut back" };
        if (this.calledOut) return result;
      }
      return { kind: "more" };
    } catch (e) {
      if (e instanceof CompressionError || e instanceof RangeError) return { kind: "corrupt", problem: e.message };
      throw e;
    }
  }

  /** The bucket work a store owes before the pass goes on (one call): a result ending the step, or null when none is owed. */
  private async settle(): Promise<StepResult | null> {
    for (const store of this.stores) {
      const owed = (await store.settle?.()) ?? "idle";
      if (owed === "progress") return { kind: "more" };
      if (owed !== "idle") return refused(owed);
    }
    return null;
  }

  /** Reads the next batches of the dirty section into the map. */
  private async mapSegment(budget: StepBudget): Promise<StepResult> {
    const at = readingAt(this.stores, this.cursor, this.firstUncleanableOffset);
    if (at === undefined) return this.mapped(this.firstUncleanableOffset);
    const { store, segment } = at;
    this.calledOut = store.wholeSegments === true;
    const asked = budget.bytes;
    const batches = await store.read(segment, this.cursor, asked);
    if (!Array.isArray(batches)) return listed(store, segment) ? refused(batches) : { kind: "more" }; // gone meanwhile: read whichever copy is left
    for (const batch of batches) {
      const h = readBatchHeader(batch);
      if ((h.attributes & CONTROL_BATCH) === 0 && h.recordCount > 0) {
        const section = decompress(compressionOf(h.attributes), batch.subarray(BATCH_HEADER_BYTES), limits.batchDecompressedBytesMax);
        const keyed = scanRecords(h, section).filter((r) => r.key !== null && r.offset >= this.firstDirtyOffset);
        if (!this.map.fits(keyed.map((r) => r.key!))) return this.mapped(h.baseOffset);
        for (const r of keyed) this.map.put(r.key!, r.offset);
      }
      this.cursor = lastOffsetOf(h) + 1;
      spend(budget, batch, h.recordCount);
      if (budget.bytes <= 0 || budget.records <= 0) return { kind: "more" };
    }
    if (bytesOf(batches) < asked) this.cursor = segment.lastOffset + 1; // the rest of the segment was read
    return { kind: "more" };
  }

  /** The map covers the dirty section up to `end` (exclusive): the clean starts with the first store. */
  private mapped(end: number): StepResult {
    this.mapEnd = end;
    this.judge.mapEnd = end;
    this.map.latestOffset = end - 1;
    this.phase = "clean";
    return this.startStore(0);
  }

  /** The clean goes on with store `i` from its start (a whole-segment store lists nothing below the log start). */
  private startStore(i: number): StepResult {
    this.storeAt = i;
    this.cursor = this.stores[i]?.wholeSegments === true ? 0 : this.log.logStartOffset;
    this.judge.prevEpoch = null;
    this.whole.reset();
    return { kind: "more" };
  }

  /** Cleans the next batches of the next segment below the map's end, replacing them in their segment. */
  private async cleanSegment(nowMs: number, budget: StepBudget): Promise<StepResult> {
    const store = this.stores[this.storeAt];
    if (store === undefined) return { kind: "done", checkpoint: this.mapEnd, horizonMs: this.judge.horizonMs };
    const whole = store.wholeSegments === true;
    if (!whole) this.cursor = Math.max(this.cursor, this.log.logStartOffset);
    const segment = segmentIn(store, this.cursor, this.mapEnd);
    if (segment === undefined) return this.startStore(this.storeAt + 1);
    const from = Math.max(this.cursor, segment.baseOffset);
    if (whole) {
      this.calledOut = true;
      this.whole.begin(segment, from, this.judge.prevEpoch);
    }
    const asked = budget.bytes;
    const batches = await store.read(segment, from, asked);
    if (!Array.isArray(batches)) return this.refusedBy(store, segment, batches);
    const throughEnd = bytesOf(batches) < asked; // the rest of the segment was read
    const lastListed = whole && store.list().at(-1)?.baseOffset === segment.baseOffset;
    const judged = await this.judge.judge(batches, from, nowMs, budget, { whole, throughEnd, lastListed, counted: !this.whole.probing });
    if (this.log.reloads !== this.reloads) return { kind: "aborted", why: "the log was cut back" };
    // Judged through the segment's last batch: the read reached it, or the range reaches past the segment's last offset.
    const through = judged.stop === null && (throughEnd || judged.end > segment.lastOffset);
    if (this.whole.probing) {
      const next = this.whole.probed(segment, judged, through);
      this.stats.recordsRead += next.recordsRead;
      this.cursor = next.cursor;
      if (next.prevEpoch !== undefined) this.judge.prevEpoch = next.prevEpoch;
      return { kind: "more" };
    }
    const replaced = await store.replace(segment, from, through ? segment.lastOffset + 1 : judged.end, judged.kept);
    if (replaced !== null) return this.refusedBy(store, segment, replaced);
    if (!through) {
      this.cursor = judged.stop === "map end" ? this.mapEnd : judged.end;
      return { kind: "more" };
    }
    this.cursor = segment.lastOffset + 1;
    this.whole.replaced();
    return this.dropIfEmpty(store, segment);
  }

  /** Drops a segment the clean left without batches. */
  private async dropIfEmpty(store: SegmentStore, segment: ClosedSegment): Promise<StepResult> {
    const now = store.list().find((s) => s.baseOffset === segment.baseOffset);
    if (now === undefined || now.sizeBytes > 0) return { kind: "more" };
    const dropped = await store.drop(now);
    return dropped === null ? { kind: "more" } : this.refusedBy(store, now, dropped);
  }

  /**
   * A store refused: a segment it no longer lists as it was (retention
   * took it, or tiered storage dropped a local copy the bucket holds) is
   * passed over; anything else ends the step as `refused` says.
   */
  private refusedBy(store: SegmentStore, segment: ClosedSegment, f: Failure): StepResult {
    if (listed(store, segment)) return refused(f);
    this.cursor = segment.lastOffset + 1;
    this.whole.reset();
    return { kind: "more" };
  }

}

/** Whether `store` still lists `segment` as it was. */
function listed(store: SegmentStore, segment: ClosedSegment): boolean {
  return store.list().some((s) => s.baseOffset === segment.baseOffset && s.lastOffset === segment.lastOffset);
}

function bytesOf(batches: Uint8Array[]): number {
  let n = 0;
  for (const b of batches) n += b.length;
  return n;
}

function refused(f: Failure): StepResult {
  if (f.error_code === ErrorCode.CORRUPT_MESSAGE) return { kind: "corrupt", problem: f.message };
  return f.error_code === ErrorCode.RETRIABLE ? { kind: "retry", why: f.message } : { kind: "aborted", why: f.message };
}

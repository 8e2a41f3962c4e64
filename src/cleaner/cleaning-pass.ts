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
import { cleanBatch } from "./batch-cleaner";
import type { CheckpointHost } from "./checkpoint";
import { OffsetMap } from "./offset-map";
import type { ClosedSegment, KeptBatch, SegmentStore } from "./segment-store";

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
  /** A stored batch does not decode: the partition cannot be cleaned. */
  | { kind: "corrupt"; problem: string };

export interface PassStats {
  recordsRead: number;
  recordsRemoved: number;
}

export class CleaningPass {
  readonly map: OffsetMap;
  readonly reloads: number;
  readonly stats: PassStats = { recordsRead: 0, recordsRemoved: 0 };
  private phase: "map" | "clean" = "map";
  /** The next offset to read. */
  private cursor: number;
  /** Exclusive end of what the map covers; the clean stops there. */
  private mapEnd: number;
  private prevEpoch: number | null = null;
  private horizonMs: number | null = null;

  /** A pass over [firstDirtyOffset, firstUncleanableOffset) of `log`, whose segments `store` holds. */
  constructor(
    private readonly log: CleanerLog,
    private readonly store: SegmentStore,
    readonly firstDirtyOffset: number,
    readonly firstUncleanableOffset: number,
    mapBytesMax: number = limits.cleanerOffsetMapBytesMax,
  ) {
    this.map = new OffsetMap(mapBytesMax);
    this.reloads = log.reloads;
    this.cursor = firstDirtyOffset;
    this.mapEnd = firstUncleanableOffset;
  }

  /** Whether the pass is still building its map (else cleaning). */
  get mapping(): boolean {
    return this.phase === "map";
  }

  /** One step within `budget` (which it spends). */
  async step(nowMs: number, budget: StepBudget): Promise<StepResult> {
    if (this.log.reloads !== this.reloads) return { kind: "aborted", why: "the log was cut back" };
    try {
      while (budget.bytes > 0 && budget.records > 0) {
        const result = this.phase === "map" ? await this.mapSegment(budget) : await this.cleanSegment(nowMs, budget);
        if (result.kind !== "more") return result;
        if (this.log.reloads !== this.reloads) return { kind: "aborted", why: "the log was cut back" };
      }
      return { kind: "more" };
    } catch (e) {
      if (e instanceof CompressionError || e instanceof RangeError) return { kind: "corrupt", problem: e.message };
      throw e;
    }
  }

  /** Reads the next batches of the dirty section into the map. */
  private async mapSegment(budget: StepBudget): Promise<StepResult> {
    const segment = this.segmentAt(this.firstUncleanableOffset);
    if (segment === undefined) return this.mapped(this.firstUncleanableOffset);
    const asked = budget.bytes;
    const batches = await this.store.read(segment, this.cursor, asked);
    if (!Array.isArray(batches)) return refused(batches);
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

  /** The map covers the dirty section up to `end` (exclusive): the clean starts at the log start. */
  private mapped(end: number): StepResult {
    this.mapEnd = end;
    this.map.latestOffset = end - 1;
    this.phase = "clean";
    this.cursor = this.log.logStartOffset;
    return { kind: "more" };
  }

  /** Cleans the next batches of the next segment below the map's end, replacing them in their segment. */
  private async cleanSegment(nowMs: number, budget: StepBudget): Promise<StepResult> {
    this.cursor = Math.max(this.cursor, this.log.logStartOffset);
    const segment = this.segmentAt(this.mapEnd);
    if (segment === undefined) return { kind: "done", checkpoint: this.mapEnd, horizonMs: this.horizonMs };
    const from = Math.max(this.cursor, segment.baseOffset);
    const asked = budget.bytes;
    const batches = await this.store.read(segment, from, asked);
    if (!Array.isArray(batches)) return refused(batches);
    const { kept, end, stop } = await this.judge(batches, from, nowMs, budget);
    // The whole rest of the segment was read and judged: the range reaches past its last offset.
    const whole = stop === null && bytesOf(batches) < asked;
    if (this.log.reloads !== this.reloads) return { kind: "aborted", why: "the log was cut back" };
    const replaced = await this.store.replace(segment, from, whole ? segment.lastOffset + 1 : end, kept);
    if (replaced !== null) return refused(replaced);
    this.cursor = whole ? segment.lastOffset + 1 : stop === "map end" ? this.mapEnd : end;
    return whole ? this.dropIfEmpty(segment) : { kind: "more" };
  }

  /** Judges `batches` (read from `from`) in order until the map's end or the budget: what stays, and where the judged range ends. */
  private async judge(batches: Uint8Array[], from: number, nowMs: number, budget: StepBudget) {
    const producers = this.log.keys.activeProducersLastBatches(nowMs);
    const kept: KeptBatch[] = [];
    let end = from;
    let stop: "map end" | "budget" | null = null;
    for (const batch of batches) {
      const h = readBatchHeader(batch);
      if (h.baseOffset >= this.mapEnd) stop = "map end";
      else if (budget.bytes <= 0 || budget.records <= 0) stop = "budget";
      if (stop !== null) break;
      const epochStarts = h.partitionLeaderEpoch !== this.prevEpoch;
      this.prevEpoch = h.partitionLeaderEpoch;
      const retainEmpty = (h.producerId >= 0 && producers.has(h.baseOffset)) || epochStarts || lastOffsetOf(h) + 1 === this.firstUncleanableOffset;
      const out = await cleanBatch(batch, { map: this.map, nowMs, deleteRetentionMs: this.log.configs["delete.retention.ms"], retainEmpty });
      this.note(out.recordsRead, out.recordsRemoved, out.tombstoneHorizonMs);
      if (out.kind !== "drop") kept.push({ bytes: out.bytes ?? batch, changed: out.kind === "rewrite", maxTimestampMs: out.maxTimestampMs });
      end = lastOffsetOf(h) + 1;
      spend(budget, batch, h.recordCount);
    }
    return { kept, end, stop };
  }

  /** Drops a segment the clean left without batches. */
  private async dropIfEmpty(segment: ClosedSegment): Promise<StepResult> {
    const now = this.store.list().find((s) => s.baseOffset === segment.baseOffset);
    if (now === undefined || now.sizeBytes > 0) return { kind: "more" };
    const dropped = await this.store.drop(now);
    return dropped === null ? { kind: "more" } : refused(dropped);
  }

  private note(read: number, removed: number, horizonMs: number | null): void {
    this.stats.recordsRead += read;
    this.stats.recordsRemoved += removed;
    if (horizonMs !== null) this.horizonMs = Math.min(this.horizonMs ?? horizonMs, horizonMs);
  }

  /** The first listed segment holding offsets in [cursor, end). */
  private segmentAt(end: number): ClosedSegment | undefined {
    if (this.cursor >= end) return undefined;
    return this.store.list().find((s) => s.lastOffset >= this.cursor && s.baseOffset < end);
  }
}

function spend(budget: StepBudget, batch: Uint8Array, records: number): void {
  budget.bytes -= batch.length;
  budget.records -= Math.max(1, records);
}

function bytesOf(batches: Uint8Array[]): number {
  let n = 0;
  for (const b of batches) n += b.length;
  return n;
}

function refused(f: Failure): StepResult {
  return f.error_code === ErrorCode.CORRUPT_MESSAGE ? { kind: "corrupt", problem: f.message } : { kind: "aborted", why: f.message };
}

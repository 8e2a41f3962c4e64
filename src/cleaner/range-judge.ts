/**
 * Judging the batches one read of a pass's clean brought (cleaning-pass.ts),
 * in offset order, batch by batch through Kafka's filter (batch-cleaner.ts):
 * what stays of each, which batches stay even when emptied, where the
 * judged range ends, and the pass's statistics and earliest tombstone
 * horizon on the way.
 */
import { lastOffsetOf, readBatchHeader } from "../record/record-batch";
import { cleanBatch } from "./batch-cleaner";
import type { CleanerLog, PassStats, StepBudget } from "./cleaning-pass";
import type { OffsetMap } from "./offset-map";
import type { KeptBatch } from "./segment-store";
import type { Judged, WholeSegments } from "./whole-segments";

/** How to judge one read's batches. */
export interface Judging {
  /** The segment's store swaps whole segments: batches past the map's end go on as they are, rather than ending the range. */
  whole: boolean;
  /** The read reached the segment's last batch. */
  throughEnd: boolean;
  /** The segment is the last its (whole-segment) store lists: it keeps a batch. */
  lastListed: boolean;
  /** Whether what is judged counts in the statistics (not while a segment is read through first). */
  counted: boolean;
}

export class RangeJudge {
  readonly stats: PassStats = { recordsRead: 0, recordsRemoved: 0 };
  /** The earliest delete horizon of a tombstone that stays (epoch ms), or null. */
  horizonMs: number | null = null;
  /** The leader epoch of the batch judged last: a batch of another starts its epoch. */
  prevEpoch: number | null = null;
  /** Exclusive end of what the map covers. */
  mapEnd: number;

  constructor(
    private readonly log: CleanerLog,
    private readonly map: OffsetMap,
    private readonly firstUncleanableOffset: number,
    private readonly whole: WholeSegments,
  ) {
    this.mapEnd = firstUncleanableOffset;
  }

  /** Judges `batches` (read from `from`) in order until the map's end or the budget (which it spends). */
  async judge(batches: Uint8Array[], from: number, nowMs: number, budget: StepBudget, how: Judging): Promise<Judged> {
    const producers = this.log.keys.activeProducersLastBatches(nowMs);
    const judged: Judged = { kept: [], end: from, stop: null, changed: false, recordsRead: 0 };
    for (const [i, batch] of batches.entries()) {
      const h = readBatchHeader(batch);
      const pastMap = h.baseOffset >= this.mapEnd;
      if (pastMap && !how.whole) judged.stop = "map end";
      else if (budget.bytes <= 0 || budget.records <= 0) judged.stop = "budget";
      if (judged.stop !== null) break;
      const epochStarts = h.partitionLeaderEpoch !== this.prevEpoch;
      this.prevEpoch = h.partitionLeaderEpoch;
      judged.end = lastOffsetOf(h) + 1;
      spend(budget, batch, h.recordCount);
      if (pastMap) {
        this.keep(judged, { bytes: batch, changed: false, maxTimestampMs: h.recordCount === 0 ? -1 : h.maxTimestampMs });
        continue;
      }
      // The last segment of a whole-segment store keeps a batch (its last, emptied): that store's log never ends in a gap.
      const keepsLog = how.lastListed && how.throughEnd && i === batches.length - 1 && this.whole.keptInSegment === 0;
      const retainEmpty = (h.producerId >= 0 && producers.has(h.baseOffset)) || epochStarts || lastOffsetOf(h) + 1 === this.firstUncleanableOffset || keepsLog;
      const out = await cleanBatch(batch, { map: this.map, nowMs, deleteRetentionMs: this.log.configs["delete.retention.ms"], retainEmpty });
      this.note(how.counted ? out.recordsRead : 0, how.counted ? out.recordsRemoved : 0, out.tombstoneHorizonMs);
      judged.recordsRead += out.recordsRead;
      if (out.kind !== "keep") judged.changed = true;
      if (out.kind !== "drop") this.keep(judged, { bytes: out.bytes ?? batch, changed: out.kind === "rewrite", maxTimestampMs: out.maxTimestampMs });
    }
    return judged;
  }

  private keep(judged: Judged, batch: KeptBatch): void {
    judged.kept.push(batch);
    this.whole.keptInSegment++;
  }

  private note(read: number, removed: number, horizonMs: number | null): void {
    this.stats.recordsRead += read;
    this.stats.recordsRemoved += removed;
    if (horizonMs !== null) this.horizonMs = Math.min(this.horizonMs ?? horizonMs, horizonMs);
  }
}

/** Takes a batch's bytes and records (at least one) from `budget`. */
export function spend(budget: StepBudget, batch: Uint8Array, records: number): void {
  budget.bytes -= batch.length;
  budget.records -= Math.max(1, records);
}

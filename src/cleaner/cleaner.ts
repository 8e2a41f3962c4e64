/**
 * A partition replica's log cleaner (cleanup.policy compact or
 * compact,delete): every replica cleans its own log, as every Kafka
 * broker does. The replica's alarm calls `step`, which does a bounded
 * part of a pass (cleaning-pass.ts) and returns; `dueMs` says when the
 * alarm should come back — at once while a pass is under way, so appends
 * and reads run between steps and no step passes the object's CPU limit.
 * A pass starts when Kafka's LogCleanerManager would pick the log
 * (cleanable.ts): dirty ratio past `min.cleanable.dirty.ratio`, or
 * `max.compaction.lag.ms` passed, or a tombstone's delete horizon.
 */
import { limits } from "../limits";
import { compacts } from "../topic/configs";
import { readCheckpoint, writeCheckpoint } from "./checkpoint";
import { type Cleanable, cleanable, cleaningDueMs } from "./cleanable";
import { type CleanerLog, CleaningPass, type PassStats } from "./cleaning-pass";
import type { SegmentStore } from "./segment-store";

/** The partition view's `cleaner`. */
export interface CleanerView {
  /** Kafka's cleaner checkpoint: the first offset not yet cleaned. */
  lastCleanedOffset: number;
  /** Dirty bytes over cleanable bytes, 0 to 1. */
  dirtyRatio: number;
  /** When the last pass ended (epoch ms), or null. */
  lastRunMs: number | null;
}

export class Cleaner {
  private pass: CleaningPass | null = null;
  /** Why this log cannot be cleaned (a stored batch does not decode): no pass until the replica starts again. */
  private broken: string | null = null;
  /** What one step may read (bytes, records) and the offset map may hold (bytes): the limits, unless a test narrows them. */
  stepBytesMax: number = limits.cleanerStepBytesMax;
  stepRecordsMax: number = limits.cleanerStepRecordsMax;
  mapBytesMax: number = limits.cleanerOffsetMapBytesMax;

  /** `passed`: told each pass's statistics when it ends; `context`: ids for a log line. */
  constructor(
    private readonly log: CleanerLog,
    private readonly store: SegmentStore,
    private readonly passed: (stats: PassStats) => void,
    private readonly context: () => Record<string, unknown>,
  ) {}

  /** Whether a pass is under way. */
  get cleaning(): boolean {
    return this.pass !== null;
  }

  /** This memory is over (a restart or a wipe replaced it): a step in flight ends without writing, and none starts. */
  stop(): void {
    this.broken = "stopped";
    this.pass = null;
  }

  /** When the cleaner next has work (epoch ms; `nowMs` for at once), or null when none is coming. */
  dueMs(nowMs: number): number | null {
    if (!compacts(this.log.configs) || this.broken !== null) return null;
    if (this.pass !== null) return nowMs;
    return cleaningDueMs(this.cleanable(nowMs), this.log.configs, readCheckpoint(this.log).horizonMs, nowMs);
  }

  /** One bounded step: starts a pass when one is due, goes on with the one under way, ends it with the checkpoint. */
  async step(nowMs: number): Promise<void> {
    if (!compacts(this.log.configs) || this.broken !== null) {
      this.pass = null;
      return;
    }
    if (this.pass === null) {
      if (this.dueMs(nowMs) !== nowMs) return;
      const c = this.cleanable(nowMs);
      this.pass = new CleaningPass(this.log, this.store, c.firstDirtyOffset, c.firstUncleanableOffset, this.mapBytesMax);
    }
    const pass = this.pass;
    const result = await pass.step(nowMs, { bytes: this.stepBytesMax, records: this.stepRecordsMax });
    if (this.pass !== pass || result.kind === "more") return;
    this.pass = null;
    if (result.kind === "done") {
      writeCheckpoint(this.log, result.checkpoint, nowMs, result.horizonMs);
      this.passed(pass.stats);
    } else if (result.kind === "corrupt") {
      this.broken = result.problem;
      console.error(JSON.stringify({ level: "error", event: "cleaner-stopped", ...this.context(), error: result.problem }));
    }
  }

  /** The partition view's `cleaner`, or null when the topic is not compacted. */
  view(nowMs: number): CleanerView | null {
    if (!compacts(this.log.configs)) return null;
    const checkpoint = readCheckpoint(this.log);
    return { lastCleanedOffset: checkpoint.firstDirtyOffset, dirtyRatio: this.cleanable(nowMs).dirtyRatio, lastRunMs: checkpoint.lastRunMs };
  }

  private cleanable(nowMs: number): Cleanable {
    const checkpoint = readCheckpoint(this.log);
    return cleanable({ segments: this.store.list(), highWatermark: this.log.highWatermark, firstDirtyOffset: checkpoint.firstDirtyOffset, configs: this.log.configs, nowMs });
  }
}

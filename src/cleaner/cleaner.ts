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
 *
 * The log is what the segment stores hold, as one log (one-log.ts): on
 * the leader of a tiered partition, the remote segments and the local
 * ones. The alarm's step runs off the alarm (`tick`), as the tiered
 * module's bucket work does: a step may wait on the bucket, and appends
 * and heartbeats never wait for it. One step runs at a time; one that a
 * store's call failed for now (the bucket) is tried again after a pause,
 * doubling as tiered storage's retries do.
 */
import { limits } from "../limits";
import { compacts } from "../topic/configs";
import { retryAtMs } from "../tiered/outbox";
import { readCheckpoint, writeCheckpoint } from "./checkpoint";
import { type Cleanable, cleanable, cleaningDueMs } from "./cleanable";
import { type CleanerLog, CleaningPass, type PassStats, type StepResult } from "./cleaning-pass";
import { oneLog } from "./one-log";
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
  /** The step under way, if any. */
  private inFlight: Promise<void> | null = null;
  /** Steps in a row a store's call failed for now, and when the next may try. */
  private failures = 0;
  private retryAtMs = 0;

  /**
   * `stores`: where the log's closed segments are now, in order
   * (one-log.ts); `passed`: told each pass's statistics when it ends;
   * `failed`: told of each step a store's call failed for now; `context`:
   * ids for a log line.
   */
  constructor(
    private readonly log: CleanerLog,
    private readonly stores: () => SegmentStore[],
    private readonly passed: (stats: PassStats) => void,
    private readonly failed: () => void,
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

  /** When the cleaner next has work (epoch ms; `nowMs` for at once), or null when none is coming (or a step is under way: its end asks again). */
  dueMs(nowMs: number): number | null {
    return this.inFlight === null ? this.due(nowMs) : null;
  }

  /**
   * The alarm's step, run off the alarm when one is due and none is under
   * way; `ended` is told when it is over (the replica sets its alarm).
   */
  tick(nowMs: number, ended: () => void): void {
    if (this.inFlight !== null || this.due(nowMs) !== nowMs) return;
    const run: Promise<void> = this.stepNow(nowMs)
      .catch((e: unknown) => console.error(JSON.stringify({ level: "error", event: "cleaner-bug", ...this.context(), error: e instanceof Error ? e.stack : String(e) })))
      .finally(() => {
        if (this.inFlight === run) this.inFlight = null;
        ended();
      });
    this.inFlight = run;
  }

  /** One bounded step (after the one under way, if any): starts a pass when one is due, goes on with the one under way, ends it with the checkpoint. */
  async step(nowMs: number): Promise<void> {
    while (this.inFlight !== null) await this.inFlight;
    const run = this.stepNow(nowMs);
    this.inFlight = run;
    try {
      await run;
    } finally {
      if (this.inFlight === run) this.inFlight = null;
    }
  }

  /**
   * Whether the uploader may record a copy of the local batches up to
   * `lastOffset` now: not while the pass under way would leave it behind
   * (CleaningPass.uploadable).
   */
  uploadable(lastOffset: number): boolean {
    return this.pass === null || this.pass.uploadable(lastOffset);
  }

  private due(nowMs: number): number | null {
    if (!compacts(this.log.configs) || this.broken !== null) return null;
    if (this.pass !== null) return Math.max(nowMs, this.retryAtMs);
    return cleaningDueMs(this.cleanable(nowMs), this.log.configs, readCheckpoint(this.log).horizonMs, nowMs);
  }

  private async stepNow(nowMs: number): Promise<void> {
    if (!compacts(this.log.configs) || this.broken !== null) {
      this.pass = null;
      return;
    }
    if (this.pass === null) {
      if (this.due(nowMs) !== nowMs) return;
      const c = this.cleanable(nowMs);
      this.pass = new CleaningPass(this.log, this.stores(), c.firstDirtyOffset, c.firstUncleanableOffset, this.mapBytesMax);
    }
    const pass = this.pass;
    const result = await pass.step(nowMs, { bytes: this.stepBytesMax, records: this.stepRecordsMax });
    if (this.pass !== pass) return;
    this.retried(result, nowMs);
    if (result.kind === "more" || result.kind === "retry") return;
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

  /** Counts a step a store's call failed for now (one warning per run of them) and sets when the next may try. */
  private retried(result: StepResult, nowMs: number): void {
    if (result.kind !== "retry") {
      this.failures = 0;
      this.retryAtMs = 0;
      return;
    }
    if (this.failures === 0) console.warn(JSON.stringify({ level: "warn", event: "cleaner-step-failed", ...this.context(), message: result.why }));
    this.retryAtMs = retryAtMs(nowMs, this.failures++);
    this.failed();
  }

  private cleanable(nowMs: number): Cleanable {
    const checkpoint = readCheckpoint(this.log);
    return cleanable({ segments: oneLog(this.stores()), highWatermark: this.log.highWatermark, firstDirtyOffset: checkpoint.firstDirtyOffset, configs: this.log.configs, nowMs });
  }
}

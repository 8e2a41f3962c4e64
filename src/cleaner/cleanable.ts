/**
 * Which part of a log the cleaner may clean now, and how dirty it is —
 * Kafka's LogCleanerManager.cleanableOffsets and LogToClean, over whole
 * closed segments. Pure: the cleaner feeds it the segments and positions.
 *
 * The dirty section runs from the checkpoint (the first offset not yet
 * cleaned) to the first uncleanable offset: the start of the first closed
 * segment that reaches the high watermark, or whose newest record is
 * younger than `min.compaction.lag.ms` — or the active segment, which is
 * never listed. Clean bytes are those of the cleanable segments wholly
 * below the checkpoint; dirty bytes those of the others (a segment the
 * checkpoint falls inside counts as dirty). The dirty ratio is dirty
 * bytes over both.
 */
import { limits } from "../limits";
import type { TopicConfigs } from "../topic/configs";
import type { ClosedSegment } from "./segment-store";

export interface CleanableInput {
  /** Closed segments, oldest first. */
  segments: ClosedSegment[];
  highWatermark: number;
  /** The checkpoint, as read (checkpoint.ts). */
  firstDirtyOffset: number;
  configs: TopicConfigs;
  nowMs: number;
}

export interface Cleanable {
  firstDirtyOffset: number;
  /** Exclusive end of the dirty section, at or after `firstDirtyOffset`. */
  firstUncleanableOffset: number;
  /** The segments a pass may clean now (wholly below `firstUncleanableOffset`), oldest first. */
  segments: ClosedSegment[];
  cleanBytes: number;
  dirtyBytes: number;
  /** dirtyBytes / (cleanBytes + dirtyBytes); 0 when both are 0. */
  dirtyRatio: number;
  /** When a record of the dirty section passes `max.compaction.lag.ms` (epoch ms): the cleaner must run then, whatever the ratio. Null when never. */
  forcedAtMs: number | null;
  /** When a segment held back by `min.compaction.lag.ms` becomes cleanable (epoch ms), or null. */
  lagEndsAtMs: number | null;
}

/** The cleanable part of a log (see above). */
export function cleanable(input: CleanableInput): Cleanable {
  const { configs, nowMs, firstDirtyOffset } = input;
  const minLagMs = configs["min.compaction.lag.ms"];
  const segments: ClosedSegment[] = [];
  let lagEndsAtMs: number | null = null;
  for (const s of input.segments) {
    if (s.lastOffset >= input.highWatermark) break;
    // Kafka's rule: a dirty segment whose newest record is younger than the lag is not cleaned yet, nor anything after it.
    if (minLagMs > 0 && s.lastOffset >= firstDirtyOffset && s.maxTimestampMs > nowMs - minLagMs) {
      lagEndsAtMs = s.maxTimestampMs + minLagMs;
      break;
    }
    segments.push(s);
  }
  const last = segments[segments.length - 1];
  const firstUncleanableOffset = Math.max(firstDirtyOffset, last === undefined ? firstDirtyOffset : last.lastOffset + 1);
  let cleanBytes = 0;
  let dirtyBytes = 0;
  for (const s of segments) {
    if (s.lastOffset < firstDirtyOffset) cleanBytes += s.sizeBytes;
    else dirtyBytes += s.sizeBytes;
  }
  const total = cleanBytes + dirtyBytes;
  return {
    firstDirtyOffset,
    firstUncleanableOffset,
    segments,
    cleanBytes,
    dirtyBytes,
    dirtyRatio: total === 0 ? 0 : dirtyBytes / total,
    forcedAtMs: forcedAt(input),
    lagEndsAtMs,
  };
}

/**
 * When `max.compaction.lag.ms` forces a pass: the oldest first-batch
 * timestamp of the closed segments from the checkpoint on, plus the lag
 * (Kafka's maxCompactionDelay), just past it. Null when the lag is
 * unbounded or no dirty closed segment has a timestamp.
 */
function forcedAt(input: CleanableInput): number | null {
  const maxLagMs = input.configs["max.compaction.lag.ms"];
  if (maxLagMs >= limits.compactionLagMsUnbounded) return null;
  let oldest = Number.POSITIVE_INFINITY;
  for (const s of input.segments) {
    if (s.lastOffset >= input.firstDirtyOffset && s.firstTimestampMs > 0) oldest = Math.min(oldest, s.firstTimestampMs);
  }
  return oldest === Number.POSITIVE_INFINITY ? null : oldest + maxLagMs + 1;
}

/**
 * When the cleaner should next run (epoch ms; `nowMs` when at once), or
 * null when nothing will make it: dirty bytes past the ratio or forced by
 * `max.compaction.lag.ms`; tombstones whose horizon (`horizonMs`, the
 * earliest pending) has passed, removed without any further writes
 * (KIP-534); or later, when a lag ends or a horizon comes.
 */
export function cleaningDueMs(c: Cleanable, configs: TopicConfigs, horizonMs: number | null, nowMs: number): number | null {
  if (c.dirtyBytes > 0 && (c.dirtyRatio > configs["min.cleanable.dirty.ratio"] || (c.forcedAtMs !== null && c.forcedAtMs <= nowMs))) return nowMs;
  if (horizonMs !== null && horizonMs <= nowMs && c.cleanBytes + c.dirtyBytes > 0) return nowMs;
  const later = [horizonMs, c.lagEndsAtMs, c.dirtyBytes > 0 ? c.forcedAtMs : null].filter((t): t is number => t !== null && t > nowMs);
  return later.length === 0 ? null : Math.min(...later);
}

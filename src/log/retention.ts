/**
 * Which segments retention deletes. Pure: the partition object feeds it
 * its segments and applies the answer.
 */

export interface SegmentInfo {
  baseOffset: number;
  /** Inclusive. */
  lastOffset: number;
  sizeBytes: number;
  /** The newest max timestamp of its batches (epoch ms); -1 (Kafka's NO_TIMESTAMP) when none has one. */
  maxTimestampMs: number;
  /** When a batch was last appended to it (epoch ms), or a time after that: what Kafka reads off the segment file's modification time. */
  lastAppendMs: number;
}

/**
 * The time retention judges a segment by (epoch ms), as Kafka's
 * LogSegment.largestTimestamp: its newest record timestamp, or, when its
 * batches carry none (-1: stored by versions before the Worker recomputed
 * max timestamps, e.g. from Sarama), when it was last appended to — so a
 * batch without a timestamp is never taken for a very old one.
 */
export function largestTimestampMs(s: SegmentInfo): number {
  return s.maxTimestampMs >= 0 ? s.maxTimestampMs : s.lastAppendMs;
}

export interface RetentionPolicy {
  retentionMs: number;
  retentionBytes: number;
}

/**
 * How many of the oldest segments to delete, and whether the active
 * (last) segment is among them. As in Kafka, deletion takes a prefix: by
 * time, segments whose largest timestamp (largestTimestampMs) is older
 * than `retentionMs`; by size,
 * oldest segments while the log stays at least `retentionBytes` without
 * them. `segments` is oldest first and ends with the active segment.
 */
export function planRetention(segments: SegmentInfo[], policy: RetentionPolicy, nowMs: number): number {
  let total = segments.reduce((sum, s) => sum + s.sizeBytes, 0);
  let count = 0;
  for (const s of segments) {
    if (s.sizeBytes === 0) break; // an empty active segment holds nothing to delete
    const expired = policy.retentionMs >= 0 && largestTimestampMs(s) < nowMs - policy.retentionMs;
    const oversize = policy.retentionBytes >= 0 && total - s.sizeBytes >= policy.retentionBytes;
    if (!expired && !oversize) break;
    // Size alone never deletes the active segment: Kafka keeps the newest data.
    if (!expired && count === segments.length - 1) break;
    total -= s.sizeBytes;
    count++;
  }
  return count;
}

/** When the oldest segment becomes due for time-based deletion, or null. */
export function nextExpiryMs(segments: SegmentInfo[], policy: RetentionPolicy): number | null {
  const oldest = segments.find((s) => s.sizeBytes > 0);
  if (oldest === undefined || policy.retentionMs < 0) return null;
  return largestTimestampMs(oldest) + policy.retentionMs + 1;
}

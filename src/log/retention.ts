/**
 * Which segments retention deletes. Pure: the partition object feeds it
 * its segments and applies the answer.
 */

export interface SegmentInfo {
  baseOffset: number;
  /** Inclusive. */
  lastOffset: number;
  sizeBytes: number;
  maxTimestampMs: number;
}

export interface RetentionPolicy {
  retentionMs: number;
  retentionBytes: number;
}

/**
 * How many of the oldest segments to delete, and whether the active
 * (last) segment is among them. As in Kafka, deletion takes a prefix: by
 * time, segments whose newest record is older than `retentionMs`; by size,
 * oldest segments while the log stays at least `retentionBytes` without
 * them. `segments` is oldest first and ends with the active segment.
 */
export function planRetention(segments: SegmentInfo[], policy: RetentionPolicy, nowMs: number): number {
  let total = segments.reduce((sum, s) => sum + s.sizeBytes, 0);
  let count = 0;
  for (const s of segments) {
    if (s.sizeBytes === 0) break; // an empty active segment holds nothing to delete
    const expired = policy.retentionMs >= 0 && s.maxTimestampMs < nowMs - policy.retentionMs;
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
  return oldest.maxTimestampMs + policy.retentionMs + 1;
}

/**
 * Retention with tiered storage. Pure: the tiered module feeds it the
 * segments and applies the answer.
 *
 * - Local retention drops the local copies of segments the bucket holds
 *   (wholly below the copied offset) once past `local.retention.bytes` /
 *   `local.retention.ms`; the log start stays.
 * - Retention of the whole log (`retention.bytes` / `retention.ms`) runs
 *   over the remote segments, then the local ones not yet copied, as one
 *   log: the oldest remote segments go first, and the log start moves.
 */
import { deletes, type TopicConfigs } from "../topic/configs";
import { planRetention, type RetentionPolicy, type SegmentInfo } from "../log/retention";
import type { RemoteSegment } from "./remote-log";

/**
 * The local limits in effect: `local.retention.*`, -2 meaning the whole
 * log's `retention.*`, and never more than it (as Kafka requires of the
 * two).
 */
export function localPolicy(c: TopicConfigs): RetentionPolicy {
  const bytes = c["local.retention.bytes"] === -2 ? c["retention.bytes"] : c["local.retention.bytes"];
  const ms = c["local.retention.ms"] === -2 ? c["retention.ms"] : c["local.retention.ms"];
  return { retentionBytes: atMost(bytes, c["retention.bytes"]), retentionMs: atMost(ms, c["retention.ms"]) };
}

/** The whole log's limits: `retention.bytes` / `retention.ms`; none for a topic compacted without `delete` (cleanup.policy). */
export function wholePolicy(c: TopicConfigs): RetentionPolicy {
  if (!deletes(c)) return { retentionBytes: -1, retentionMs: -1 };
  return { retentionBytes: c["retention.bytes"], retentionMs: c["retention.ms"] };
}

/**
 * How many of the oldest local segments (`local`: oldest first, the
 * active one last) local retention drops: those past `policy`, as far as
 * they lie wholly below `copiedOffset`, never the last.
 */
export function planLocalDrop(local: SegmentInfo[], copiedOffset: number, policy: RetentionPolicy, nowMs: number): number {
  const count = planRetention(local, policy, nowMs);
  let n = 0;
  while (n < count && n < local.length - 1 && local[n]!.lastOffset < copiedOffset) n++;
  return n;
}

/**
 * Retention of the whole log, remote segments first: how many of them go
 * and where the log then starts; null when none goes. `local`: the local
 * segments, oldest first; only those wholly below `highWatermark` and
 * past the remote log's end count.
 */
export function planRemoteRetention(
  remote: readonly RemoteSegment[],
  local: SegmentInfo[],
  policy: RetentionPolicy,
  highWatermark: number,
  nowMs: number,
): { count: number; logStartOffset: number } | null {
  const remoteEnd = remote[remote.length - 1]?.lastOffset ?? -1;
  const log = [...remote.map(asSegmentInfo), ...local.filter((s) => s.lastOffset > remoteEnd && s.lastOffset < highWatermark)];
  const count = Math.min(planRetention(log, policy, nowMs), remote.length);
  if (count === 0) return null;
  return { count, logStartOffset: remote[count]?.baseOffset ?? remoteEnd + 1 };
}

/** A remote segment as retention sees it: recorded no earlier than its last append. */
export function asSegmentInfo(s: RemoteSegment): SegmentInfo {
  return { baseOffset: s.baseOffset, lastOffset: s.lastOffset, sizeBytes: s.sizeBytes, maxTimestampMs: s.maxTimestampMs, lastAppendMs: s.recordedAtMs };
}

/** `local`, at most `whole` when that is a limit (>= 0). */
function atMost(local: number, whole: number): number {
  if (whole < 0) return local;
  return local < 0 ? whole : Math.min(local, whole);
}

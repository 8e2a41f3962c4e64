/**
 * A log's segments: the closed ones, oldest first, and the active one
 * appends go to. Rows live in the `segments` table (the active one's size
 * and offsets are summed from its batches when opened); sizes are kept in
 * memory. Retention deletes whole segments, oldest first.
 *
 * The time of a segment's last append is not stored: it matters only for
 * a segment none of whose batches has a max timestamp (see
 * largestTimestampMs in retention.ts). Opened from storage, a closed
 * segment counts as last appended to when the next one started, the
 * active one when the log was opened: never earlier than it was.
 */
import { assert } from "../errors";
import { limits } from "../limits";
import type { TopicConfigs } from "../topic/configs";
import { nextExpiryMs, type SegmentInfo } from "./retention";

export interface ActiveSegment extends SegmentInfo {
  createdAtMs: number;
}

export class Segments {
  /** Closed segments, oldest first. */
  private closed: SegmentInfo[];
  /** The segment appends go to; null until the first append after a roll by retention. */
  private active: ActiveSegment | null;

  /** `openedAtMs` (epoch ms, default now) stands for the active segment's last append, which is not stored. */
  constructor(
    private readonly sql: SqlStorage,
    openedAtMs: number = Date.now(),
  ) {
    const rows = sql
      .exec<{ base_offset: number; last_offset: number; size_bytes: number; max_timestamp_ms: number; created_at_ms: number }>(
        "SELECT base_offset, last_offset, size_bytes, max_timestamp_ms, created_at_ms FROM segments WHERE closed = 1 ORDER BY base_offset",
      )
      .toArray();
    this.active = this.loadActive(openedAtMs);
    this.closed = rows.map((r, i) => ({
      baseOffset: r.base_offset,
      lastOffset: r.last_offset,
      sizeBytes: r.size_bytes,
      maxTimestampMs: r.max_timestamp_ms,
      lastAppendMs: rows[i + 1]?.created_at_ms ?? this.active?.createdAtMs ?? openedAtMs,
    }));
  }

  /** Every segment, oldest first, the active one last. */
  all(): SegmentInfo[] {
    return this.active === null ? [...this.closed] : [...this.closed, this.active];
  }

  /**
   * The segment a batch of `batchBytes` starting at `baseOffset` goes to:
   * the active one, rolled first when the batch would overfill it
   * (`segment.bytes`) or it is older than `segment.ms`.
   */
  forBatch(batchBytes: number, baseOffset: number, nowMs: number, configs: TopicConfigs): ActiveSegment {
    const a = this.active;
    const full = a !== null && a.sizeBytes > 0 && a.sizeBytes + batchBytes > configs["segment.bytes"];
    const old = a !== null && a.sizeBytes > 0 && nowMs - a.createdAtMs >= configs["segment.ms"];
    if (a !== null && !full && !old) return a;
    if (a !== null) this.closeActive();
    const next: ActiveSegment = { baseOffset, lastOffset: baseOffset - 1, sizeBytes: 0, maxTimestampMs: -1, lastAppendMs: nowMs, createdAtMs: nowMs };
    this.sql.exec("INSERT INTO segments (base_offset, created_at_ms) VALUES (?, ?)", next.baseOffset, nowMs);
    this.active = next;
    return next;
  }

  /**
   * Where the log starts once the `count` oldest segments go (closing the
   * active segment first when it is among them); `logEndOffset` when none
   * is left.
   */
  startWithout(count: number, logEndOffset: number): number {
    if (count > this.closed.length) this.closeActive();
    return this.closed[count]?.baseOffset ?? this.active?.baseOffset ?? logEndOffset;
  }

  /** Forgets the `count` oldest segments, whose rows retention deleted. */
  dropOldest(count: number): void {
    this.closed = this.closed.slice(count);
  }

  /** The closed segments, oldest first (copies). */
  closedSegments(): SegmentInfo[] {
    return this.closed.map((s) => ({ ...s }));
  }

  /** The closed segment starting at `baseOffset`, or undefined. */
  closedAt(baseOffset: number): SegmentInfo | undefined {
    return this.closed.find((s) => s.baseOffset === baseOffset);
  }

  /** A closed segment's batches were cleaned: its size and newest max timestamp are these now (its row too). */
  resized(baseOffset: number, sizeBytes: number, maxTimestampMs: number): void {
    const s = this.closedAt(baseOffset);
    assert(s !== undefined, `segment ${baseOffset} is closed`);
    s.sizeBytes = sizeBytes;
    s.maxTimestampMs = maxTimestampMs;
    this.sql.exec("UPDATE segments SET size_bytes = ?, max_timestamp_ms = ? WHERE base_offset = ?", sizeBytes, maxTimestampMs, baseOffset);
  }

  /** Removes a closed segment cleaning left without batches (its row too). */
  dropClosed(baseOffset: number): void {
    const at = this.closed.findIndex((s) => s.baseOffset === baseOffset);
    assert(at >= 0, `segment ${baseOffset} is closed`);
    this.closed.splice(at, 1);
    this.sql.exec("DELETE FROM segments WHERE base_offset = ?", baseOffset);
  }

  /** When retention next has work (inclusive, epoch ms), or null when the log holds nothing. */
  retentionDueMs(nowMs: number, configs: TopicConfigs): number | null {
    if (this.sizeBytes() === 0) return null;
    const retentionBytes = configs["retention.bytes"];
    let dueMs = nowMs + limits.retentionCheckIntervalMs;
    if (retentionBytes >= 0 && this.sizeBytes() > retentionBytes && this.closed.length > 0) dueMs = nowMs;
    const expiry = nextExpiryMs(this.all(), { retentionMs: configs["retention.ms"], retentionBytes });
    if (expiry !== null) dueMs = Math.max(nowMs, Math.min(dueMs, expiry));
    return dueMs;
  }

  /** Bytes of every batch held. */
  sizeBytes(): number {
    return this.closed.reduce((sum, s) => sum + s.sizeBytes, this.active?.sizeBytes ?? 0);
  }

  count(): number {
    return this.closed.length + (this.active === null ? 0 : 1);
  }

  private closeActive(): void {
    const a = this.active;
    if (a === null) return;
    this.sql.exec(
      "UPDATE segments SET closed = 1, size_bytes = ?, max_timestamp_ms = ?, last_offset = ? WHERE base_offset = ?",
      a.sizeBytes, a.maxTimestampMs, a.lastOffset, a.baseOffset,
    );
    if (a.sizeBytes > 0) {
      this.closed.push({ baseOffset: a.baseOffset, lastOffset: a.lastOffset, sizeBytes: a.sizeBytes, maxTimestampMs: a.maxTimestampMs, lastAppendMs: a.lastAppendMs });
    }
    else this.sql.exec("DELETE FROM segments WHERE base_offset = ?", a.baseOffset);
    this.active = null;
  }

  private loadActive(openedAtMs: number): ActiveSegment | null {
    const seg = this.sql.exec<{ base_offset: number; created_at_ms: number }>("SELECT base_offset, created_at_ms FROM segments WHERE closed = 0").toArray();
    assert(seg.length <= 1, "at most one active segment");
    const s = seg[0];
    if (s === undefined) return null;
    const stats = this.sql
      .exec<{ size: number | null; last: number | null; max_ts: number | null }>(
        "SELECT SUM(size_bytes) AS size, MAX(last_offset) AS last, MAX(max_timestamp_ms) AS max_ts FROM batches WHERE base_offset >= ?",
        s.base_offset,
      )
      .one();
    return {
      baseOffset: s.base_offset,
      createdAtMs: s.created_at_ms,
      sizeBytes: stats.size ?? 0,
      lastOffset: stats.last ?? s.base_offset - 1,
      maxTimestampMs: stats.max_ts ?? -1,
      lastAppendMs: openedAtMs,
    };
  }
}

/**
 * The remote segments a replica knows, in its SQLite (schema step 4):
 * oldest first, contiguous, each one object in the bucket with its sparse
 * index. The leader records what it uploaded; followers record what the
 * leader tells them (remote-sync.ts). Rows are kept in memory too, so
 * reads and retention do not query for them.
 *
 * The module for everything that lists, reads, replaces or deletes a
 * remote segment (see `replace` and `remove`); objects of removed
 * segments become owed deletes (`Outbox`), never dropped silently.
 */
import { assert } from "../errors";

/** One remote segment: an object holding batches [baseOffset, lastOffset] as stored. */
export interface RemoteSegment {
  /** This replica's row id (followers number their own). */
  id: number;
  baseOffset: number;
  /** Inclusive. */
  lastOffset: number;
  sizeBytes: number;
  /** The newest max timestamp of its batches (epoch ms); -1 when none has one. */
  maxTimestampMs: number;
  /** The epoch of the leader that uploaded it. */
  leaderEpoch: number;
  objectKey: string;
  /** The order in which leaders recorded segments; followers learn them in that order. */
  seq: number;
  /** When it was recorded (epoch ms): the time of its last append, for a segment without timestamps. */
  recordedAtMs: number;
}

/** A sparse index entry: the batch starting at `position` of the object, and the running max timestamp through its span. */
export interface IndexEntry {
  baseOffset: number;
  position: number;
  timeIndexMs: number;
}

/** A segment to record: its object and index (the row id and seq are given here). */
export type NewRemoteSegment = Omit<RemoteSegment, "id" | "seq">;

/** Where a read of an object starts and the byte it must reach (exclusive) to hold a whole batch. */
export interface Span {
  segment: RemoteSegment;
  /** The indexed batch at or before the wanted offset. */
  position: number;
  /** The next entry's position (or the object's end): the wanted batch ends at or before it. */
  endPosition: number;
}

type Row = {
  id: number; base_offset: number; last_offset: number; size_bytes: number; max_timestamp_ms: number;
  leader_epoch: number; object_key: string; seq: number; recorded_at_ms: number;
};

export class RemoteLog {
  private rows: RemoteSegment[];

  constructor(private readonly sql: SqlStorage) {
    this.rows = this.load();
  }

  /** Every remote segment, oldest first. */
  segments(): readonly RemoteSegment[] {
    return this.rows;
  }

  /** The first offset held remotely, or null when none is. */
  startOffset(): number | null {
    return this.rows[0]?.baseOffset ?? null;
  }

  /** The offset after the last one held remotely (exclusive), or null when none is. */
  endOffset(): number | null {
    const last = this.rows[this.rows.length - 1];
    return last === undefined ? null : last.lastOffset + 1;
  }

  sizeBytes(): number {
    return this.rows.reduce((n, s) => n + s.sizeBytes, 0);
  }

  /** The segment holding `offset`, or null. */
  containing(offset: number): RemoteSegment | null {
    let lo = 0;
    let hi = this.rows.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = this.rows[mid]!;
      if (offset < s.baseOffset) hi = mid - 1;
      else if (offset > s.lastOffset) lo = mid + 1;
      else return s;
    }
    return null;
  }

  /** The highest seq recorded here (0 before any). */
  seq(): number {
    return Number(this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'remote_seq'").toArray()[0]?.value ?? "0");
  }

  /**
   * Up to which seq this replica's rows are complete — it holds every row
   * of the leader's it learned them from with a seq up to it — or -1 while
   * a full copy from a leader is under way (or was cut off).
   */
  syncedSeq(): number {
    return Number(this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'remote_synced_seq'").toArray()[0]?.value ?? "0");
  }

  setSyncedSeq(seq: number): void {
    this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('remote_synced_seq', ?)", String(seq));
  }

  /** The key of the row recorded under `seq`, or null. */
  keyOf(seq: number): string | null {
    return this.rows.find((s) => s.seq === seq)?.objectKey ?? null;
  }

  /** The running max timestamp at the end of the remote log (-1 when empty): where the next segment's index starts. */
  lastTimeIndexMs(): number {
    const last = this.rows[this.rows.length - 1];
    if (last === undefined) return -1;
    return this.sql.exec<{ t: number | null }>("SELECT MAX(time_index_ms) AS t FROM remote_index WHERE segment_id = ?", last.id).one().t ?? -1;
  }

  /** Where to read the batch holding `offset` in `segment`. */
  span(segment: RemoteSegment, offset: number): Span {
    const at = this.sql
      .exec<{ position: number }>("SELECT position FROM remote_index WHERE segment_id = ? AND base_offset <= ? ORDER BY base_offset DESC LIMIT 1", segment.id, offset)
      .toArray()[0];
    const next = this.sql
      .exec<{ position: number }>("SELECT position FROM remote_index WHERE segment_id = ? AND base_offset > ? ORDER BY base_offset LIMIT 1", segment.id, offset)
      .toArray()[0];
    return { segment, position: at?.position ?? 0, endPosition: next?.position ?? segment.sizeBytes };
  }

  /**
   * The span holding the first batch whose running max timestamp is at or
   * after `timestampMs`, among the index entries past `afterOffset`
   * (exclusive; -1: all), or null.
   */
  spanForTime(timestampMs: number, afterOffset = -1): Span | null {
    const hit = this.sql
      .exec<{ segment_id: number; base_offset: number }>(
        "SELECT segment_id, base_offset FROM remote_index WHERE time_index_ms >= ? AND base_offset > ? ORDER BY time_index_ms, base_offset LIMIT 1",
        timestampMs,
        afterOffset,
      )
      .toArray()[0];
    const segment = hit === undefined ? undefined : this.rows.find((s) => s.id === hit.segment_id);
    return segment === undefined ? null : this.span(segment, hit!.base_offset);
  }

  /** `segment`'s index entries, in offset order. */
  index(segment: RemoteSegment): IndexEntry[] {
    return this.sql
      .exec<{ base_offset: number; position: number; time_index_ms: number }>(
        "SELECT base_offset, position, time_index_ms FROM remote_index WHERE segment_id = ? ORDER BY base_offset",
        segment.id,
      )
      .toArray()
      .map((r) => ({ baseOffset: r.base_offset, position: r.position, timeIndexMs: r.time_index_ms }));
  }

  /**
   * Records `segment` with `entries` under `seq` (a new one when omitted),
   * first removing the rows it overlaps (returned: their objects are the
   * caller's to delete, or not). Call inside a transaction.
   */
  insert(segment: NewRemoteSegment, entries: IndexEntry[], seq?: number): RemoteSegment[] {
    // Its first batch may start past its base offset: a gap the log cleaner left.
    const first = entries[0];
    assert(first !== undefined && first.baseOffset >= segment.baseOffset && first.baseOffset <= segment.lastOffset && first.position === 0, "a remote segment's index starts at its first batch");
    const overlapped = this.rows.filter((s) => s.baseOffset <= segment.lastOffset && s.lastOffset >= segment.baseOffset);
    this.deleteRows(overlapped.map((s) => s.id));
    const n = seq ?? this.seq() + 1;
    if (n > this.seq()) this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('remote_seq', ?)", String(n));
    const id = this.sql
      .exec<{ id: number }>(
        `INSERT INTO remote_segments (base_offset, last_offset, size_bytes, max_timestamp_ms, leader_epoch, object_key, seq, recorded_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
        segment.baseOffset, segment.lastOffset, segment.sizeBytes, segment.maxTimestampMs, segment.leaderEpoch, segment.objectKey, n, segment.recordedAtMs,
      )
      .one().id;
    for (const e of entries) {
      this.sql.exec("INSERT INTO remote_index (segment_id, base_offset, position, time_index_ms) VALUES (?, ?, ?, ?)", id, e.baseOffset, e.position, e.timeIndexMs);
    }
    this.rows = this.load();
    return overlapped;
  }

  /** Forgets `segments` (their objects are the caller's to delete, or not). Call inside a transaction. */
  remove(segments: readonly RemoteSegment[]): void {
    this.deleteRows(segments.map((s) => s.id));
    this.rows = this.load();
  }

  /** The segments wholly below `offset`. */
  below(offset: number): RemoteSegment[] {
    return this.rows.filter((s) => s.lastOffset < offset);
  }

  /** Memory follows storage again (after a rolled-back transaction). */
  reload(): void {
    this.rows = this.load();
  }

  private deleteRows(ids: number[]): void {
    for (const id of ids) {
      this.sql.exec("DELETE FROM remote_index WHERE segment_id = ?", id);
      this.sql.exec("DELETE FROM remote_segments WHERE id = ?", id);
    }
  }

  private load(): RemoteSegment[] {
    return this.sql
      .exec<Row>("SELECT * FROM remote_segments ORDER BY base_offset")
      .toArray()
      .map((r) => ({
        id: r.id, baseOffset: r.base_offset, lastOffset: r.last_offset, sizeBytes: r.size_bytes, maxTimestampMs: r.max_timestamp_ms,
        leaderEpoch: r.leader_epoch, objectKey: r.object_key, seq: r.seq, recordedAtMs: r.recorded_at_ms,
      }));
  }

  /** Whether the segments follow each other with no gap (always so on a leader; a follower may pass through gaps while it syncs). */
  contiguous(): boolean {
    return this.rows.every((s, i) => i === 0 || s.baseOffset === this.rows[i - 1]!.lastOffset + 1);
  }

}

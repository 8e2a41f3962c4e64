/**
 * The one rewrite of a remote segment in progress on a leader (schema
 * step 5), kept in its SQLite so that what was staged and sent is known
 * after a crash — and given up then (the cleaning pass that judged it is
 * gone): which segment's object it replaces, the new object's key, how
 * far the cleaned ranges are staged, the multipart upload's state, and the
 * cleaned batches staged and not yet sent. Memory keeps a copy of the row,
 * read once per change, since the cleaner lists segments after every
 * append.
 */
import type { IndexEntry } from "./remote-log";
import type { ChunkCursor } from "./segment-bytes";

export interface Rewrite {
  /** The new object. */
  objectKey: string;
  /** The object of the segment it replaces. */
  oldKey: string;
  /** The segment's range: [baseOffset, lastOffset]. */
  baseOffset: number;
  lastOffset: number;
  /** The epoch of the leader rewriting it: recorded only while that leader still leads that epoch. */
  leaderEpoch: number;
  /** Exclusive end of the cleaned ranges staged so far: past `lastOffset` once the whole segment is. */
  stagedTo: number;
  /** Bytes of the new object staged so far (sent or not), and their newest max timestamp (-1: none). */
  sizeBytes: number;
  maxTimestampMs: number;
  /** Whether a staged range differs from what the old object holds there. */
  changed: boolean;
  /** The multipart upload's id, or null while none was started (an object up to `partBytes` goes up as one put). */
  uploadId: string | null;
  partBytes: number;
  parts: R2UploadedPart[];
  /** Where the next part starts in the staged batches. */
  cursor: ChunkCursor;
  startedAtMs: number;
}

type Row = {
  object_key: string; old_key: string; base_offset: number; last_offset: number; leader_epoch: number; staged_to: number; size_bytes: number;
  max_timestamp_ms: number; changed: number; upload_id: string | null; part_bytes: number; parts: string; next_offset: number; next_skip: number;
  position: number; time_index_ms: number; started_at_ms: number;
};

export class RewriteState {
  /** The row as last read (undefined: not read yet). */
  private cached: Rewrite | null | undefined;

  constructor(private readonly sql: SqlStorage) {}

  /** The rewrite in progress, or null. */
  current(): Rewrite | null {
    if (this.cached === undefined) this.cached = this.load();
    return this.cached;
  }

  /** Starts `w` (none may be in progress). Call inside a transaction. */
  start(w: Rewrite): void {
    this.sql.exec(
      `INSERT INTO remote_rewrite (object_key, old_key, base_offset, last_offset, leader_epoch, staged_to, part_bytes, next_offset, time_index_ms, started_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      w.objectKey, w.oldKey, w.baseOffset, w.lastOffset, w.leaderEpoch, w.stagedTo, w.partBytes, w.cursor.nextOffset, w.cursor.timeIndexMs, w.startedAtMs,
    );
    this.cached = undefined;
  }

  /** Stages cleaned batches (in offset order) up to `stagedTo` (exclusive). Call inside a transaction. */
  stage(batches: Uint8Array[], stagedTo: number, maxTimestampMs: number, changed: boolean): void {
    let bytes = 0;
    for (const b of batches) {
      this.sql.exec("INSERT INTO remote_rewrite_batches (base_offset, bytes) VALUES (?, ?)", baseOffsetOf(b), b);
      bytes += b.length;
    }
    this.sql.exec(
      "UPDATE remote_rewrite SET staged_to = ?, size_bytes = size_bytes + ?, max_timestamp_ms = MAX(max_timestamp_ms, ?), changed = MAX(changed, ?)",
      stagedTo, bytes, maxTimestampMs, changed ? 1 : 0,
    );
    this.cached = undefined;
  }

  /** Stores the multipart upload's id. Call inside a transaction. */
  uploading(uploadId: string): void {
    this.sql.exec("UPDATE remote_rewrite SET upload_id = ?", uploadId);
    this.cached = undefined;
  }

  /**
   * Stores a part sent: its etag, the cursor after it and the index
   * entries as they now stand; the staged batches wholly sent go. Call
   * inside a transaction.
   */
  partDone(part: R2UploadedPart, cursor: ChunkCursor, entries: IndexEntry[]): void {
    const w = this.current()!;
    this.sql.exec(
      "UPDATE remote_rewrite SET parts = ?, next_offset = ?, next_skip = ?, position = ?, time_index_ms = ?",
      JSON.stringify([...w.parts, part]), cursor.nextOffset, cursor.skip, cursor.position, cursor.timeIndexMs,
    );
    for (const e of entries) {
      this.sql.exec("INSERT OR REPLACE INTO remote_rewrite_index (base_offset, position, time_index_ms) VALUES (?, ?, ?)", e.baseOffset, e.position, e.timeIndexMs);
    }
    this.sql.exec("DELETE FROM remote_rewrite_batches WHERE base_offset < ?", cursor.nextOffset);
    this.cached = undefined;
  }

  /** The index entries made so far, in offset order. */
  entries(): IndexEntry[] {
    return this.sql
      .exec<{ base_offset: number; position: number; time_index_ms: number }>("SELECT * FROM remote_rewrite_index ORDER BY base_offset")
      .toArray()
      .map((r) => ({ baseOffset: r.base_offset, position: r.position, timeIndexMs: r.time_index_ms }));
  }

  /** Forgets the rewrite (recorded, or given up to the outbox). Call inside a transaction. */
  clear(): void {
    this.sql.exec("DELETE FROM remote_rewrite");
    this.sql.exec("DELETE FROM remote_rewrite_batches");
    this.sql.exec("DELETE FROM remote_rewrite_index");
    this.cached = undefined;
  }

  private load(): Rewrite | null {
    const r = this.sql.exec<Row>("SELECT * FROM remote_rewrite").toArray()[0];
    if (r === undefined) return null;
    return {
      objectKey: r.object_key, oldKey: r.old_key, baseOffset: r.base_offset, lastOffset: r.last_offset, leaderEpoch: r.leader_epoch,
      stagedTo: r.staged_to, sizeBytes: r.size_bytes, maxTimestampMs: r.max_timestamp_ms, changed: r.changed === 1, uploadId: r.upload_id,
      partBytes: r.part_bytes, parts: JSON.parse(r.parts) as R2UploadedPart[],
      cursor: { nextOffset: r.next_offset, skip: r.next_skip, position: r.position, timeIndexMs: r.time_index_ms },
      startedAtMs: r.started_at_ms,
    };
  }
}

function baseOffsetOf(bytes: Uint8Array): number {
  const v = new DataView(bytes.buffer, bytes.byteOffset, 8);
  return v.getInt32(0) * 4294967296 + v.getUint32(4);
}

/**
 * The one upload in progress on a leader, in its SQLite (schema step 4),
 * so an upload survives a crash: which range of batches goes to which
 * key under which leader epoch, the multipart upload's id and the parts
 * done, where the next part starts, and the index entries made so far.
 * Each step's progress is stored in one transaction with its entries.
 */
import type { ChunkCursor } from "./segment-bytes";
import type { IndexEntry } from "./remote-log";

export interface Upload {
  objectKey: string;
  /** The range copied: batches [baseOffset, lastOffset]. */
  baseOffset: number;
  lastOffset: number;
  sizeBytes: number;
  maxTimestampMs: number;
  /** The epoch of the leader uploading it: it is recorded only while that leader still leads that epoch. */
  leaderEpoch: number;
  /** The multipart upload's id; null for a segment that goes up as one put. */
  uploadId: string | null;
  /** Bytes of each part but the last (R2 wants them all the same). */
  partBytes: number;
  parts: R2UploadedPart[];
  cursor: ChunkCursor;
  startedAtMs: number;
}

type Row = {
  object_key: string; base_offset: number; last_offset: number; size_bytes: number; max_timestamp_ms: number; leader_epoch: number; upload_id: string | null;
  part_bytes: number; parts: string; next_offset: number; next_skip: number; position: number; time_index_ms: number; started_at_ms: number;
};

export class UploadState {
  constructor(private readonly sql: SqlStorage) {}

  /** The upload in progress, or null. */
  current(): Upload | null {
    const r = this.sql.exec<Row>("SELECT * FROM remote_upload").toArray()[0];
    if (r === undefined) return null;
    return {
      objectKey: r.object_key, baseOffset: r.base_offset, lastOffset: r.last_offset, sizeBytes: r.size_bytes, maxTimestampMs: r.max_timestamp_ms,
      leaderEpoch: r.leader_epoch, uploadId: r.upload_id, partBytes: r.part_bytes, parts: JSON.parse(r.parts) as R2UploadedPart[],
      cursor: { nextOffset: r.next_offset, skip: r.next_skip, position: r.position, timeIndexMs: r.time_index_ms },
      startedAtMs: r.started_at_ms,
    };
  }

  /** Starts `u` (none may be in progress). */
  start(u: Upload): void {
    this.sql.exec(
      `INSERT INTO remote_upload (object_key, base_offset, last_offset, size_bytes, max_timestamp_ms, leader_epoch, upload_id, part_bytes, parts, next_offset, next_skip, position, time_index_ms, started_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, '[]', ?, ?, ?, ?, ?)`,
      u.objectKey, u.baseOffset, u.lastOffset, u.sizeBytes, u.maxTimestampMs, u.leaderEpoch, u.uploadId, u.partBytes, u.cursor.nextOffset, u.cursor.skip, u.cursor.position, u.cursor.timeIndexMs, u.startedAtMs,
    );
  }

  /** Stores a part done: its etag, the cursor after it and the index entries as they now stand. Call inside a transaction. */
  partDone(u: Upload, part: R2UploadedPart, cursor: ChunkCursor, entries: IndexEntry[]): void {
    u.parts.push(part);
    u.cursor = cursor;
    this.sql.exec(
      "UPDATE remote_upload SET parts = ?, next_offset = ?, next_skip = ?, position = ?, time_index_ms = ? WHERE object_key = ?",
      JSON.stringify(u.parts), cursor.nextOffset, cursor.skip, cursor.position, cursor.timeIndexMs, u.objectKey,
    );
    for (const e of entries) {
      this.sql.exec("INSERT OR REPLACE INTO remote_upload_index (base_offset, position, time_index_ms) VALUES (?, ?, ?)", e.baseOffset, e.position, e.timeIndexMs);
    }
  }

  /** The index entries made so far, in offset order. */
  entries(): IndexEntry[] {
    return this.sql
      .exec<{ base_offset: number; position: number; time_index_ms: number }>("SELECT * FROM remote_upload_index ORDER BY base_offset")
      .toArray()
      .map((r) => ({ baseOffset: r.base_offset, position: r.position, timeIndexMs: r.time_index_ms }));
  }

  /** Forgets the upload (recorded, or abandoned to the outbox). Call inside a transaction. */
  clear(): void {
    this.sql.exec("DELETE FROM remote_upload");
    this.sql.exec("DELETE FROM remote_upload_index");
  }
}

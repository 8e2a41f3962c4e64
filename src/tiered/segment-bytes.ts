/**
 * A segment object's bytes: the local batches of a range, as stored, in
 * offset order, read a bounded chunk at a time (a multipart upload's part
 * cuts through batches), with the sparse index made on the way: an entry
 * for the first batch and for the first batch at or past each
 * `limits.remoteIndexIntervalBytes` step from the last entry, each with
 * the running max timestamp through the end of its span. Each batch's
 * framing is checked as it is read; its CRC was checked when it arrived
 * and is checked again whenever it is read back from the bucket — not
 * here, where it would double the CPU copying costs.
 */
import { ErrorCode, failure, type Failure } from "../errors";
import { limits } from "../limits";
import { BATCH_HEADER_BYTES, readBatchHeader } from "../record/record-batch";
import type { IndexEntry } from "./remote-log";

/** Where a chunked read of a range stands. */
export interface ChunkCursor {
  /** Base offset of the batch the next chunk starts in. */
  nextOffset: number;
  /** Bytes of that batch already in earlier chunks. */
  skip: number;
  /** Bytes of the object already read. */
  position: number;
  /** The running max timestamp so far (epoch ms; -1 before any). */
  timeIndexMs: number;
}

/**
 * Reads the next chunk of up to `maxBytes` of the object made of the
 * local batches from `cursor` to `lastOffset` (inclusive), appending index
 * entries to `entries` (the last one's running max moves as batches are
 * added). Answers the chunk's bytes (as the parts that make them, in
 * order: the bucket joins them) and the cursor after them, or a failure
 * when the batches are no longer there or not framed as batches.
 * `table`: where the batches are read from — the log's (default), or the
 * cleaned batches staged for a remote segment's rewrite.
 */
export function readChunk(
  sql: SqlStorage,
  cursor: ChunkCursor,
  lastOffset: number,
  maxBytes: number,
  entries: IndexEntry[],
  table: "batches" | "remote_rewrite_batches" = "batches",
): { parts: Uint8Array[]; sizeBytes: number; cursor: ChunkCursor } | Failure {
  const parts: Uint8Array[] = [];
  let filled = 0;
  let { nextOffset, skip, position, timeIndexMs } = cursor;
  const rows = sql.exec<{ base_offset: number; bytes: ArrayBuffer }>(
    `SELECT base_offset, bytes FROM ${table} WHERE base_offset >= ? AND base_offset <= ? ORDER BY base_offset`,
    nextOffset,
    lastOffset,
  );
  for (const row of rows) {
    if (filled >= maxBytes) break;
    // Past `nextOffset` is a gap the log cleaner left, but never in the middle of a batch already begun.
    if (row.base_offset < nextOffset || (skip > 0 && row.base_offset !== nextOffset)) return missing(nextOffset, row.base_offset);
    const batch = new Uint8Array(row.bytes);
    const h = batch.length >= BATCH_HEADER_BYTES ? readBatchHeader(batch) : null;
    if (h === null || h.batchLength + 12 !== batch.length || h.baseOffset !== row.base_offset) {
      return failure(ErrorCode.CORRUPT_MESSAGE, `corrupt record batch at offset ${row.base_offset}: not framed as the batch stored there`);
    }
    if (skip === 0) {
      const last = entries[entries.length - 1];
      if (last === undefined || position - last.position >= limits.remoteIndexIntervalBytes) entries.push({ baseOffset: h.baseOffset, position, timeIndexMs });
      timeIndexMs = Math.max(timeIndexMs, h.maxTimestampMs);
      entries[entries.length - 1]!.timeIndexMs = timeIndexMs;
    }
    const take = Math.min(batch.length - skip, maxBytes - filled);
    parts.push(batch.subarray(skip, skip + take));
    filled += take;
    position += take;
    if (skip + take === batch.length) {
      nextOffset = h.baseOffset + h.lastOffsetDelta + 1; // a cleaned batch keeps its last offset, not its count
      skip = 0;
    } else skip += take;
  }
  if (filled < maxBytes && skip > 0) return missing(nextOffset, null); // a batch begun is gone
  return { parts, sizeBytes: filled, cursor: { nextOffset, skip, position, timeIndexMs } };
}

/**
 * The whole batches of `bytes` (which start at a batch boundary): each
 * batch's bytes, stopping before a batch cut off by the end. Framing only;
 * the caller checks each batch's CRC.
 */
export function batchesOf(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  while (at + 12 <= bytes.length) {
    const length = new DataView(bytes.buffer, bytes.byteOffset + at + 8, 4).getInt32(0) + 12;
    if (length < 12 || at + length > bytes.length) break;
    out.push(bytes.subarray(at, at + length));
    at += length;
  }
  return out;
}

function missing(expected: number, found: number | null): Failure {
  const what = found === null ? "the range ends early" : `the next batch starts at ${found}`;
  return failure(ErrorCode.ILLEGAL_STATE, `the local batches of a segment being copied changed: expected a batch at ${expected}, ${what}`, null);
}

/**
 * The partition's closed segments in its SQLite, as the log cleaner's
 * segment store (src/cleaner/segment-store.ts). Cleaned batches replace
 * their rows in place — same base offset, same last offset, same place in
 * the time index — one transaction per range, together with the
 * segment's size; a batch that goes loses its row.
 */
import { assert, ErrorCode, failure, type Failure } from "../errors";
import { checkStoredBatch } from "../record/record-batch";
import type { ClosedSegment, KeptBatch, SegmentStore } from "../cleaner/segment-store";
import type { Segments } from "./segments";

/** What the log lends its segment store: its current segments and its transactions (memory follows storage when one rolls back). */
export interface LocalSegmentsHost {
  segments(): Segments;
  transaction(work: () => void): void;
}

export class LocalSegments implements SegmentStore {
  /** Each closed segment's first batch timestamp, read once (a segment's first batch is only ever cleaned away: the one read stays the oldest). */
  private readonly firstTimestamps = new Map<number, number>();

  constructor(
    private readonly sql: SqlStorage,
    private readonly host: LocalSegmentsHost,
  ) {}

  list(): ClosedSegment[] {
    const closed = this.host.segments().closedSegments();
    if (this.firstTimestamps.size > closed.length) this.firstTimestamps.clear(); // forget segments that went
    return closed.map(({ baseOffset, lastOffset, sizeBytes, maxTimestampMs }) => ({ baseOffset, lastOffset, sizeBytes, maxTimestampMs, firstTimestampMs: this.firstTimestampOf(baseOffset) }));
  }

  async read(segment: ClosedSegment, fromOffset: number, maxBytes: number): Promise<Uint8Array[] | Failure> {
    const gone = this.gone(segment);
    if (gone !== null) return gone;
    const cursor = this.sql.exec<{ base_offset: number; bytes: ArrayBuffer }>(
      "SELECT base_offset, bytes FROM batches WHERE base_offset >= ? AND base_offset <= ? ORDER BY base_offset",
      fromOffset,
      segment.lastOffset,
    );
    const out: Uint8Array[] = [];
    let bytes = 0;
    for (const row of cursor) {
      if (out.length > 0 && bytes >= maxBytes) break;
      const batch = new Uint8Array(row.bytes);
      const problem = checkStoredBatch(batch);
      if (problem !== null) return failure(ErrorCode.CORRUPT_MESSAGE, `corrupt record batch at offset ${row.base_offset}: ${problem}`);
      out.push(batch);
      bytes += batch.length;
    }
    return out;
  }

  async replace(segment: ClosedSegment, fromOffset: number, toOffset: number, kept: KeptBatch[]): Promise<Failure | null> {
    const gone = this.gone(segment);
    if (gone !== null) return gone;
    const end = Math.min(toOffset, segment.lastOffset + 1);
    const rows = this.sql
      .exec<{ base_offset: number; size_bytes: number }>("SELECT base_offset, size_bytes FROM batches WHERE base_offset >= ? AND base_offset < ?", fromOffset, end)
      .toArray();
    const sizes = new Map(rows.map((r) => [r.base_offset, r.size_bytes]));
    const keptBases = new Set<number>();
    for (const k of kept) {
      const base = baseOffsetOf(k.bytes);
      assert(sizes.has(base) && !keptBases.has(base), `a kept batch at ${base} replaces a batch of [${fromOffset}, ${end}) once`);
      keptBases.add(base);
    }
    this.host.transaction(() => {
      let size = this.host.segments().closedAt(segment.baseOffset)!.sizeBytes;
      for (const r of rows) {
        if (keptBases.has(r.base_offset)) continue;
        this.sql.exec("DELETE FROM batches WHERE base_offset = ?", r.base_offset);
        size -= r.size_bytes;
      }
      for (const k of kept) {
        if (!k.changed) continue;
        const base = baseOffsetOf(k.bytes);
        this.sql.exec("UPDATE batches SET bytes = ?, size_bytes = ?, max_timestamp_ms = ? WHERE base_offset = ?", k.bytes, k.bytes.length, k.maxTimestampMs, base);
        size += k.bytes.length - sizes.get(base)!;
      }
      this.host.segments().resized(segment.baseOffset, size, toOffset > segment.lastOffset ? this.maxTimestampOf(segment) : segment.maxTimestampMs);
    });
    return null;
  }

  async drop(segment: ClosedSegment): Promise<Failure | null> {
    const gone = this.gone(segment);
    if (gone !== null) return gone;
    const left = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM batches WHERE base_offset >= ? AND base_offset <= ?", segment.baseOffset, segment.lastOffset).one().n;
    if (left > 0) return failure(ErrorCode.ILLEGAL_STATE, `segment ${segment.baseOffset} still holds ${left} batches`, null);
    this.host.transaction(() => this.host.segments().dropClosed(segment.baseOffset));
    return null;
  }

  private firstTimestampOf(baseOffset: number): number {
    let ts = this.firstTimestamps.get(baseOffset);
    if (ts === undefined) {
      const row = this.sql.exec<{ ts: number }>("SELECT max_timestamp_ms AS ts FROM batches WHERE base_offset >= ? ORDER BY base_offset LIMIT 1", baseOffset).toArray()[0];
      ts = row?.ts ?? -1;
      this.firstTimestamps.set(baseOffset, ts);
    }
    return ts;
  }

  /** The newest max timestamp of a segment's batches (a whole pass over its rows: once per cleaned segment). */
  private maxTimestampOf(segment: ClosedSegment): number {
    const row = this.sql
      .exec<{ ts: number | null }>("SELECT MAX(max_timestamp_ms) AS ts FROM batches WHERE base_offset >= ? AND base_offset <= ?", segment.baseOffset, segment.lastOffset)
      .one();
    return row.ts ?? -1;
  }

  /** Refusal when `segment` is no longer a closed segment of this log as listed (retention, truncation or a reset took it). */
  private gone(segment: ClosedSegment): Failure | null {
    const now = this.host.segments().closedAt(segment.baseOffset);
    if (now !== undefined && now.lastOffset === segment.lastOffset) return null;
    return failure(ErrorCode.ILLEGAL_STATE, `segment ${segment.baseOffset} is no longer a closed segment of this log`, null);
  }
}

function baseOffsetOf(bytes: Uint8Array): number {
  const v = new DataView(bytes.buffer, bytes.byteOffset, 8);
  return v.getInt32(0) * 4294967296 + v.getUint32(4);
}

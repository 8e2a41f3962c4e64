/**
 * Reading remote segments: the batches from the one holding an offset
 * (one ranged GET from the sparse index's entry at or before it, plus
 * read-ahead for the reads that follow, through the cache), and the
 * first batch at or after a time (the time index's span, one GET). The
 * batches come back exactly as stored, each checked (CRC) as it is read,
 * so a remote read is byte for byte a local one.
 */
import { ErrorCode, failure, isFailure, retriable, type Failure } from "../errors";
import { limits } from "../limits";
import { checkStoredBatch, readBatchHeader } from "../record/record-batch";
import { type Bucket, isGone } from "./bucket";
import type { CachedRange, ReadCache } from "./read-cache";
import type { RemoteLog, RemoteSegment, Span } from "./remote-log";
import { batchesOf } from "./segment-bytes";

export class RemoteReader {
  constructor(
    private readonly remote: RemoteLog,
    private readonly bucket: Bucket,
    private readonly cache: ReadCache,
  ) {}

  /**
   * Whole batches from the one holding `offset`, below `endOffset`
   * (exclusive), up to about `maxBytes` (at least one), all from the
   * remote segment holding `offset` (a read never goes past its end).
   */
  async read(offset: number, endOffset: number, maxBytes: number): Promise<Uint8Array[] | Failure> {
    const segment = this.remote.containing(offset);
    if (segment === null) return retriable("KAFKA_STORAGE_ERROR", `no remote segment holds offset ${offset} here yet`);
    const span = this.remote.span(segment, offset);
    const range = await this.fetch(span, Math.max(maxBytes, limits.remoteReadAheadBytes));
    if (isFailure(range)) return range;
    const out: Uint8Array[] = [];
    let bytes = 0;
    for (const batch of batchesOf(range.bytes.subarray(span.position - range.start))) {
      const h = readBatchHeader(batch);
      if (h.baseOffset + h.lastOffsetDelta < offset) continue;
      if (h.baseOffset >= endOffset || (out.length > 0 && bytes + batch.length > maxBytes)) break;
      const problem = checkStoredBatch(batch);
      if (problem !== null) return corrupt(segment.objectKey, h.baseOffset, problem);
      out.push(batch);
      bytes += batch.length;
    }
    const first = out[0];
    // Past `offset` is a gap the log cleaner left (the next batch is the answer); nothing at all is a segment cut short.
    if (first === undefined) return corrupt(segment.objectKey, offset, "no batch there holds it");
    return out;
  }

  /**
   * Whole batches of `segment` starting at or after `fromOffset`, in offset
   * order, at least `minBytes` of them unless the object ends first (the
   * log cleaner's read, segment-store.ts): one ranged GET at most, through
   * the cache, reaching a batch past `minBytes` from the index entry after
   * `fromOffset` (stored batches are at most `limits.batchBytesMax`).
   */
  async batchesFrom(segment: RemoteSegment, fromOffset: number, minBytes: number): Promise<Uint8Array[] | Failure> {
    const span = this.remote.span(segment, fromOffset);
    const wantedEnd = Math.min(segment.sizeBytes, span.endPosition + minBytes + limits.batchBytesMax);
    const range = await this.fetch({ ...span, endPosition: wantedEnd }, limits.remoteReadAheadBytes);
    if (isFailure(range)) return range;
    const out: Uint8Array[] = [];
    let bytes = 0;
    let end = span.position;
    for (const batch of batchesOf(range.bytes.subarray(span.position - range.start, wantedEnd - range.start))) {
      end += batch.length;
      const h = readBatchHeader(batch);
      if (h.baseOffset < fromOffset) continue;
      if (bytes >= minBytes) break;
      const problem = checkStoredBatch(batch);
      if (problem !== null) return corrupt(segment.objectKey, h.baseOffset, problem);
      out.push(batch);
      bytes += batch.length;
    }
    // Fewer bytes than asked means the object's end: anything else is an object cut short, never a segment's end.
    if (bytes < minBytes && end !== segment.sizeBytes) return corrupt(segment.objectKey, fromOffset, `the batches end at byte ${end} of ${segment.sizeBytes}`);
    return out;
  }

  /**
   * The first remote batch whose max timestamp is at or after `timestampMs`;
   * null when every remote batch is older. Where the time index promises
   * one that the log cleaner has since emptied, the search goes on from the
   * next index entry (each span read once, through the cache).
   */
  async batchForTimestamp(timestampMs: number): Promise<Uint8Array | null | Failure> {
    for (let span = this.remote.spanForTime(timestampMs); span !== null; ) {
      const range = await this.fetch(span, 0);
      if (isFailure(range)) return range;
      let last = -1;
      for (const batch of batchesOf(range.bytes.subarray(span.position - range.start, span.endPosition - range.start))) {
        const h = readBatchHeader(batch);
        last = h.baseOffset;
        if (h.maxTimestampMs < timestampMs || h.recordCount === 0) continue; // an emptied batch keeps its header's max timestamp
        const problem = checkStoredBatch(batch);
        return problem === null ? batch : corrupt(span.segment.objectKey, h.baseOffset, problem);
      }
      if (last < 0) return corrupt(span.segment.objectKey, -1, "an index entry points at no batch");
      span = this.remote.spanForTime(timestampMs, last);
    }
    return null;
  }

  /** The bytes of `span` and up to `aheadBytes` more (within the object): from the cache, or one ranged GET kept in it. */
  private async fetch(span: Span, aheadBytes: number): Promise<CachedRange | Failure> {
    const key = span.segment.objectKey;
    const cached = this.cache.find(key, span.position, span.endPosition);
    if (cached !== null) return cached;
    const length = Math.min(span.segment.sizeBytes, span.endPosition + aheadBytes) - span.position;
    const got = await this.bucket.getRange(key, span.position, length);
    if (isFailure(got)) {
      if (!isGone(got)) return got;
      const still = this.remote.containing(span.segment.baseOffset)?.objectKey === key;
      return still
        ? failure(ErrorCode.CORRUPT_MESSAGE, `remote segment object ${key} is missing from the bucket`)
        : failure(ErrorCode.OFFSET_OUT_OF_RANGE, `the remote segment at ${span.segment.baseOffset} was deleted by retention meanwhile`);
    }
    if (got.bytes.length !== length) return corrupt(key, span.segment.baseOffset, `a ranged read answered ${got.bytes.length} bytes, not ${length}`);
    const range = { objectKey: key, start: span.position, bytes: got.bytes };
    this.cache.add(range);
    return range;
  }
}

function corrupt(objectKey: string, offset: number, problem: string): Failure {
  return failure(ErrorCode.CORRUPT_MESSAGE, `corrupt remote segment ${objectKey} at offset ${offset}: ${problem}`);
}

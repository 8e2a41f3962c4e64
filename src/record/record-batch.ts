/**
 * Kafka's record batch, magic 2: a 61-byte header, then the records
 * section (optionally compressed). CRC-32C covers everything from the
 * attributes field (byte 21) to the end, so the base offset and the
 * partition leader epoch can be set by the log without touching the CRC.
 */
import { COMPRESSION_MASK, Compression, compressionOf, TIMESTAMP_TYPE_LOG_APPEND } from "./attributes";
import { crc32c } from "./crc32c";

export { Compression, compressionOf, isLogAppendTime } from "./attributes";
// The records inside a batch (encoding, sizes, decoding) live in records.ts; re-exported for callers of the batch.
export { decodeRecords, encodeRecords, recordCoreSize, recordSize, sizeAt, writeRecords } from "./records";
export type { DecodedRecord, Header, RecordInput } from "./records";

export const BATCH_HEADER_BYTES = 61;
const MAGIC = 2;
const CRC_START = 21;

export interface BatchHeader {
  baseOffset: number;
  /** Bytes after the length field: the whole batch is this + 12. */
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestampMs: number;
  maxTimestampMs: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

function readInt64(view: DataView, pos: number): number {
  return view.getInt32(pos) * 4294967296 + view.getUint32(pos + 4);
}

function writeInt64(view: DataView, pos: number, value: number): void {
  const hi = Math.floor(value / 4294967296);
  view.setInt32(pos, hi);
  view.setUint32(pos + 4, value - hi * 4294967296);
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Reads the 61-byte header of the batch starting at `bytes[0]`. */
export function readBatchHeader(bytes: Uint8Array): BatchHeader {
  if (bytes.length < BATCH_HEADER_BYTES) throw new RangeError("record batch shorter than its header");
  const v = viewOf(bytes);
  return {
    baseOffset: readInt64(v, 0),
    batchLength: v.getInt32(8),
    partitionLeaderEpoch: v.getInt32(12),
    magic: v.getInt8(16),
    crc: v.getUint32(17),
    attributes: v.getInt16(21),
    lastOffsetDelta: v.getInt32(23),
    baseTimestampMs: readInt64(v, 27),
    maxTimestampMs: readInt64(v, 35),
    producerId: readInt64(v, 43),
    producerEpoch: v.getInt16(51),
    baseSequence: v.getInt32(53),
    recordCount: v.getInt32(57),
  };
}

/**
 * Checks a batch a producer sent (or the Worker encoded): checkStoredBatch,
 * and, as Kafka's broker requires of a producer, at least one record with
 * dense offsets (last offset delta = record count - 1). Returns what is
 * wrong, or null when the batch is sound. Does not look inside the records
 * section (checkRecords in record-check.ts does).
 */
export function checkBatch(bytes: Uint8Array): string | null {
  const problem = checkStoredBatch(bytes);
  if (problem !== null) return problem;
  const h = readBatchHeader(bytes);
  if (h.recordCount < 1) return "record batch holds no records";
  if (h.lastOffsetDelta !== h.recordCount - 1) return "record batch's last offset delta does not match its record count";
  return null;
}

/**
 * Checks a stored batch's framing, codec code and CRC — what every read of
 * the log checks. A batch the log cleaner rewrote may hold fewer records
 * than its offsets span (last offset delta >= record count - 1: Kafka
 * keeps a cleaned batch's last offset) or none at all (kept for a
 * producer's state). Returns what is wrong, or null when the batch is sound.
 */
export function checkStoredBatch(bytes: Uint8Array): string | null {
  if (bytes.length < BATCH_HEADER_BYTES) return "record batch shorter than its 61-byte header";
  const h = readBatchHeader(bytes);
  if (h.magic !== MAGIC) return `record batch magic ${h.magic}, expected ${MAGIC}`;
  if (h.batchLength + 12 !== bytes.length) return `record batch length ${h.batchLength + 12} does not match its ${bytes.length} bytes`;
  if (h.recordCount < 0) return `record batch counts ${h.recordCount} records`;
  if (h.lastOffsetDelta < Math.max(0, h.recordCount - 1)) return `record batch's last offset delta ${h.lastOffsetDelta} is below its ${h.recordCount} records`;
  const compression = compressionOf(h.attributes);
  if (compression > Compression.ZSTD) return `record batch compression ${compression} is not one of Kafka's codecs (0-4)`;
  const crc = crc32c(bytes, CRC_START);
  if (crc !== h.crc) return `record batch CRC-32C mismatch: stored 0x${h.crc.toString(16)}, computed 0x${crc.toString(16)}`;
  return null;
}

/** The batch's last offset (inclusive): Kafka's base offset + last offset delta, which cleaning keeps. */
export function lastOffsetOf(h: BatchHeader): number {
  return h.baseOffset + h.lastOffsetDelta;
}

/** Sets a batch's base offset in place (outside the CRC). */
export function setBaseOffset(bytes: Uint8Array, baseOffset: number): void {
  writeInt64(viewOf(bytes), 0, baseOffset);
}

/** Sets a batch's partition leader epoch in place (outside the CRC). */
export function setPartitionLeaderEpoch(bytes: Uint8Array, epoch: number): void {
  viewOf(bytes).setInt32(12, epoch);
}

/**
 * Sets a batch's max timestamp (epoch ms) in place and recomputes its CRC,
 * when it differs from the header's; returns whether it did. Kafka's broker
 * does the same on append: the max timestamp is its records', whatever a
 * producer wrote there (Sarama writes -1).
 */
export function setMaxTimestamp(bytes: Uint8Array, timestampMs: number): boolean {
  const v = viewOf(bytes);
  if (readInt64(v, 35) === timestampMs) return false;
  writeInt64(v, 35, timestampMs);
  v.setUint32(17, crc32c(bytes, CRC_START));
  return true;
}

/** Marks a batch as LogAppendTime with `timestampMs` and recomputes its CRC. */
export function setLogAppendTime(bytes: Uint8Array, timestampMs: number): void {
  const v = viewOf(bytes);
  v.setInt16(21, v.getInt16(21) | TIMESTAMP_TYPE_LOG_APPEND);
  writeInt64(v, 35, timestampMs);
  v.setUint32(17, crc32c(bytes, CRC_START));
}

export interface BatchHeaderFields {
  recordCount: number;
  /** Defaults to recordCount - 1 (dense offsets); a cleaned batch keeps its original one. */
  lastOffsetDelta?: number;
  /** Attribute bits besides the codec (timestamp type, transactional, control, delete horizon); default none. */
  flags?: number;
  baseTimestampMs: number;
  maxTimestampMs: number;
  /** Compression code; defaults to none. */
  compression?: number;
  /** Defaults to 0; the log assigns the real one on append. */
  baseOffset?: number;
  /** Defaults to -1 (unknown); the leader sets it on append. */
  partitionLeaderEpoch?: number;
  /** Idempotent-producer fields; default -1 (none). */
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
}

export interface BatchFields extends BatchHeaderFields {
  /** The records section, already compressed when `compression` says so. */
  recordsSection: Uint8Array;
}

/**
 * Writes the 61-byte header into `out`, whose records section (from byte
 * 61 to its end) must already be written, and computes the CRC.
 */
export function writeBatchHeader(out: Uint8Array, f: BatchHeaderFields): void {
  const v = viewOf(out);
  writeInt64(v, 0, f.baseOffset ?? 0);
  v.setInt32(8, out.length - 12);
  v.setInt32(12, f.partitionLeaderEpoch ?? -1);
  v.setInt8(16, MAGIC);
  v.setInt16(21, ((f.compression ?? Compression.NONE) & COMPRESSION_MASK) | ((f.flags ?? 0) & ~COMPRESSION_MASK));
  v.setInt32(23, f.lastOffsetDelta ?? f.recordCount - 1);
  writeInt64(v, 27, f.baseTimestampMs);
  writeInt64(v, 35, f.maxTimestampMs);
  writeInt64(v, 43, f.producerId ?? -1);
  v.setInt16(51, f.producerEpoch ?? -1);
  v.setInt32(53, f.baseSequence ?? -1);
  v.setInt32(57, f.recordCount);
  v.setUint32(17, crc32c(out, CRC_START));
}

/** Builds a whole batch (header + records section) and computes its CRC. */
export function buildBatch(f: BatchFields): Uint8Array {
  const out = new Uint8Array(BATCH_HEADER_BYTES + f.recordsSection.length);
  out.set(f.recordsSection, BATCH_HEADER_BYTES);
  writeBatchHeader(out, f);
  return out;
}


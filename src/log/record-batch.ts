/**
 * Kafka's record batch, magic 2: a 61-byte header, then the records
 * section (optionally compressed). CRC-32C covers everything from the
 * attributes field (byte 21) to the end, so the base offset and the
 * partition leader epoch can be set by the log without touching the CRC.
 */
import { crc32c } from "./crc32c";
import { Reader, varintSize, writeVarint } from "./varint";

export const BATCH_HEADER_BYTES = 61;
const MAGIC = 2;
const CRC_START = 21;
const COMPRESSION_MASK = 0x07;
const TIMESTAMP_TYPE_LOG_APPEND = 0x08;

/** Compression codes of the attributes field (Kafka's; 5–7 are not codecs). */
export const Compression = { NONE: 0, GZIP: 1, SNAPPY: 2, LZ4: 3, ZSTD: 4 } as const;

export interface Header {
  name: string;
  value: Uint8Array | null;
}

/** One record to encode. `timestampMs` is epoch milliseconds. */
export interface RecordInput {
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: Header[];
  timestampMs: number;
}

/** One decoded record with its absolute offset. */
export interface DecodedRecord extends RecordInput {
  offset: number;
}

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

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: false });

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

/** The compression code of a batch's attributes. */
export function compressionOf(attributes: number): number {
  return attributes & COMPRESSION_MASK;
}

/** Whether the batch's timestamps were set by the log (LogAppendTime). */
export function isLogAppendTime(attributes: number): boolean {
  return (attributes & TIMESTAMP_TYPE_LOG_APPEND) !== 0;
}

/**
 * Checks a whole batch's framing, codec code and CRC. Returns what is
 * wrong, or null when the batch is sound. Does not look inside the records
 * section (checkRecords in record-check.ts does).
 */
export function checkBatch(bytes: Uint8Array): string | null {
  if (bytes.length < BATCH_HEADER_BYTES) return "record batch shorter than its 61-byte header";
  const h = readBatchHeader(bytes);
  if (h.magic !== MAGIC) return `record batch magic ${h.magic}, expected ${MAGIC}`;
  if (h.batchLength + 12 !== bytes.length) return `record batch length ${h.batchLength + 12} does not match its ${bytes.length} bytes`;
  if (h.recordCount < 1) return "record batch holds no records";
  if (h.lastOffsetDelta !== h.recordCount - 1) return "record batch's last offset delta does not match its record count";
  const compression = compressionOf(h.attributes);
  if (compression > Compression.ZSTD) return `record batch compression ${compression} is not one of Kafka's codecs (0-4)`;
  const crc = crc32c(bytes, CRC_START);
  if (crc !== h.crc) return `record batch CRC-32C mismatch: stored 0x${h.crc.toString(16)}, computed 0x${crc.toString(16)}`;
  return null;
}

/** Sets a batch's base offset in place (outside the CRC). */
export function setBaseOffset(bytes: Uint8Array, baseOffset: number): void {
  writeInt64(viewOf(bytes), 0, baseOffset);
}

/** Sets a batch's partition leader epoch in place (outside the CRC). */
export function setPartitionLeaderEpoch(bytes: Uint8Array, epoch: number): void {
  viewOf(bytes).setInt32(12, epoch);
}

/** Marks a batch as LogAppendTime with `timestampMs` and recomputes its CRC. */
export function setLogAppendTime(bytes: Uint8Array, timestampMs: number): void {
  const v = viewOf(bytes);
  v.setInt16(21, v.getInt16(21) | TIMESTAMP_TYPE_LOG_APPEND);
  writeInt64(v, 35, timestampMs);
  v.setUint32(17, crc32c(bytes, CRC_START));
}

interface EncodedHeader {
  name: Uint8Array;
  value: Uint8Array | null;
}

function encodeHeaders(headers: Header[]): EncodedHeader[] {
  return headers.length === 0 ? NO_HEADERS : headers.map((h) => ({ name: utf8.encode(h.name), value: h.value }));
}

const NO_HEADERS: EncodedHeader[] = [];

function bytesFieldSize(bytes: Uint8Array | null): number {
  return bytes === null ? 1 : varintSize(bytes.length) + bytes.length;
}

/**
 * Bytes of a record's body other than its two deltas: the attributes
 * byte, key, value and headers. A record's body at given deltas is this
 * plus their varint sizes; `recordSize` adds the length prefix too.
 */
export function recordCoreSize(r: RecordInput): number {
  let size = 1 + bytesFieldSize(r.key) + bytesFieldSize(r.value) + varintSize(r.headers.length);
  for (const h of encodeHeaders(r.headers)) size += bytesFieldSize(h.name) + bytesFieldSize(h.value);
  return size;
}

/**
 * Bytes `record` takes inside a batch at the given deltas, length prefix
 * included. With both deltas 0 (the defaults), 61 more is the size of a
 * batch holding it alone — the size `max.message.bytes` is judged by.
 */
export function recordSize(record: RecordInput, timestampDelta = 0, offsetDelta = 0): number {
  return sizeAt(recordCoreSize(record), timestampDelta, offsetDelta);
}

/** Bytes of a record with body core `core` at the given deltas, length prefix included. */
export function sizeAt(core: number, timestampDelta: number, offsetDelta: number): number {
  const body = core + varintSize(timestampDelta) + varintSize(offsetDelta);
  return varintSize(body) + body;
}

/**
 * Writes records into `out` from `pos` as a records section (deltas from
 * `baseTimestampMs`, offset deltas from 0). `cores` are their
 * `recordCoreSize`s. Returns the position after the last record.
 */
export function writeRecords(out: Uint8Array, pos: number, records: RecordInput[], cores: number[], baseTimestampMs: number): number {
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    const timestampDelta = r.timestampMs - baseTimestampMs;
    pos = writeVarint(out, pos, cores[i]! + varintSize(timestampDelta) + varintSize(i));
    out[pos++] = 0; // record attributes: unused by magic 2
    pos = writeVarint(out, pos, timestampDelta);
    pos = writeVarint(out, pos, i);
    pos = writeBytesField(out, pos, r.key);
    pos = writeBytesField(out, pos, r.value);
    const headers = encodeHeaders(r.headers);
    pos = writeVarint(out, pos, headers.length);
    for (const h of headers) {
      pos = writeBytesField(out, pos, h.name);
      pos = writeBytesField(out, pos, h.value);
    }
  }
  return pos;
}

/** Encodes records into a new uncompressed records section (deltas from `baseTimestampMs`). */
export function encodeRecords(records: RecordInput[], baseTimestampMs: number): Uint8Array {
  const cores = records.map(recordCoreSize);
  const total = records.reduce((sum, r, i) => sum + sizeAt(cores[i]!, r.timestampMs - baseTimestampMs, i), 0);
  const out = new Uint8Array(total);
  const end = writeRecords(out, 0, records, cores, baseTimestampMs);
  if (end !== total) throw new Error(`assertion failed: encoded ${end} bytes, sized ${total}`);
  return out;
}

function writeBytesField(out: Uint8Array, pos: number, bytes: Uint8Array | null): number {
  if (bytes === null) return writeVarint(out, pos, -1);
  pos = writeVarint(out, pos, bytes.length);
  out.set(bytes, pos);
  return pos + bytes.length;
}

export interface BatchHeaderFields {
  recordCount: number;
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
  v.setInt16(21, (f.compression ?? Compression.NONE) & COMPRESSION_MASK);
  v.setInt32(23, f.recordCount - 1);
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

/**
 * Decodes the records of one batch from its (uncompressed) records
 * section. Record timestamps follow the batch's timestamp type.
 */
export function decodeRecords(header: BatchHeader, section: Uint8Array): DecodedRecord[] {
  const r = new Reader(section, 0, section.length);
  const logAppend = isLogAppendTime(header.attributes);
  const out = new Array<DecodedRecord>(header.recordCount);
  for (let i = 0; i < header.recordCount; i++) {
    r.end = section.length;
    const length = r.varint();
    const end = r.pos + length;
    if (length < 0 || end > section.length) throw new RangeError(`record ${i} runs past the end of its batch`);
    r.end = end; // fields of this record may not run into the next
    r.int8(); // attributes
    const timestampDelta = r.varint();
    const offsetDelta = r.varint();
    const key = readBytesField(r);
    const value = readBytesField(r);
    const headerCount = r.varint();
    if (headerCount < 0 || headerCount > length) throw new RangeError(`record ${i} has a bad header count`);
    let headers: Header[] = NO_DECODED_HEADERS;
    if (headerCount > 0) {
      headers = [];
      for (let j = 0; j < headerCount; j++) {
        const name = readBytesField(r);
        headers.push({ name: name === null ? "" : utf8Decoder.decode(name), value: readBytesField(r) });
      }
    }
    if (r.pos !== end) throw new RangeError(`record ${i} has ${end - r.pos} stray bytes`);
    out[i] = {
      offset: header.baseOffset + offsetDelta,
      timestampMs: logAppend ? header.maxTimestampMs : header.baseTimestampMs + timestampDelta,
      key,
      value,
      headers,
    };
  }
  if (r.pos !== section.length) throw new RangeError("records section has stray bytes after its last record");
  return out;
}

/** Shared by every decoded record without headers; never mutated. */
const NO_DECODED_HEADERS: Header[] = Object.freeze([]) as unknown as Header[];

function readBytesField(r: Reader): Uint8Array | null {
  const length = r.varint();
  return length < 0 ? null : r.bytes(length);
}

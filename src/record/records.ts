/**
 * The records section of a Kafka record batch (magic 2): each record a
 * length-prefixed body of attributes, timestamp and offset deltas
 * (zigzag varints), key, value and headers. Encoding sizes records first,
 * so a batch is written in place without copies.
 */
import { isLogAppendTime } from "./attributes";
import type { BatchHeader } from "./record-batch";
import { Reader, varintSize, writeVarint } from "./varint";

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

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: false });

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

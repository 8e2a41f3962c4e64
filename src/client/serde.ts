/**
 * How the client turns keys, values and headers into bytes, and back.
 *
 * Out (producing): a string is its UTF-8 bytes as they are (not JSON-quoted);
 * a Uint8Array (a Node Buffer too) or ArrayBuffer is sent unchanged; null
 * and undefined are a null key or value; anything else (numbers, booleans,
 * objects, arrays) is `JSON.stringify`'d and sent as UTF-8.
 *
 * In (consuming), by the consumer's `format`: "string" (the default) gives
 * UTF-8 text, "json" parses values (keys stay text), "binary" gives
 * Uint8Array. Header values follow the same rule, except that "json"
 * leaves them as text.
 */
import { fromBase64 } from "../bytes/base64";
import type { DecodedRecord } from "../record/record-batch";
import type { WireRecord } from "./consumer-state";
import { RunnelError } from "./errors";

/** A key, value or header value as the application gives it. */
export type Payload = string | Uint8Array | ArrayBuffer | null | undefined | number | boolean | object;

/** Headers: an object of name → value, or a list (names may repeat). */
export type HeadersInput = Record<string, string | Uint8Array | null> | { name: string; value: string | Uint8Array | null }[];

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** The bytes of a key or value (null for none). */
export function toBytes(value: Payload): Uint8Array | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return utf8Bytes(value);
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  const json = JSON.stringify(value);
  if (json === undefined) throw new RunnelError(400, `a ${typeof value} cannot be sent as a key or value`);
  return utf8Bytes(json);
}

/**
 * Strings are encoded into shared slabs, each a view of its own bytes:
 * `TextEncoder.encode` allocates a buffer per call, which cost about 1 µs
 * per 100-byte record in Node, ten times `encodeInto`. A slab is never
 * written again once full, so earlier views stay intact; it is freed once
 * no record holds a view of it.
 */
const SLAB_BYTES = 64 * 1024;
let slab = new Uint8Array(SLAB_BYTES);
let slabUsedBytes = 0;

/** The UTF-8 bytes of `text` (a view into a slab when short, else its own buffer). */
export function utf8Bytes(text: string): Uint8Array {
  const mostBytes = text.length * 3; // a UTF-16 code unit is at most 3 bytes of UTF-8
  if (mostBytes > SLAB_BYTES / 4) return utf8.encode(text);
  if (SLAB_BYTES - slabUsedBytes < mostBytes) {
    slab = new Uint8Array(SLAB_BYTES);
    slabUsedBytes = 0;
  }
  const { read, written } = utf8.encodeInto(text, slab.subarray(slabUsedBytes));
  if (read !== text.length) throw new Error(`assertion failed: encoded ${read} of ${text.length} code units`);
  const bytes = slab.subarray(slabUsedBytes, slabUsedBytes + written);
  slabUsedBytes += written;
  return bytes;
}

/** Headers as the record-batch codec takes them. */
export function toHeaders(headers: HeadersInput | undefined): { name: string; value: Uint8Array | null }[] {
  if (headers === undefined) return NO_HEADERS;
  const list = Array.isArray(headers) ? headers : Object.entries(headers).map(([name, value]) => ({ name, value }));
  return list.map((h) => ({ name: h.name, value: h.value === null ? null : typeof h.value === "string" ? utf8Bytes(h.value) : h.value }));
}

/** Shared by every record without headers; never changed. */
const NO_HEADERS: { name: string; value: Uint8Array | null }[] = [];

/** How a consumer shows keys and values. */
export type Format = "string" | "json" | "binary";

/** A key or value as it came over the wire (base64 when binary, text otherwise) in `format`; "json" parses values only (keys stay text). */
export function decodeField(wire: string | null, format: Format, where: () => string, isKey = false): unknown {
  if (wire === null) return null;
  if (format === "binary") return fromBase64(wire);
  if (format === "string" || isKey) return wire;
  return parseJson(wire, where);
}

/** `text` parsed as JSON; a RunnelError 42206 naming `where()` when it is not JSON. */
function parseJson(text: string, where: () => string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new RunnelError(42206, `${where()} is not JSON; consume it with format "string" or "binary"`);
  }
}

/** A header value (always base64 on the wire): bytes for "binary", UTF-8 text otherwise. */
export function decodeHeader(wire: string | null, format: Format): string | Uint8Array | null {
  if (wire === null) return null;
  const bytes = fromBase64(wire);
  return format === "binary" ? bytes : utf8Decoder.decode(bytes);
}

/** A consumed record. `key` and `value` follow the format; header values are text unless it is "binary". */
export interface ConsumerRecord<V = unknown> {
  topic: string;
  partition: number;
  offset: number;
  /** Epoch ms. */
  timestamp: number;
  key: unknown;
  value: V;
  headers: { name: string; value: string | Uint8Array | null }[];
}

/** A record as the server sent it (format "binary" on the wire for binary, "string" otherwise), shown in `format`. */
export function decodeRecord(r: WireRecord, format: Format): ConsumerRecord {
  // Strings come as they are: the wire record is the consumed record (the common case, kept cheap).
  if (format === "string" && r.headers.length === 0) return r as ConsumerRecord;
  const where = () => `the record at offset ${r.offset} of '${r.topic}' partition ${r.partition}`;
  return {
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    timestamp: r.timestamp,
    key: decodeField(r.key, format, where, true),
    value: decodeField(r.value, format, where),
    headers: r.headers.map((h) => ({ name: h.name, value: decodeHeader(h.value, format) })),
  };
}

/** Where a record is, as a 42206 names it. */
const recordAt = (topic: string, partition: number, offset: number) => () => `the record at offset ${offset} of '${topic}' partition ${partition}`;

/**
 * A record decoded from a fetched batch (batch-decode.ts), shown in
 * `format` exactly as `decodeRecord` shows the same record sent as JSON:
 * UTF-8 text for "string" (and for keys and header values under "json"),
 * parsed values for "json" (a RunnelError 42206 when one is not JSON),
 * copies of the bytes for "binary".
 */
export function recordOfBatch(topic: string, partition: number, r: DecodedRecord, format: Format): ConsumerRecord {
  const where = recordAt(topic, partition, r.offset);
  return {
    topic,
    partition,
    offset: r.offset,
    timestamp: r.timestampMs,
    key: fieldOf(r.key, format, true, where),
    value: fieldOf(r.value, format, false, where),
    headers: r.headers.length === 0 ? [] : r.headers.map((h) => ({ name: h.name, value: h.value === null ? null : format === "binary" ? h.value.slice() : utf8Decoder.decode(h.value) })),
  };
}

/** A key or value's bytes in `format`; "json" parses values only. Binary is a copy, so a record does not hold the whole answer. */
function fieldOf(bytes: Uint8Array | null, format: Format, isKey: boolean, where: () => string): unknown {
  if (bytes === null) return null;
  if (format === "binary") return bytes.slice();
  const text = utf8Decoder.decode(bytes);
  return format === "string" || isKey ? text : parseJson(text, where);
}

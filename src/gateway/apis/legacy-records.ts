/**
 * Kafka's legacy message sets (magic 0 and 1), which Produce v0–2 carry
 * and Fetch v0–3 expect, converted to and from record batches (magic 2)
 * as Kafka 2.x and 3.x brokers did. A message set is concatenated
 * `offset int64, size int32, crc uint32 (CRC-32 of what follows), magic
 * int8, attributes int8, [timestamp int64: magic 1], key bytes, value
 * bytes`; a compressed one is a wrapper message whose value is the inner
 * message set, compressed. Up: every message becomes a record of one
 * uncompressed batch (magic 0 has no timestamps: the time of arrival is
 * used, as a LogAppendTime would be). Down: every record of every batch
 * becomes an uncompressed message at its own offset, without headers
 * (the old formats have none); control batches are left out.
 */
import { crc32 } from "node:zlib";
import { limits } from "../../limits";
import { BATCH_HEADER_BYTES, buildBatch, decodeRecords, encodeRecords, readBatchHeader } from "../../record/record-batch";
import { CONTROL_BATCH } from "../../record/attributes";
import { decompressRecords as decompress } from "./legacy-codecs";
import type { RecordInput } from "../../record/records";
import { splitBatches } from "./fetch-partitions";

/** A message set that does not parse, or fails its CRC: the partition is answered CORRUPT_MESSAGE. */
export class LegacyRecordsError extends Error {
  override name = "LegacyRecordsError";
}

/** Bytes before a message's key: offset, size, crc, magic, attributes (and the timestamp of magic 1). */
const headerBytes = (magic: number) => (magic === 0 ? 18 : 26);
const COMPRESSION_MASK = 0x07;
const LOG_APPEND_TIME = 0x08;

interface Message {
  timestampMs: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
}

/** One record batch (uncompressed, base offset 0) holding every message of a magic 0 or 1 message set. */
export function toRecordBatch(messageSet: Uint8Array, nowMs = Date.now()): Uint8Array {
  const messages = readMessages(messageSet, nowMs, true);
  if (messages.length === 0) throw new LegacyRecordsError("the message set holds no whole message");
  const records: RecordInput[] = messages.map((m) => ({ key: m.key, value: m.value, headers: [], timestampMs: m.timestampMs }));
  const timestamps = records.map((r) => r.timestampMs);
  const base = Math.min(...timestamps);
  return buildBatch({ recordCount: records.length, baseTimestampMs: base, maxTimestampMs: Math.max(...timestamps), recordsSection: encodeRecords(records, base) });
}

function readMessages(bytes: Uint8Array, nowMs: number, outer: boolean): Message[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Message[] = [];
  let at = 0;
  // A trailing partial message is allowed (clients cut at a size limit), as Kafka allows it.
  while (at + 12 <= bytes.length) {
    const size = view.getInt32(at + 8);
    const end = at + 12 + size;
    if (size < 14 || end > bytes.length) break;
    if (crc32(bytes.subarray(at + 16, end)) !== view.getUint32(at + 12)) throw new LegacyRecordsError(`message at byte ${at} fails its CRC`);
    const magic = view.getInt8(at + 16);
    if (magic !== 0 && magic !== 1) throw new LegacyRecordsError(`message magic ${magic} in a legacy message set`);
    const attributes = view.getInt8(at + 17);
    const stamped = magic === 1 ? readInt64(view, at + 18) : -1;
    const timestampMs = stamped >= 0 ? stamped : nowMs;
    let pos = at + headerBytes(magic);
    const key = readBytes(view, bytes, pos, end);
    pos += 4 + (key?.length ?? 0);
    const value = readBytes(view, bytes, pos, end);
    const codec = attributes & COMPRESSION_MASK;
    if (codec === 0) out.push({ timestampMs, key, value });
    else {
      if (!outer || value === null) throw new LegacyRecordsError("a compressed message inside a compressed message");
      const inner = readMessages(inflate(codec, value), nowMs, false);
      // Under LogAppendTime (magic 1) the wrapper's time is every message's.
      const appendTime = magic === 1 && (attributes & LOG_APPEND_TIME) !== 0;
      out.push(...(appendTime ? inner.map((m) => ({ ...m, timestampMs })) : inner));
    }
    at = end;
  }
  return out;
}

function inflate(codec: number, value: Uint8Array): Uint8Array {
  try {
    return decompress(codec, value, limits.batchDecompressedBytesMax);
  } catch (e) {
    throw new LegacyRecordsError(`compressed messages do not decompress: ${(e as Error).message}`);
  }
}

function readBytes(view: DataView, bytes: Uint8Array, pos: number, end: number): Uint8Array | null {
  if (pos + 4 > end) throw new LegacyRecordsError("message runs past its size");
  const length = view.getInt32(pos);
  if (length === -1) return null;
  if (length < 0 || pos + 4 + length > end) throw new LegacyRecordsError("message key or value runs past its size");
  return bytes.subarray(pos + 4, pos + 4 + length);
}

function readInt64(view: DataView, at: number): number {
  return view.getInt32(at) * 4294967296 + view.getUint32(at + 4);
}

/**
 * Stored record batches as a message set of `magic` (0 or 1): each record
 * an uncompressed message at its own offset, records below `fromOffset`
 * left out (they precede what the client asked for). Control batches go.
 */
export function toMessageSet(batches: Uint8Array, magic: 0 | 1, fromOffset: number): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const batch of splitBatches(batches)) {
    const header = readBatchHeader(batch);
    if ((header.attributes & CONTROL_BATCH) !== 0) continue;
    const section = decompress(header.attributes & COMPRESSION_MASK, batch.subarray(BATCH_HEADER_BYTES), limits.batchDecompressedBytesMax);
    for (const r of decodeRecords(header, section)) if (r.offset >= fromOffset) parts.push(message(magic, r.offset, r.timestampMs, r.key, r.value));
  }
  return Buffer.concat(parts);
}

function message(magic: 0 | 1, offset: number, timestampMs: number, key: Uint8Array | null, value: Uint8Array | null): Uint8Array {
  const size = headerBytes(magic) - 12 + 8 + (key?.length ?? 0) + (value?.length ?? 0);
  const out = new Uint8Array(12 + size);
  const view = new DataView(out.buffer);
  writeInt64(view, 0, offset);
  view.setInt32(8, size);
  view.setInt8(16, magic);
  view.setInt8(17, 0); // attributes: uncompressed, CreateTime
  let pos = 18;
  if (magic === 1) {
    writeInt64(view, 18, timestampMs);
    pos = 26;
  }
  pos = writeBytes(out, view, pos, key);
  writeBytes(out, view, pos, value);
  view.setUint32(12, crc32(out.subarray(16)));
  return out;
}

function writeBytes(out: Uint8Array, view: DataView, pos: number, bytes: Uint8Array | null): number {
  view.setInt32(pos, bytes === null ? -1 : bytes.length);
  if (bytes !== null) out.set(bytes, pos + 4);
  return pos + 4 + (bytes?.length ?? 0);
}

function writeInt64(view: DataView, at: number, v: number): void {
  const hi = Math.floor(v / 4294967296);
  view.setInt32(at, hi);
  view.setUint32(at + 4, v - hi * 4294967296);
}

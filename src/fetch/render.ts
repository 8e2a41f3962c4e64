/**
 * Rendering records as client JSON straight from stored batch bytes:
 * one pass over each records section, no per-record objects. The hot
 * read paths (fetch, consumer instances, WebSocket delivery) use it.
 * Offsets of a compacted log have gaps: a batch may hold fewer records
 * than its offsets span, or none; the next offset moves past every batch
 * read whole, so a reader positioned in a gap reads on from the next
 * record.
 */
import { toBase64 } from "../bytes/base64";
import { ErrorCode, RunnelError } from "../errors";
import { limits } from "../limits";
import { decompress } from "../record/compression";
import { BATCH_HEADER_BYTES, type BatchHeader, compressionOf, isLogAppendTime, lastOffsetOf, readBatchHeader } from "../record/record-batch";
import { Reader } from "../record/varint";
import type { RecordFormat } from "./format";

export interface Rendered {
  /** The records' JSON objects joined by commas (no brackets), "" for none. */
  json: string;
  count: number;
  /**
   * Where the next read starts: past the last batch read whole (its last
   * offset + 1, also when the cleaner left it with fewer records or none),
   * or one past the last record rendered when `maxRecords` cut a batch;
   * `fromOffset` when nothing was read.
   */
  nextOffset: number;
}

const utf8 = new TextDecoder();

/**
 * A record the asked format cannot show (not JSON under format=json): a
 * 42206 naming the topic, partition and offset. `rendered` holds the
 * records before it, so a caller may deliver those and stop there.
 */
export class UnrenderableRecord extends RunnelError {
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly offset: number,
    readonly rendered: Rendered,
  ) {
    super(
      ErrorCode.INVALID_PAYLOAD,
      `record at offset ${offset} of topic '${topic}' partition ${partition} is not JSON, so format=json cannot show it; fetch it with format=binary or format=string (v2: Accept: application/vnd.kafka.binary.v2+json)`,
      undefined,
      null, // Kafka clients decode records themselves: Kafka has no name for this
    );
  }
}

/** Thrown inside a records section; `renderBatches` turns it into an `UnrenderableRecord`. */
class NotJson extends Error {
  constructor(readonly offset: number) {
    super(`record at offset ${offset} is not JSON`);
  }
}

/**
 * Renders records at or after `fromOffset` from whole batches (CRC already
 * checked by the log), at most `maxRecords`, in `format`. A batch that does
 * not decode is a 50001 naming its offset; a non-JSON record under
 * format=json is an `UnrenderableRecord` (42206) naming its topic,
 * partition and offset. Each record names its topic and partition unless
 * `placed` is false (push batches name them once, outside the records).
 */
export async function renderBatches(
  batches: Uint8Array[],
  fromOffset: number,
  maxRecords: number,
  topic: string,
  partition: number,
  format: RecordFormat,
  placed = true,
): Promise<Rendered> {
  const prefix = placed ? `{"topic":${JSON.stringify(topic)},"partition":${partition},"offset":` : `{"offset":`;
  const parts: string[] = [];
  let nextOffset = fromOffset;
  for (const batch of batches) {
    if (parts.length >= maxRecords) break;
    const h = readBatchHeader(batch);
    try {
      const section = decompress(compressionOf(h.attributes), batch.subarray(BATCH_HEADER_BYTES), limits.batchDecompressedBytesMax);
      nextOffset = Math.max(nextOffset, renderSection(section, h, fromOffset, maxRecords, prefix, format, parts));
    } catch (e) {
      if (e instanceof NotJson) throw new UnrenderableRecord(topic, partition, e.offset, { json: parts.join(","), count: parts.length, nextOffset: e.offset });
      if (e instanceof RunnelError) throw e;
      throw new RunnelError(ErrorCode.CORRUPT_MESSAGE, `corrupt record batch at offset ${h.baseOffset}: ${(e as Error).message}`);
    }
  }
  return { json: parts.join(","), count: parts.length, nextOffset };
}

/**
 * Renders one records section of batch `h` into `parts`; returns the next
 * offset: past the batch when every record at or after `fromOffset` was
 * taken, else one past the last one taken.
 */
function renderSection(section: Uint8Array, h: BatchHeader, fromOffset: number, maxRecords: number, prefix: string, format: RecordFormat, parts: string[]): number {
  const { baseOffset, baseTimestampMs, recordCount } = h;
  const logAppendTimeMs = isLogAppendTime(h.attributes) ? h.maxTimestampMs : -1;
  const r = new Reader(section, 0, section.length);
  let next = fromOffset;
  for (let i = 0; i < recordCount; i++) {
    if (parts.length >= maxRecords) return next;
    r.end = section.length;
    const length = r.varint();
    const end = r.pos + length;
    if (length < 0 || end > section.length) throw new RangeError(`record ${i} runs past the end of its batch`);
    r.end = end;
    r.int8(); // attributes
    const timestampDelta = r.varint();
    const offset = baseOffset + r.varint();
    if (offset < fromOffset) {
      r.pos = end;
      continue;
    }
    const key = field(r, format, offset);
    const value = field(r, format, offset);
    const headerCount = r.varint();
    if (headerCount < 0 || headerCount > length) throw new RangeError(`record ${i} has a bad header count`);
    let headers = "[]";
    if (headerCount > 0) {
      const hs: string[] = [];
      for (let j = 0; j < headerCount; j++) {
        const nameLength = r.varint();
        const name = nameLength < 0 ? "" : utf8.decode(r.bytes(nameLength));
        const valueLength = r.varint();
        hs.push(`{"name":${JSON.stringify(name)},"value":${valueLength < 0 ? "null" : `"${toBase64(r.bytes(valueLength))}"`}}`);
      }
      headers = `[${hs.join(",")}]`;
    }
    if (r.pos !== end) throw new RangeError(`record ${i} has ${end - r.pos} stray bytes`);
    const timestampMs = logAppendTimeMs >= 0 ? logAppendTimeMs : baseTimestampMs + timestampDelta;
    parts.push(`${prefix}${offset},"timestamp":${timestampMs},"key":${key},"value":${value},"headers":${headers}}`);
    next = offset + 1;
  }
  return Math.max(next, lastOffsetOf(h) + 1);
}

/** A key or value as JSON text in `format`. */
function field(r: Reader, format: RecordFormat, offset: number): string {
  const length = r.varint();
  if (length < 0) return "null";
  const bytes = r.bytes(length);
  if (format === "binary") return `"${toBase64(bytes)}"`; // base64 needs no escaping
  const text = utf8.decode(bytes);
  if (format === "string") return JSON.stringify(text);
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    throw new NotJson(offset);
  }
}

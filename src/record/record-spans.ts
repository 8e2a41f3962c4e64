/**
 * The records of a (decompressed) records section as byte spans, for the
 * log cleaner: each record's offset, timestamp and key are read, its key,
 * value and headers are copied back as they were — so a cleaned batch
 * keeps every retained record's bytes, whatever they hold.
 */
import { Reader, varintSize, writeVarint } from "./varint";

/** One record of a records section, by position. */
export interface RecordSpan {
  /** Absolute offset: the batch's base offset + the record's offset delta. */
  offset: number;
  /** The record's own timestamp (epoch ms): base timestamp + delta, whatever the batch's timestamp type. */
  timestampMs: number;
  /** The record's attributes byte (unused by magic 2, copied as it is). */
  attributes: number;
  key: Uint8Array | null;
  /** False for a tombstone (a null value). */
  hasValue: boolean;
  /** Where its key starts in the section: key, value and headers run from here to `end`. */
  tailStart: number;
  /** Exclusive. */
  end: number;
}

/**
 * The `recordCount` records of `section` as spans. Offsets must lie in
 * [baseOffset, baseOffset + lastOffsetDelta] and increase; anything
 * malformed is a RangeError.
 */
export function scanRecords(h: { baseOffset: number; baseTimestampMs: number; lastOffsetDelta: number; recordCount: number }, section: Uint8Array): RecordSpan[] {
  const r = new Reader(section, 0, section.length);
  const out: RecordSpan[] = [];
  let previous = -1;
  for (let i = 0; i < h.recordCount; i++) {
    r.end = section.length;
    const length = r.varint();
    const end = r.pos + length;
    if (length < 0 || end > section.length) throw new RangeError(`record ${i} runs past the end of its batch`);
    r.end = end;
    const attributes = r.int8();
    const timestampDelta = r.varint();
    const offsetDelta = r.varint();
    if (offsetDelta <= previous || offsetDelta > h.lastOffsetDelta) throw new RangeError(`record ${i} has offset delta ${offsetDelta}, outside (${previous}, ${h.lastOffsetDelta}]`);
    previous = offsetDelta;
    const tailStart = r.pos;
    const keyLength = r.varint();
    const key = keyLength < 0 ? null : r.bytes(keyLength);
    const valueLength = r.varint();
    if (valueLength >= 0) r.bytes(valueLength);
    r.pos = end; // headers are copied, not read
    out.push({ offset: h.baseOffset + offsetDelta, timestampMs: h.baseTimestampMs + timestampDelta, attributes, key, hasValue: valueLength >= 0, tailStart, end });
  }
  if ((out[out.length - 1]?.end ?? 0) !== section.length) throw new RangeError("records section has stray bytes after its last record");
  return out;
}

/**
 * A records section holding `spans` of `section`, with offset deltas from
 * `baseOffset` and timestamp deltas from `baseTimestampMs`; each record's
 * key, value and headers are its original bytes.
 */
export function writeSpans(section: Uint8Array, spans: RecordSpan[], baseOffset: number, baseTimestampMs: number): Uint8Array {
  let total = 0;
  const bodies = spans.map((s) => {
    const body = 1 + varintSize(s.timestampMs - baseTimestampMs) + varintSize(s.offset - baseOffset) + (s.end - s.tailStart);
    total += varintSize(body) + body;
    return body;
  });
  const out = new Uint8Array(total);
  let pos = 0;
  spans.forEach((s, i) => {
    pos = writeVarint(out, pos, bodies[i]!);
    out[pos++] = s.attributes & 0xff;
    pos = writeVarint(out, pos, s.timestampMs - baseTimestampMs);
    pos = writeVarint(out, pos, s.offset - baseOffset);
    out.set(section.subarray(s.tailStart, s.end), pos);
    pos += s.end - s.tailStart;
  });
  if (pos !== total) throw new Error(`assertion failed: wrote ${pos} bytes, sized ${total}`);
  return out;
}

/**
 * Control batches only the log writes (attribute bit 5): Kafka's layout,
 * one record whose key is `{version: int16 = 0, type: int16}`. Runnel's
 * own type is the fence (API.md "Conditional append and fencing"): its
 * value is the fencing token's ASCII bytes. Kafka clients skip control
 * batches of any type, and Runnel's readers never show them as records.
 */
import { CONTROL_BATCH } from "./attributes";
import { BATCH_HEADER_BYTES, buildBatch, compressionOf, decodeRecords, encodeRecords, readBatchHeader, type BatchHeader } from "./record-batch";

/** The control record type of a fence: well away from Kafka's own (0–6: transaction markers, KRaft records). */
export const FENCE_CONTROL_TYPE = 0x5246;

const ascii = new TextEncoder();
const text = new TextDecoder();

/** A control batch setting the fencing token to `token` (printable ASCII), timestamped `timestampMs` (epoch ms). */
export function fenceBatch(token: string, timestampMs: number): Uint8Array {
  const key = new Uint8Array(4);
  new DataView(key.buffer).setInt16(2, FENCE_CONTROL_TYPE);
  const recordsSection = encodeRecords([{ key, value: ascii.encode(token), headers: [], timestampMs }], timestampMs);
  return buildBatch({ recordCount: 1, flags: CONTROL_BATCH, baseTimestampMs: timestampMs, maxTimestampMs: timestampMs, recordsSection });
}

/** Whether a batch (by its header) is a control batch, which readers never show as records. */
export function isControlBatch(h: Pick<BatchHeader, "attributes">): boolean {
  return (h.attributes & CONTROL_BATCH) !== 0;
}

/** The fencing token a stored batch sets, or null when it is not a fence (fences are never compressed). */
export function fenceTokenOf(batch: Uint8Array, h: BatchHeader = readBatchHeader(batch)): string | null {
  if (!isControlBatch(h) || compressionOf(h.attributes) !== 0 || h.recordCount !== 1) return null;
  const record = decodeRecords(h, batch.subarray(BATCH_HEADER_BYTES))[0];
  const key = record?.key;
  if (key === null || key === undefined || key.length < 4 || record?.value === null || record?.value === undefined) return null;
  const type = new DataView(key.buffer, key.byteOffset, key.byteLength).getInt16(2);
  return type === FENCE_CONTROL_TYPE ? text.decode(record.value) : null;
}

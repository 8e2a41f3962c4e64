/**
 * One batch through Kafka's cleaner filter (MemoryRecords.filterTo with
 * the LogCleaner's RecordFilter): which records stay, and what is stored
 * instead of the batch.
 *
 * A record stays when it is the latest of its key the offset map knows
 * (or lies past what the map covers) and is not a tombstone whose delete
 * horizon has passed; a record without a key goes (Kafka: an invalid
 * record on a compacted topic). A batch all of whose records stay is kept
 * byte for byte — unless it holds a tombstone and has no delete horizon
 * yet: then it is written again with one (KIP-534: the cleaning time plus
 * `delete.retention.ms`, in the base timestamp, attributes bit 6). A
 * rewritten batch keeps its base offset, last offset (so a producer's
 * last sequence stays), partition leader epoch, producer id, epoch and
 * base sequence, timestamp type and codec (compressed again with it); its
 * base timestamp is its delete horizon or else its first record's, its
 * max timestamp its records' (LogAppendTime: the append time it had), and
 * its CRC is computed anew. A batch left with no record goes, unless it
 * must stay (`retainEmpty`, Kafka's RETAIN_EMPTY): then it stays as an
 * empty header, uncompressed, with its original max timestamp.
 *
 * Control batches (transaction markers) stay whole: which transactions
 * they end is not tracked yet, so the cleaner cannot tell when Kafka
 * would let one go. Nothing writes them yet.
 */
import { limits } from "../limits";
import { CONTROL_BATCH, DELETE_HORIZON, deleteHorizonOf, isLogAppendTime } from "../record/attributes";
import { type Codec, compress, decompress } from "../record/compression";
import { BATCH_HEADER_BYTES, type BatchHeader, buildBatch, Compression, compressionOf, readBatchHeader } from "../record/record-batch";
import { type RecordSpan, scanRecords, writeSpans } from "../record/record-spans";
import type { OffsetMap } from "./offset-map";

/** What one cleaning round knows when it judges a batch. */
export interface BatchRules {
  map: OffsetMap;
  /** The round's time (epoch ms): tombstones whose horizon is at or before it go. */
  nowMs: number;
  /** The topic's `delete.retention.ms`. */
  deleteRetentionMs: number;
  /** Keep the batch even when no record is left (a producer's last batch, a leader epoch's first, the round's last). */
  retainEmpty: boolean;
}

/** What is stored instead of a batch, and what the filter saw. */
export interface CleanedBatch {
  /** "keep": the batch as it is; "rewrite": `bytes` instead; "drop": nothing. */
  kind: "keep" | "rewrite" | "drop";
  /** The rewritten batch ("rewrite" only). */
  bytes: Uint8Array | null;
  /** The max timestamp the time index gets for what is stored: -1 when it holds no record. */
  maxTimestampMs: number;
  recordsRead: number;
  recordsRemoved: number;
  /** The delete horizon of what is stored when it still holds a tombstone, else null. */
  tombstoneHorizonMs: number | null;
}

/**
 * Judges `batch` (a stored batch, CRC already checked) by `rules`. Throws
 * RangeError or CompressionError when its records section is malformed.
 */
export async function cleanBatch(batch: Uint8Array, rules: BatchRules): Promise<CleanedBatch> {
  const h = readBatchHeader(batch);
  const horizon = deleteHorizonOf(h.attributes, h.baseTimestampMs);
  if ((h.attributes & CONTROL_BATCH) !== 0 || h.recordCount === 0) {
    if (h.recordCount === 0 && !rules.retainEmpty) return outcome("drop", null, -1, 0, 0, null);
    return outcome("keep", null, h.recordCount === 0 ? -1 : h.maxTimestampMs, h.recordCount, 0, null);
  }
  const section = decompress(compressionOf(h.attributes), batch.subarray(BATCH_HEADER_BYTES), limits.batchDecompressedBytesMax);
  const spans = scanRecords(h, section);
  const kept = spans.filter((r) => retains(r, rules, horizon));
  const removed = spans.length - kept.length;
  const tombstones = kept.some((r) => !r.hasValue);
  const newHorizon = horizon ?? (tombstones ? Math.min(rules.nowMs + rules.deleteRetentionMs, limits.timestampMsMax) : null);
  const keptHorizon = tombstones ? newHorizon : null;
  if (kept.length === 0) {
    if (!rules.retainEmpty) return outcome("drop", null, -1, spans.length, removed, null);
    return outcome("rewrite", emptyBatch(h), -1, spans.length, removed, null);
  }
  const maxTimestampMs = isLogAppendTime(h.attributes) ? h.maxTimestampMs : kept.reduce((max, r) => Math.max(max, r.timestampMs), -1);
  if (removed === 0 && newHorizon === horizon) return outcome("keep", null, h.maxTimestampMs, spans.length, 0, keptHorizon);
  const bytes = await rewritten(h, section, kept, newHorizon, maxTimestampMs);
  // Compressed again, a batch could in theory outgrow a row (another codec level than the producer's): then it stays as it
  // was, its tombstones too (no horizon is waited for: one already passed would bring the cleaner back at once, for nothing).
  if (bytes.length > Math.max(batch.length, limits.batchBytesMax)) return outcome("keep", null, h.maxTimestampMs, spans.length, 0, null);
  return outcome("rewrite", bytes, maxTimestampMs, spans.length, removed, keptHorizon);
}

/** Kafka's shouldRetainRecord: the key's latest record, and not a tombstone past its horizon. */
function retains(r: RecordSpan, rules: BatchRules, horizon: number | null): boolean {
  if (r.offset > rules.map.latestOffset) return true;
  if (r.key === null) return false;
  if (r.offset < rules.map.get(r.key)) return false;
  return r.hasValue || horizon === null || rules.nowMs < horizon;
}

async function rewritten(h: BatchHeader, section: Uint8Array, kept: RecordSpan[], horizon: number | null, maxTimestampMs: number): Promise<Uint8Array> {
  const baseTimestampMs = horizon ?? kept[0]!.timestampMs;
  const codec = compressionOf(h.attributes) as Codec;
  const records = await compress(codec, writeSpans(section, kept, h.baseOffset, baseTimestampMs));
  const flags = (h.attributes & ~DELETE_HORIZON) | (horizon === null ? 0 : DELETE_HORIZON);
  return buildBatch({ ...identity(h), recordsSection: records, recordCount: kept.length, baseTimestampMs, maxTimestampMs, compression: codec, flags });
}

/** Kafka's empty batch header (writeEmptyHeader): no records, uncompressed, no base timestamp, the original max timestamp. */
function emptyBatch(h: BatchHeader): Uint8Array {
  const flags = h.attributes & ~DELETE_HORIZON;
  return buildBatch({ ...identity(h), recordsSection: new Uint8Array(0), recordCount: 0, baseTimestampMs: -1, maxTimestampMs: h.maxTimestampMs, compression: Compression.NONE, flags });
}

/** The header fields a cleaned batch keeps. */
function identity(h: BatchHeader) {
  return {
    baseOffset: h.baseOffset,
    lastOffsetDelta: h.lastOffsetDelta,
    partitionLeaderEpoch: h.partitionLeaderEpoch,
    producerId: h.producerId,
    producerEpoch: h.producerEpoch,
    baseSequence: h.baseSequence,
  };
}

function outcome(kind: CleanedBatch["kind"], bytes: Uint8Array | null, maxTimestampMs: number, recordsRead: number, recordsRemoved: number, tombstoneHorizonMs: number | null): CleanedBatch {
  return { kind, bytes, maxTimestampMs, recordsRead, recordsRemoved, tombstoneHorizonMs };
}

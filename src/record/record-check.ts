/**
 * The deep check of a batch offered by a producer (a Kafka client's
 * bytes), as Kafka's broker makes it on append (LogValidator): base offset
 * 0; no control, transactional, LogAppendTime or delete-horizon bit (only
 * a broker sets those, and transactions are not served); a records section that
 * decompresses within bounds and holds exactly the records its header
 * counts, with offset deltas 0, 1, 2…; and every record timestamp one
 * Runnel stores (as produce over JSON: epoch ms in [0,
 * limits.timestampMsMax], both inclusive). It yields the max timestamp of
 * the records, which the caller writes into the header (setMaxTimestamp):
 * the header's own value is the producer's claim and decides nothing.
 * checkBatch (framing, codec code, CRC) must have passed first.
 */
import type { KafkaErrorName } from "../errors";
import { limits } from "../limits";
import { isTimestampMs } from "./timestamp-range";
import { CONTROL_BATCH, DELETE_HORIZON, TIMESTAMP_TYPE_LOG_APPEND, TRANSACTIONAL } from "./attributes";
import { CompressionError, decompress } from "./compression";
import { BATCH_HEADER_BYTES, type BatchHeader, compressionOf, type DecodedRecord, decodeRecords, readBatchHeader } from "./record-batch";

/**
 * A producer's batch as checked: sound, with its records' max timestamp
 * (epoch ms) and the index of its first record without a key (-1 when
 * every record has one: a compacted topic refuses keyless records); or
 * refused, with Kafka's name for why.
 */
export type BatchVerdict =
  | { ok: true; maxTimestampMs: number; firstKeyless: number }
  | { ok: false; errorName: Extract<KafkaErrorName, "CORRUPT_MESSAGE" | "INVALID_RECORD" | "INVALID_TIMESTAMP">; problem: string };

/**
 * Kafka's checks of a batch a producer sent (see above). `outputBytesMax`
 * bounds decompression (default `limits.batchDecompressedBytesMax`).
 * Costs one full decode: call it where work is stateless (the Worker),
 * not inside a partition.
 */
export function checkProducerBatch(batch: Uint8Array, outputBytesMax: number = limits.batchDecompressedBytesMax): BatchVerdict {
  const h = readBatchHeader(batch);
  if (h.baseOffset !== 0) return refused("CORRUPT_MESSAGE", `base offset ${h.baseOffset}, a producer sends 0`);
  if ((h.attributes & CONTROL_BATCH) !== 0) return refused("CORRUPT_MESSAGE", "a control batch, which only a broker writes");
  if ((h.attributes & DELETE_HORIZON) !== 0) return refused("CORRUPT_MESSAGE", "a delete horizon, which only the log cleaner writes");
  if ((h.attributes & TRANSACTIONAL) !== 0) return refused("INVALID_RECORD", "a transactional batch; transactions are not served");
  // Kafka's "Producer should not set timestamp type to LogAppendTime": the log stamps that, on topics configured so.
  if ((h.attributes & TIMESTAMP_TYPE_LOG_APPEND) !== 0) return refused("INVALID_TIMESTAMP", "timestamp type LogAppendTime, which only the log sets");
  return checkRecords(batch, outputBytesMax);
}

/**
 * The records of `batch` checked in one decode: they decode (within
 * `outputBytesMax` bytes), their offset deltas are 0, 1, 2… and their
 * timestamps lie in [0, limits.timestampMsMax]; the verdict carries their
 * max timestamp.
 */
export function checkRecords(batch: Uint8Array, outputBytesMax: number = limits.batchDecompressedBytesMax): BatchVerdict {
  const header = readBatchHeader(batch);
  const records = decoded(batch, header, outputBytesMax);
  if (typeof records === "string") return refused("CORRUPT_MESSAGE", records);
  let maxTimestampMs = -1;
  let firstKeyless = -1;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (r.key === null && firstKeyless < 0) firstKeyless = i;
    if (r.offset !== header.baseOffset + i) return refused("CORRUPT_MESSAGE", `record ${i} has offset delta ${r.offset - header.baseOffset}, expected ${i}`);
    if (!isTimestampMs(r.timestampMs)) {
      return refused("INVALID_TIMESTAMP", `record ${i} has timestamp ${r.timestampMs}, outside [0, ${limits.timestampMsMax}] (epoch ms, both inclusive)`);
    }
    if (r.timestampMs > maxTimestampMs) maxTimestampMs = r.timestampMs;
  }
  return { ok: true, maxTimestampMs, firstKeyless };
}

/** The records of `batch`, or what is wrong with its records section. */
function decoded(batch: Uint8Array, header: BatchHeader, outputBytesMax: number): DecodedRecord[] | string {
  try {
    const section = decompress(compressionOf(header.attributes), batch.subarray(BATCH_HEADER_BYTES), outputBytesMax);
    return decodeRecords(header, section);
  } catch (e) {
    // Malformed input: the codecs throw CompressionError, the record decoder RangeError; anything else is a bug.
    if (!(e instanceof CompressionError) && !(e instanceof RangeError)) throw e;
    return `records section does not decode: ${e.message}`;
  }
}

function refused(errorName: Extract<BatchVerdict, { ok: false }>["errorName"], problem: string): BatchVerdict {
  return { ok: false, errorName, problem };
}

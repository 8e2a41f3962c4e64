/**
 * The deep check of a batch offered from outside (a Kafka client's bytes):
 * its records section must decompress within bounds and hold exactly the
 * records its header counts, with offset deltas 0, 1, 2… as Kafka's broker
 * requires. checkBatch (framing and CRC) must have passed first.
 */
import { limits } from "../limits";
import { CompressionError, decompress } from "./compression";
import { BATCH_HEADER_BYTES, compressionOf, decodeRecords, readBatchHeader } from "./record-batch";

/**
 * What is wrong inside `batch`'s records section, or null when every
 * record decodes. `outputBytesMax` bounds decompression (default
 * `limits.batchDecompressedBytesMax`). Costs a full decode: call it where
 * work is stateless (the Worker), not inside a partition.
 */
export function checkRecords(batch: Uint8Array, outputBytesMax: number = limits.batchDecompressedBytesMax): string | null {
  const header = readBatchHeader(batch);
  try {
    const section = decompress(compressionOf(header.attributes), batch.subarray(BATCH_HEADER_BYTES), outputBytesMax);
    const records = decodeRecords(header, section);
    for (let i = 0; i < records.length; i++) {
      if (records[i]!.offset !== header.baseOffset + i) return `record ${i} has offset delta ${records[i]!.offset - header.baseOffset}, expected ${i}`;
    }
    return null;
  } catch (e) {
    // Malformed input: the codecs throw CompressionError, the record decoder RangeError; anything else is a bug.
    if (!(e instanceof CompressionError) && !(e instanceof RangeError)) throw e;
    return `records section does not decode: ${e.message}`;
  }
}

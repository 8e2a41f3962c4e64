/**
 * Decompression for the message-format conversions (legacy-records.ts),
 * in the front door's Node process: gzip from node:zlib, snappy, LZ4 and
 * zstd from the record module's JavaScript codecs (the ones the Worker
 * uses too), each bounded to `outputBytesMax` bytes (a decompression bomb
 * is refused, not inflated).
 */
import { gunzipSync } from "node:zlib";
import { Compression } from "../../record/attributes";
import { lz4Decompress } from "../../record/lz4-read";
import { snappyDecompress } from "../../record/snappy";
import { zstdDecompressFrames } from "../../record/zstd-js";

/** The records of `codec` (Kafka's attribute bits 0–2) decompressed; throws when they do not decompress within `outputBytesMax`. */
export function decompressRecords(codec: number, bytes: Uint8Array, outputBytesMax: number): Uint8Array {
  switch (codec) {
    case Compression.NONE:
      return bytes;
    case Compression.GZIP:
      return gunzipSync(bytes, { maxOutputLength: outputBytesMax });
    case Compression.SNAPPY:
      return snappyDecompress(bytes, outputBytesMax);
    case Compression.LZ4:
      return lz4Decompress(bytes, outputBytesMax);
    case Compression.ZSTD:
      return zstdDecompressFrames(bytes, outputBytesMax);
    default:
      throw new Error(`compression codec ${codec} is not one of Kafka's (0-4)`);
  }
}

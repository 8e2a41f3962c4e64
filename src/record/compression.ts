/**
 * Kafka's record-batch codecs, by the attributes field's code: none (0),
 * gzip (1), snappy (2, xerial-framed out, xerial or raw in), lz4 (3, the
 * LZ4 frame format of KIP-57) and zstd (4). docs/compression.md says which
 * library does what and why. Decompression is bounded: a small section
 * cannot expand past `outputBytesMax`, and anything malformed is a
 * CompressionError, never a hang or a crash.
 */
import { gzipSync } from "node:zlib";
import { CompressionError } from "./codec-support";
import { lz4Decompress } from "./lz4-read";
import { lz4Compress } from "./lz4-write";
import { Compression } from "./record-batch";
import { snappyCompress, snappyDecompress } from "./snappy";
import { gunzipBounded, plain } from "./zlib-bounded";
import { zstdCompress, zstdDecompress } from "./zstd";

export { CompressionError } from "./codec-support";

/** A codec code of a batch's attributes (0–4). */
export type Codec = (typeof Compression)[keyof typeof Compression];

/** Kafka's name of each codec, as `compression.type` spells it ("uncompressed" for none). */
export const CODEC_NAMES = { uncompressed: Compression.NONE, gzip: Compression.GZIP, snappy: Compression.SNAPPY, lz4: Compression.LZ4, zstd: Compression.ZSTD } as const;

export type CodecName = keyof typeof CODEC_NAMES;

const NAMES: Record<Codec, CodecName> = { 0: "uncompressed", 1: "gzip", 2: "snappy", 3: "lz4", 4: "zstd" };

/**
 * The codec a topic's `compression.type` asks the Worker to encode with:
 * none for "producer" and "uncompressed" (a JSON producer sends no codec).
 */
export function codecOfConfig(compressionType: "producer" | CodecName): Codec {
  return compressionType === "producer" ? Compression.NONE : CODEC_NAMES[compressionType];
}

/** Whether `code` (from a batch's attributes) is a codec Runnel reads. */
export function isCodec(code: number): code is Codec {
  return code >= Compression.NONE && code <= Compression.ZSTD;
}

/**
 * Compresses a records section with `codec` as Kafka's Java producer
 * would (gzip level 6, zstd level 3); none returns `bytes` itself.
 */
export async function compress(codec: Codec, bytes: Uint8Array): Promise<Uint8Array> {
  switch (codec) {
    case Compression.NONE:
      return bytes;
    case Compression.GZIP:
      return plain(gzipSync(bytes));
    case Compression.SNAPPY:
      return snappyCompress(bytes);
    case Compression.LZ4:
      return lz4Compress(bytes);
    case Compression.ZSTD:
      return zstdCompress(bytes);
  }
}

/**
 * Decompresses a records section compressed with `codec` (none returns
 * `bytes` itself). Throws CompressionError when the section is malformed
 * or would decompress to more than `outputBytesMax` bytes.
 */
export function decompress(codec: number, bytes: Uint8Array, outputBytesMax: number): Uint8Array {
  if (!isCodec(codec)) throw new CompressionError(`compression codec ${codec} is not one of Kafka's (0-4)`);
  try {
    switch (codec) {
      case Compression.NONE:
        return bytes;
      case Compression.GZIP:
        return gunzipBounded(bytes, outputBytesMax);
      case Compression.SNAPPY:
        return snappyDecompress(bytes, outputBytesMax);
      case Compression.LZ4:
        return lz4Decompress(bytes, outputBytesMax);
      case Compression.ZSTD:
        return zstdDecompress(bytes, outputBytesMax);
    }
  } catch (e) {
    if (e instanceof CompressionError) throw e;
    throw new CompressionError(`${NAMES[codec]} records do not decompress: ${(e as Error).message}`);
  }
}

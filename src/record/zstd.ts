/**
 * zstd: standard frames (RFC 8878) through the runtime's native libzstd
 * (workerd's node:zlib), at Kafka's default level 3. Decompression goes
 * frame by frame, after zstd-frames.ts has checked each frame's declared
 * sizes; fzstd (pure JavaScript, zstd-js.ts) decodes the valid frames
 * today's workerd fails on.
 */
import { constants, createZstdCompress } from "node:zlib";
import { concatBytes } from "../bytes/concat";
import { CompressionError } from "./codec-support";
import { zstdFrameBounded } from "./zlib-bounded";
import { fzstdFrame, zstdDecompressFrames } from "./zstd-js";

/** Kafka's default zstd level. */
const LEVEL = 3;

/**
 * `bytes` compressed as one zstd frame that states its content size.
 * Streamed, with everything flushed before the frame ends: workerd's
 * one-shot zstdCompressSync fails once its output passes one 40 KiB
 * chunk, and so does a final write that has more than a chunk to emit.
 */
export function zstdCompress(bytes: Uint8Array): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const stream = createZstdCompress({ params: { [constants.ZSTD_c_compressionLevel]: LEVEL }, pledgedSrcSize: bytes.length });
    const chunks: Uint8Array[] = [];
    let total = 0;
    stream.on("data", (chunk) => {
      chunks.push(chunk);
      total += chunk.length;
    });
    stream.on("error", reject);
    stream.on("end", () => resolve(concatBytes(chunks, total)));
    stream.write(bytes);
    stream.flush(constants.ZSTD_e_flush, () => stream.end());
  });
}

/**
 * Decompresses one or more zstd frames. Throws CompressionError when
 * malformed or past `outputBytesMax`.
 */
export function zstdDecompress(bytes: Uint8Array, outputBytesMax: number): Uint8Array {
  return zstdDecompressFrames(bytes, outputBytesMax, decodeFrame);
}

/**
 * One frame, natively. Today's workerd fails a valid frame whose output
 * exactly fills its buffer (40960 × 2^k bytes) with "unexpected end of
 * file"; the frame is whole (zstdFrames walked its blocks), so that
 * failure goes to fzstd for the verdict. Any other failure (corruption, a
 * checksum mismatch) is final.
 */
function decodeFrame(frame: Uint8Array, budget: number, outputBytesMax: number): Uint8Array {
  try {
    return zstdFrameBounded(frame, budget, outputBytesMax);
  } catch (e) {
    if (e instanceof CompressionError) throw e;
    if (/unexpected end of file/i.test((e as Error).message)) return fzstdFrame(frame, budget, outputBytesMax);
    throw new CompressionError(`zstd: ${(e as Error).message}`);
  }
}

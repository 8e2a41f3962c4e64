/**
 * Bounded decompression through workerd's native zlib (node:zlib). Its
 * maxOutputLength is judged by an output buffer that grows 40 KiB at a
 * time, so it may refuse output just under the cap: it is given the cap
 * plus slack, and the exact length is judged here. Memory stays within
 * the cap plus the slack.
 */
import { gunzipSync, zstdDecompressSync } from "node:zlib";
import { pastLimit } from "./codec-support";

const SLACK_BYTES = 64 * 1024;

/**
 * `decode(bytes)` capped at `budget` bytes; throws the past-limit
 * CompressionError (naming `outputBytesMax`, the whole section's bound)
 * beyond it. Other failures propagate.
 */
function bounded(codec: string, decode: typeof gunzipSync, bytes: Uint8Array, budget: number, outputBytesMax: number): Uint8Array {
  let out: Uint8Array;
  try {
    out = decode(bytes, { maxOutputLength: budget + SLACK_BYTES });
  } catch (e) {
    // zlib signals its cap with a RangeError ("Memory limit exceeded").
    if (e instanceof RangeError) throw pastLimit(codec, outputBytesMax);
    throw e;
  }
  if (out.length > budget) throw pastLimit(codec, outputBytesMax);
  return plain(out);
}

/** gzip members (one or more) decompressed, at most `outputBytesMax` bytes. */
export function gunzipBounded(bytes: Uint8Array, outputBytesMax: number): Uint8Array {
  return bounded("gzip", gunzipSync, bytes, outputBytesMax, outputBytesMax);
}

/**
 * One zstd frame decompressed natively, at most `budget` bytes (what is
 * left of `outputBytesMax`). Native zstd decodes only the first frame of
 * its input, so callers hand it one frame at a time.
 */
export function zstdFrameBounded(frame: Uint8Array, budget: number, outputBytesMax: number): Uint8Array {
  return bounded("zstd", zstdDecompressSync, frame, budget, outputBytesMax);
}

/** A plain Uint8Array view of zlib's Buffer, so Buffer's own methods never leak out. */
export function plain(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

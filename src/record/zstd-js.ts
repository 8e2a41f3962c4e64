/**
 * zstd decoding in pure JavaScript (fzstd) and with no node: module: the
 * server's fallback for frames workerd's libzstd fails on (zstd.ts), and
 * the client's only zstd decoder (src/client/batch-decode.ts). Frames go
 * one by one, after zstd-frames.ts has checked each one's declared sizes.
 */
import { Decompress } from "fzstd";
import { concatBytes, joinBytes } from "../bytes/concat";
import { CompressionError, pastLimit } from "./codec-support";
import { zstdFrames } from "./zstd-frames";

/** Decodes one frame within `budget` bytes; throws CompressionError citing `outputBytesMax` (the whole section's bound). */
export type FrameDecoder = (frame: Uint8Array, budget: number, outputBytesMax: number) => Uint8Array;

/**
 * Decompresses one or more zstd frames, each with `decodeFrame` (default
 * fzstd) within what is left of `outputBytesMax` bytes. Throws
 * CompressionError when malformed or past the bound.
 */
export function zstdDecompressFrames(bytes: Uint8Array, outputBytesMax: number, decodeFrame: FrameDecoder = fzstdFrame): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const frame of zstdFrames(bytes, outputBytesMax)) {
    const part = decodeFrame(frame.bytes, outputBytesMax - total, outputBytesMax);
    parts.push(part);
    total += part.length;
  }
  return joinBytes(parts, total);
}

/** Thrown from fzstd's output callback to stop it at the bound. */
const STOP = new Error("past the bound");

/** One frame through fzstd, stopped as soon as its output passes `budget` bytes. */
export function fzstdFrame(frame: Uint8Array, budget: number, outputBytesMax: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  const decoder = new Decompress((chunk) => {
    total += chunk.length;
    if (total > budget) throw STOP;
    parts.push(chunk);
  });
  try {
    decoder.push(frame, true);
  } catch (e) {
    if (e === STOP) throw pastLimit("zstd", outputBytesMax);
    throw new CompressionError(`zstd: ${(e as Error).message}`);
  }
  return concatBytes(parts, total);
}

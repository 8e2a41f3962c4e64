/**
 * Snappy as Kafka clients write it. The Java client (xerial snappy-java's
 * SnappyOutputStream) frames raw snappy blocks: a 16-byte header (the
 * magic `\x82SNAPPY\0`, then version and compatible version as big-endian
 * int32s, both 1) and then blocks of at most 32 KiB of input, each a
 * big-endian int32 length and one raw snappy block. librdkafka writes raw
 * snappy, and every Kafka client reads both; so do we. We write xerial.
 * The raw codec is snappyjs.
 */
import { compress as compressRaw, uncompress as uncompressRaw } from "snappyjs";
import { concatBytes } from "../bytes/concat";
import { CompressionError, pastLimit } from "./codec-support";

const XERIAL_MAGIC = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00];
const XERIAL_HEADER_BYTES = 16;
const XERIAL_VERSION = 1;
/** snappy-java's default block size, which Kafka's producer uses. */
const XERIAL_BLOCK_BYTES = 32 * 1024;

/** `bytes` compressed as xerial-framed snappy. */
export function snappyCompress(bytes: Uint8Array): Uint8Array {
  const blocks: Uint8Array[] = [];
  let total = XERIAL_HEADER_BYTES;
  for (let start = 0; start < bytes.length; start += XERIAL_BLOCK_BYTES) {
    const block = compressRaw(bytes.subarray(start, start + XERIAL_BLOCK_BYTES));
    blocks.push(block);
    total += 4 + block.length;
  }
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(XERIAL_MAGIC, 0);
  view.setInt32(8, XERIAL_VERSION);
  view.setInt32(12, XERIAL_VERSION);
  let pos = XERIAL_HEADER_BYTES;
  for (const block of blocks) {
    view.setInt32(pos, block.length);
    out.set(block, pos + 4);
    pos += 4 + block.length;
  }
  return out;
}

/**
 * Decompresses xerial-framed or raw snappy. Throws CompressionError when
 * malformed or past `outputBytesMax` (judged by the declared lengths,
 * before anything is allocated).
 */
export function snappyDecompress(bytes: Uint8Array, outputBytesMax: number): Uint8Array {
  if (!isXerial(bytes)) return rawBlock(bytes, outputBytesMax, outputBytesMax);
  if (bytes.length < XERIAL_HEADER_BYTES) throw new CompressionError("snappy: xerial header cut short");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Uint8Array[] = [];
  let total = 0;
  let pos = XERIAL_HEADER_BYTES;
  while (pos < bytes.length) {
    if (pos + 4 > bytes.length) throw new CompressionError(`snappy: xerial block length at byte ${pos} cut short`);
    const length = view.getInt32(pos);
    pos += 4;
    if (length <= 0 || pos + length > bytes.length) throw new CompressionError(`snappy: xerial block of ${length} bytes at byte ${pos - 4} does not fit`);
    const part = rawBlock(bytes.subarray(pos, pos + length), outputBytesMax - total, outputBytesMax);
    parts.push(part);
    total += part.length;
    pos += length;
  }
  return concatBytes(parts, total);
}

function isXerial(bytes: Uint8Array): boolean {
  return bytes.length >= XERIAL_MAGIC.length && XERIAL_MAGIC.every((b, i) => bytes[i] === b);
}

/** One raw snappy block, refused before allocation when it declares more than `budget` (what is left of `outputBytesMax`). */
function rawBlock(block: Uint8Array, budget: number, outputBytesMax: number): Uint8Array {
  if (declaredLength(block) > budget) throw pastLimit("snappy", outputBytesMax);
  return uncompressRaw(block, budget);
}

/** The uncompressed length a raw snappy block starts with (a varint of at most 32 bits). */
function declaredLength(block: Uint8Array): number {
  let value = 0;
  for (let i = 0; i < 5 && i < block.length; i++) {
    const b = block[i]!;
    value += (b & 0x7f) * 2 ** (7 * i);
    if (b < 0x80) return value;
  }
  throw new CompressionError("snappy: block has no valid length");
}

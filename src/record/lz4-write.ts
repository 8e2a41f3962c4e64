/**
 * LZ4 frames as Kafka's Java producer writes them (KIP-57, Kafka ≥ 0.10):
 * independent 64 KiB blocks, a correct header checksum, no content size,
 * no checksums. lz4js compresses each block.
 */
import { compressBlock, compressBound } from "lz4js";
import { BLOCK_UNCOMPRESSED, FLG_BLOCK_INDEPENDENT, FLG_VERSION_1, headerChecksum, MAGIC } from "./lz4-frame";

/** Kafka's Java producer: independent blocks (FLG 0x60) of at most 64 KiB (BD 0x40). */
const WRITE_FLG = FLG_VERSION_1 | FLG_BLOCK_INDEPENDENT;
const WRITE_BD = 4 << 4;
const WRITE_BLOCK_BYTES = 64 * 1024;

/** Scratch space for compression, made on first use and reused: the Worker runs one call at a time. */
let work: { hashTable: Uint32Array; scratch: Uint8Array } | null = null;

/** `bytes` compressed as one LZ4 frame the way Kafka's Java producer writes it. */
export function lz4Compress(bytes: Uint8Array): Uint8Array {
  work ??= { hashTable: new Uint32Array(1 << 16), scratch: new Uint8Array(compressBound(WRITE_BLOCK_BYTES) + 16) };
  const { scratch } = work;
  const blocks = Math.ceil(bytes.length / WRITE_BLOCK_BYTES);
  const out = new Uint8Array(7 + blocks * (4 + scratch.length) + 4);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  out[4] = WRITE_FLG;
  out[5] = WRITE_BD;
  out[6] = headerChecksum(out, 4, 6);
  let pos = 7;
  for (let start = 0; start < bytes.length; start += WRITE_BLOCK_BYTES) {
    const length = Math.min(WRITE_BLOCK_BYTES, bytes.length - start);
    const size = compressConforming(bytes, start, length, work);
    if (size === 0 || size >= length) {
      view.setUint32(pos, (BLOCK_UNCOMPRESSED | length) >>> 0, true);
      out.set(bytes.subarray(start, start + length), pos + 4);
      pos += 4 + length;
    } else {
      view.setUint32(pos, size, true);
      out.set(scratch.subarray(0, size), pos + 4);
      pos += 4 + size;
    }
  }
  view.setUint32(pos, 0, true); // EndMark
  return out.subarray(0, pos + 4);
}

/**
 * LZ4 requires a block's last match to start at least 12 bytes before its
 * end (and its last 5 bytes to be literals); lz4js lets a match start 10
 * bytes before the end, which liblz4 and lz4-java refuse. So lz4js
 * compresses all but the block's last TAIL_BYTES, and those are added to
 * its final run of literals.
 */
const TAIL_BYTES = 4;
/** lz4js compresses nothing shorter (and LZ4 allows no match in a block under 13 bytes). */
const MIN_COMPRESSIBLE_BYTES = 13 + TAIL_BYTES;

/**
 * Compresses `src[start, start + length)` into the scratch space as one
 * independent, spec-conforming block; returns its size, or 0 when lz4js
 * found nothing to compress.
 */
function compressConforming(src: Uint8Array, start: number, length: number, { hashTable, scratch }: NonNullable<typeof work>): number {
  if (length < MIN_COMPRESSIBLE_BYTES) return 0;
  hashTable.fill(0); // independent blocks: no match may reach into the previous block
  const size = compressBlock(src, scratch, start, length - TAIL_BYTES, hashTable);
  if (size === 0) return 0;
  // The last sequence is literals only: rewrite it with TAIL_BYTES more.
  let pos = lastSequence(scratch, size);
  let literals = scratch[pos]! >>> 4;
  if (literals === 15) for (let i = pos + 1; ; i++) {
    literals += scratch[i]!;
    if (scratch[i] !== 255) break;
  }
  literals += TAIL_BYTES;
  scratch[pos++] = Math.min(literals, 15) << 4;
  if (literals >= 15) {
    let rest = literals - 15;
    for (; rest >= 255; rest -= 255) scratch[pos++] = 255;
    scratch[pos++] = rest;
  }
  scratch.set(src.subarray(start + length - literals, start + length), pos);
  return pos + literals;
}

/** Where the last sequence of a block lz4js wrote (`block[0, size)`) starts. */
function lastSequence(block: Uint8Array, size: number): number {
  let pos = 0;
  let last = 0;
  while (pos < size) {
    last = pos;
    const token = block[pos++]!;
    let literals = token >>> 4;
    if (literals === 15) for (let b = 255; b === 255; literals += b) b = block[pos++]!;
    pos += literals;
    if (pos >= size) break;
    pos += 2; // match offset
    if ((token & 15) === 15) while (block[pos++] === 255);
  }
  return last;
}

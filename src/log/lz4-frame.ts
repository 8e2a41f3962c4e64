/**
 * LZ4 as Kafka (≥ 0.10, KIP-57) frames it: the LZ4 frame format with a
 * correct header checksum. We write what the Java client writes:
 * independent 64 KiB blocks, no content size, no checksums. We read any
 * frame (linked or independent blocks, any block size, optional content
 * size and checksums, several frames, skippable frames), checking every
 * checksum present. lz4js does the block coding; each compressed block is
 * first walked here so that lz4js only ever decodes a block whose
 * sequences stay inside it and whose output is within bounds (lz4js
 * checks neither, so a hostile block could spin on lengths for seconds).
 */
import { compressBlock, compressBound, decompressBlock } from "lz4js";
import { hash as xxh32 } from "lz4js/xxh32.js";
import { assert } from "../errors";
import { CompressionError, pastLimit } from "./codec-support";

const MAGIC = 0x184d2204;
const SKIPPABLE_MAGIC_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const FLG_VERSION_MASK = 0xc0;
const FLG_VERSION_1 = 0x40;
const FLG_BLOCK_INDEPENDENT = 0x20;
const FLG_BLOCK_CHECKSUM = 0x10;
const FLG_CONTENT_SIZE = 0x08;
const FLG_CONTENT_CHECKSUM = 0x04;
const FLG_RESERVED = 0x02;
const FLG_DICT_ID = 0x01;
const BLOCK_UNCOMPRESSED = 0x80000000;

/** Kafka's Java producer: independent blocks (FLG 0x60) of at most 64 KiB (BD 0x40). */
const WRITE_FLG = FLG_VERSION_1 | FLG_BLOCK_INDEPENDENT;
const WRITE_BD = 4 << 4;
const WRITE_BLOCK_BYTES = 64 * 1024;

// Scratch space for compression, reused: the Worker runs one call at a time.
const hashTable = new Uint32Array(1 << 16);
const scratch = new Uint8Array(compressBound(WRITE_BLOCK_BYTES) + 16);

/** `bytes` compressed as one LZ4 frame the way Kafka's Java producer writes it. */
export function lz4Compress(bytes: Uint8Array): Uint8Array {
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
    const size = compressConforming(bytes, start, length);
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
 * Compresses `src[start, start + length)` into `scratch` as one
 * independent, spec-conforming block; returns its size, or 0 when lz4js
 * found nothing to compress.
 */
function compressConforming(src: Uint8Array, start: number, length: number): number {
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

/** The frame descriptor's checksum byte: the second byte of xxHash32 over FLG..(before HC). */
function headerChecksum(bytes: Uint8Array, start: number, end: number): number {
  return (xxh32(0, bytes, start, end - start) >>> 8) & 0xff;
}

interface Block {
  /** Where the block's data starts in the input, and its stored length. */
  start: number;
  length: number;
  compressed: boolean;
  /** Bytes it decodes to. */
  outBytes: number;
}

interface Frame {
  blocks: Block[];
  outBytes: number;
  /** xxHash32 of the frame's content, when the frame carries one. */
  contentChecksum: number | null;
}

/**
 * Decompresses one or more LZ4 frames. Throws CompressionError when
 * malformed, when a checksum does not match, or past `outputBytesMax`.
 */
export function lz4Decompress(bytes: Uint8Array, outputBytesMax: number): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const frames: Frame[] = [];
  let total = 0;
  let pos = 0;
  do {
    if (pos + 4 > bytes.length) throw new CompressionError("lz4: frame cut short");
    const magic = view.getUint32(pos, true);
    if (((magic & SKIPPABLE_MAGIC_MASK) >>> 0) === SKIPPABLE_MAGIC) {
      if (pos + 8 > bytes.length) throw new CompressionError("lz4: skippable frame cut short");
      pos += 8 + view.getUint32(pos + 4, true);
      if (pos > bytes.length) throw new CompressionError("lz4: skippable frame runs past the end");
      continue;
    }
    if (magic !== MAGIC) throw new CompressionError(`lz4: no LZ4 frame at byte ${pos} (magic 0x${magic.toString(16)})`);
    const frame: Frame = { blocks: [], outBytes: 0, contentChecksum: null };
    pos = readFrame(bytes, view, pos + 4, frame, outputBytesMax - total, outputBytesMax);
    frames.push(frame);
    total += frame.outBytes;
  } while (pos < bytes.length);
  return decodeFrames(bytes, frames, total);
}

/**
 * Reads and checks one frame after its magic, which may decode to at most
 * `budget` bytes (what is left of `outputBytesMax`); returns the position
 * after it.
 */
function readFrame(bytes: Uint8Array, view: DataView, pos: number, frame: Frame, budget: number, outputBytesMax: number): number {
  if (pos + 3 > bytes.length) throw new CompressionError("lz4: frame descriptor cut short");
  const flg = bytes[pos]!;
  const bd = bytes[pos + 1]!;
  if ((flg & FLG_VERSION_MASK) !== FLG_VERSION_1) throw new CompressionError(`lz4: frame version ${flg >> 6} is not 1`);
  if ((flg & (FLG_RESERVED | FLG_DICT_ID)) !== 0) throw new CompressionError("lz4: reserved flag or dictionary id set");
  const sizeId = (bd >> 4) & 7;
  if ((bd & 0x8f) !== 0 || sizeId < 4) throw new CompressionError(`lz4: bad block descriptor 0x${bd.toString(16)}`);
  const blockMax = 1 << (2 * sizeId + 8);
  const descriptorEnd = pos + 2 + (flg & FLG_CONTENT_SIZE ? 8 : 0);
  if (descriptorEnd + 1 > bytes.length) throw new CompressionError("lz4: frame descriptor cut short");
  if (headerChecksum(bytes, pos, descriptorEnd) !== bytes[descriptorEnd]) throw new CompressionError("lz4: frame descriptor checksum mismatch");
  const declared = flg & FLG_CONTENT_SIZE ? view.getUint32(pos + 2, true) + view.getUint32(pos + 6, true) * 2 ** 32 : -1;
  if (declared > budget) throw pastLimit("lz4", outputBytesMax);
  const linked = (flg & FLG_BLOCK_INDEPENDENT) === 0;
  const blockChecksums = (flg & FLG_BLOCK_CHECKSUM) !== 0;
  pos = descriptorEnd + 1;
  for (;;) {
    if (pos + 4 > bytes.length) throw new CompressionError("lz4: block size cut short");
    const word = view.getUint32(pos, true);
    pos += 4;
    if (word === 0) break; // EndMark
    const length = (word & ~BLOCK_UNCOMPRESSED) >>> 0;
    const compressed = (word & BLOCK_UNCOMPRESSED) === 0;
    if (length > blockMax || pos + length + (blockChecksums ? 4 : 0) > bytes.length) {
      throw new CompressionError(`lz4: block of ${length} bytes at byte ${pos - 4} does not fit`);
    }
    if (blockChecksums && xxh32(0, bytes, pos, length) !== view.getUint32(pos + length, true)) throw new CompressionError("lz4: block checksum mismatch");
    const history = linked ? frame.outBytes : 0;
    const outBytes = compressed ? blockOutputBytes(bytes, pos, pos + length, history, budget - frame.outBytes) : length;
    if (frame.outBytes + outBytes > budget) throw pastLimit("lz4", outputBytesMax);
    if (outBytes > blockMax) throw new CompressionError(`lz4: block decodes to ${outBytes} bytes, past its frame's ${blockMax}`);
    frame.blocks.push({ start: pos, length, compressed, outBytes });
    frame.outBytes += outBytes;
    pos += length + (blockChecksums ? 4 : 0);
  }
  if (declared >= 0 && declared !== frame.outBytes) throw new CompressionError(`lz4: frame declares ${declared} bytes but holds ${frame.outBytes}`);
  if (flg & FLG_CONTENT_CHECKSUM) {
    if (pos + 4 > bytes.length) throw new CompressionError("lz4: content checksum cut short");
    frame.contentChecksum = view.getUint32(pos, true);
    pos += 4;
  }
  return pos;
}

/**
 * Bytes one compressed block decodes to, walking its sequences without
 * copying. Throws unless every literal run stays inside the block, every
 * match refers back to output that exists (`history` bytes of earlier
 * blocks plus this block's). Stops early, returning more than `budget`,
 * once the output passes it.
 */
function blockOutputBytes(src: Uint8Array, pos: number, end: number, history: number, budget: number): number {
  let out = 0;
  while (pos < end) {
    const token = src[pos++]!;
    let literals = token >>> 4;
    if (literals === 15) {
      let b: number;
      do {
        if (pos >= end) throw new CompressionError("lz4: literal length cut short");
        b = src[pos++]!;
        literals += b;
      } while (b === 255);
    }
    if (literals > end - pos) throw new CompressionError("lz4: literals run past their block");
    pos += literals;
    out += literals;
    if (out > budget) return out;
    if (pos >= end) break; // the last sequence has literals only
    if (pos + 2 > end) throw new CompressionError("lz4: match offset cut short");
    const offset = src[pos]! | (src[pos + 1]! << 8);
    pos += 2;
    if (offset === 0 || offset > history + out) throw new CompressionError("lz4: match refers before the start of the output");
    let length = token & 15;
    if (length === 15) {
      let b: number;
      do {
        if (pos >= end) throw new CompressionError("lz4: match length cut short");
        b = src[pos++]!;
        length += b;
      } while (b === 255);
    }
    out += length + 4;
    if (out > budget) return out; // the caller names the limit
  }
  return out;
}

/** Decodes checked frames into one array of `total` bytes. */
function decodeFrames(bytes: Uint8Array, frames: Frame[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const frame of frames) {
    const frameStart = at;
    for (const block of frame.blocks) {
      if (block.compressed) {
        const end = decompressBlock(bytes, out, block.start, block.length, at);
        assert(end === at + block.outBytes, `lz4 block decoded to ${end - at} bytes, walked as ${block.outBytes}`);
      } else {
        out.set(bytes.subarray(block.start, block.start + block.length), at);
      }
      at += block.outBytes;
    }
    if (frame.contentChecksum !== null && xxh32(0, out, frameStart, at - frameStart) !== frame.contentChecksum) {
      throw new CompressionError("lz4: content checksum mismatch");
    }
  }
  return out;
}

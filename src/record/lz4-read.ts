/**
 * Reading LZ4 frames: any frame (linked or independent blocks, any block
 * size, optional content size and checksums, several frames, skippable
 * frames), checking every checksum present. Each compressed block is
 * first walked here so that lz4js only ever decodes a block whose
 * sequences stay inside it and whose output is within bounds (lz4js
 * checks neither, so a hostile block could spin on lengths for seconds).
 */
import { decompressBlock } from "lz4js";
import { assert } from "../errors";
import { CompressionError, pastLimit } from "./codec-support";
import {
  BLOCK_UNCOMPRESSED, FLG_BLOCK_CHECKSUM, FLG_BLOCK_INDEPENDENT, FLG_CONTENT_CHECKSUM, FLG_CONTENT_SIZE, FLG_DICT_ID, FLG_RESERVED,
  FLG_VERSION_1, FLG_VERSION_MASK, headerChecksum, MAGIC, SKIPPABLE_MAGIC, SKIPPABLE_MAGIC_MASK, xxh32,
} from "./lz4-frame";

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

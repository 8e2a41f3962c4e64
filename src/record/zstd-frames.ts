/**
 * Splitting a zstd stream into its frames (RFC 8878) by walking frame and
 * block headers only, checking what each frame declares before a decoder
 * allocates for it: its content size against the output bound, and its
 * window (the decoder allocates a window's worth) against that bound or
 * 8 MiB, whichever is more (Kafka's Java producer uses 2 MiB windows).
 * Skippable frames are dropped; bytes that are not a frame are refused.
 */
import { CompressionError, pastLimit } from "./codec-support";

const MAGIC = 0xfd2fb528;
const SKIPPABLE_MAGIC_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const BLOCK_TYPE_RLE = 1;
const BLOCK_TYPE_RESERVED = 3;
const FCS_BYTES = [0, 2, 4, 8];
const DICT_ID_BYTES = [0, 1, 2, 4];
const WINDOW_BYTES_FLOOR = 8 * 1024 * 1024;

export interface ZstdFrame {
  bytes: Uint8Array;
  /** Declared content size, or null when the frame does not say. */
  contentBytes: number | null;
}

/**
 * The zstd frames of `bytes`, in order, without skippable frames. Throws
 * CompressionError when malformed, or when a frame declares content past
 * `outputBytesMax` or a window past it (or past 8 MiB, when more).
 */
export function zstdFrames(bytes: Uint8Array, outputBytesMax: number): ZstdFrame[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const frames: ZstdFrame[] = [];
  let declared = 0;
  let pos = 0;
  do {
    if (pos + 4 > bytes.length) throw new CompressionError("zstd: frame cut short");
    const magic = view.getUint32(pos, true);
    if (((magic & SKIPPABLE_MAGIC_MASK) >>> 0) === SKIPPABLE_MAGIC) {
      if (pos + 8 > bytes.length) throw new CompressionError("zstd: skippable frame cut short");
      pos += 8 + view.getUint32(pos + 4, true);
      if (pos > bytes.length) throw new CompressionError("zstd: skippable frame runs past the end");
      continue;
    }
    if (magic !== MAGIC) throw new CompressionError(`zstd: no zstd frame at byte ${pos} (magic 0x${magic.toString(16)})`);
    const header = readHeader(bytes, view, pos + 4);
    declared += header.contentBytes ?? 0;
    if (declared > outputBytesMax) throw pastLimit("zstd", outputBytesMax);
    const windowMax = Math.max(outputBytesMax, WINDOW_BYTES_FLOOR);
    if (header.windowBytes > windowMax) throw new CompressionError(`zstd: frame window of ${header.windowBytes} bytes is past ${windowMax} bytes`);
    const end = blocksEnd(bytes, header.blocksStart, header.checksum);
    frames.push({ bytes: bytes.subarray(pos, end), contentBytes: header.contentBytes });
    pos = end;
  } while (pos < bytes.length);
  return frames;
}

interface FrameHeader {
  blocksStart: number;
  contentBytes: number | null;
  windowBytes: number;
  checksum: boolean;
}

/** The frame header starting at `pos` (after the magic). */
function readHeader(bytes: Uint8Array, view: DataView, pos: number): FrameHeader {
  if (pos >= bytes.length) throw new CompressionError("zstd: frame header cut short");
  const descriptor = bytes[pos]!;
  if (descriptor & 0x08) throw new CompressionError("zstd: reserved frame header bit set");
  const singleSegment = (descriptor & 0x20) !== 0;
  const fcsFlag = descriptor >> 6;
  const fcsBytes = fcsFlag === 0 && singleSegment ? 1 : FCS_BYTES[fcsFlag]!;
  let at = pos + 1;
  const windowDescriptor = singleSegment ? -1 : bytes[at++]!;
  at += DICT_ID_BYTES[descriptor & 3]!;
  if (at + fcsBytes > bytes.length) throw new CompressionError("zstd: frame header cut short");
  let contentBytes: number | null = null;
  if (fcsBytes === 1) contentBytes = bytes[at]!;
  else if (fcsBytes === 2) contentBytes = view.getUint16(at, true) + 256;
  else if (fcsBytes === 4) contentBytes = view.getUint32(at, true);
  else if (fcsBytes === 8) contentBytes = view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
  let windowBytes = contentBytes ?? 0;
  if (windowDescriptor >= 0) {
    const base = 2 ** (10 + (windowDescriptor >> 3));
    windowBytes = base + (base / 8) * (windowDescriptor & 7);
  }
  return { blocksStart: at + fcsBytes, contentBytes, windowBytes, checksum: (descriptor & 0x04) !== 0 };
}

/** Where the blocks starting at `pos` end, content checksum included. */
function blocksEnd(bytes: Uint8Array, pos: number, checksum: boolean): number {
  for (;;) {
    if (pos + 3 > bytes.length) throw new CompressionError("zstd: block header cut short");
    const header = bytes[pos]! | (bytes[pos + 1]! << 8) | (bytes[pos + 2]! << 16);
    const type = (header >> 1) & 3;
    if (type === BLOCK_TYPE_RESERVED) throw new CompressionError("zstd: reserved block type");
    pos += 3 + (type === BLOCK_TYPE_RLE ? 1 : header >>> 3);
    if (pos > bytes.length) throw new CompressionError("zstd: block runs past the end");
    if (header & 1) break; // the last block
  }
  if (checksum) pos += 4;
  if (pos > bytes.length) throw new CompressionError("zstd: content checksum cut short");
  return pos;
}

/**
 * The LZ4 frame format's constants and header checksum, shared by
 * lz4-write.ts (frames as Kafka's Java producer writes them) and
 * lz4-read.ts (any frame, checked before lz4js decodes it).
 */
import { hash as xxh32 } from "lz4js/xxh32.js";

export { xxh32 };

export const MAGIC = 0x184d2204;
export const SKIPPABLE_MAGIC_MASK = 0xfffffff0;
export const SKIPPABLE_MAGIC = 0x184d2a50;
/** FLG, the frame descriptor's first byte. */
export const FLG_VERSION_MASK = 0xc0;
export const FLG_VERSION_1 = 0x40;
export const FLG_BLOCK_INDEPENDENT = 0x20;
export const FLG_BLOCK_CHECKSUM = 0x10;
export const FLG_CONTENT_SIZE = 0x08;
export const FLG_CONTENT_CHECKSUM = 0x04;
export const FLG_RESERVED = 0x02;
export const FLG_DICT_ID = 0x01;
/** The high bit of a block size: the block is stored uncompressed. */
export const BLOCK_UNCOMPRESSED = 0x80000000;

/** The frame descriptor's checksum byte: the second byte of xxHash32 over FLG..(before HC). */
export function headerChecksum(bytes: Uint8Array, start: number, end: number): number {
  return (xxh32(0, bytes, start, end - start) >>> 8) & 0xff;
}


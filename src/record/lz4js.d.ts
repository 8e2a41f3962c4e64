// lz4js's xxHash32, used for the LZ4 frame's checksums (its block codec is typed by @types/lz4js).
declare module "lz4js/xxh32.js" {
  /** xxHash32 of `src[index, index + length)` with `seed`, as an unsigned 32-bit integer. */
  export function hash(seed: number, src: Uint8Array, index: number, length: number): number;
}

/**
 * Kafka's cleaner offset map: the latest offset of each key in the part of
 * the dirty section read so far, bounded in bytes. Keys are kept exactly
 * (Kafka keeps an MD5 of each), so two keys never collide.
 */
import { limits } from "../limits";

export class OffsetMap {
  private readonly offsets = new Map<string, number>();
  private bytes = 0;
  /**
   * The last offset the map covers (inclusive): every keyed record at or
   * below it and at or after the dirty section's start is in the map.
   * Records past it are never judged by the map. -1 until a batch is read.
   */
  latestOffset = -1;

  /** `bytesMax` (default `limits.cleanerOffsetMapBytesMax`): keys' bytes plus the per-key overhead. */
  constructor(readonly bytesMax: number = limits.cleanerOffsetMapBytesMax) {}

  get size(): number {
    return this.offsets.size;
  }

  /** The latest offset of `key` the map holds, or -1. */
  get(key: Uint8Array): number {
    return this.offsets.get(keyString(key)) ?? -1;
  }

  /**
   * Whether `keys` (of one batch) fit besides what the map holds. An empty
   * map takes any batch, so a pass always makes progress.
   */
  fits(keys: Uint8Array[]): boolean {
    if (this.offsets.size === 0) return true;
    let more = 0;
    for (const k of keys) if (!this.offsets.has(keyString(k))) more += k.length + limits.cleanerOffsetMapEntryOverheadBytes;
    return this.bytes + more <= this.bytesMax;
  }

  /** Records `offset` as the latest of `key` (offsets come in increasing order). */
  put(key: Uint8Array, offset: number): void {
    const k = keyString(key);
    if (!this.offsets.has(k)) this.bytes += key.length + limits.cleanerOffsetMapEntryOverheadBytes;
    this.offsets.set(k, offset);
  }
}

/** The key's bytes as a string of char codes 0-255: an exact, compact Map key. */
function keyString(key: Uint8Array): string {
  let out = "";
  for (let i = 0; i < key.length; i += 8192) out += String.fromCharCode(...key.subarray(i, i + 8192));
  return out;
}

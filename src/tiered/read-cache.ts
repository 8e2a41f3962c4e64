/**
 * A replica's small cache of remote reads: ranges of segment objects as
 * fetched, at most `maxBytes` in all, the least recently used going first.
 * A consumer reading a remote segment from its start fetches a range
 * once and is served the following reads from here.
 */

/** A cached range of an object: `bytes` from byte `start`. */
export interface CachedRange {
  objectKey: string;
  start: number;
  bytes: Uint8Array;
}

export class ReadCache {
  /** Least recently used first. */
  private readonly ranges: CachedRange[] = [];
  private heldBytes = 0;

  /** `maxBytes`: most bytes held (`limits.remoteReadCacheBytesMax`). */
  constructor(private readonly maxBytes: number) {}

  /** A cached range of `objectKey` holding bytes [from, to), made the most recently used; or null. */
  find(objectKey: string, from: number, to: number): CachedRange | null {
    const i = this.ranges.findIndex((r) => r.objectKey === objectKey && r.start <= from && r.start + r.bytes.length >= to);
    if (i < 0) return null;
    const [hit] = this.ranges.splice(i, 1);
    this.ranges.push(hit!);
    return hit!;
  }

  /** Keeps a fetched range, dropping the least recently used ones past the bound (a range larger than the bound is not kept). */
  add(range: CachedRange): void {
    if (range.bytes.length > this.maxBytes) return;
    this.ranges.push(range);
    this.heldBytes += range.bytes.length;
    while (this.heldBytes > this.maxBytes) this.heldBytes -= this.ranges.shift()!.bytes.length;
  }

  /** Forgets every range of `objectKey` (its segment was deleted or replaced). */
  forget(objectKey: string): void {
    for (let i = this.ranges.length - 1; i >= 0; i--) {
      if (this.ranges[i]!.objectKey === objectKey) this.heldBytes -= this.ranges.splice(i, 1)[0]!.bytes.length;
    }
  }

  /** Bytes held now. */
  get sizeBytes(): number {
    return this.heldBytes;
  }
}

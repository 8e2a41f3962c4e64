/**
 * Writing Kafka protocol primitives into a response. Small fields go into
 * a growing scratch buffer; large byte fields (record batches) are kept
 * by reference as their own chunks, so a fetch response is never copied
 * to be framed.
 */
import { assert } from "../../errors";
import { concatBytes } from "../../bytes/concat";

const utf8 = new TextEncoder();
/** Byte fields at least this long are kept by reference instead of copied. */
const BY_REFERENCE_BYTES = 4096;

export class Writer {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  private pos = 0;
  private readonly chunks: Uint8Array[] = [];
  private chunkedBytes = 0;

  /** Bytes written so far. */
  get length(): number {
    return this.chunkedBytes + this.pos;
  }

  private room(n: number): number {
    if (this.pos + n > this.buf.length) {
      const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
      next.set(this.buf.subarray(0, this.pos));
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  int8(v: number): this {
    const at = this.room(1); // may replace this.view: take the position first
    this.view.setInt8(at, v);
    return this;
  }

  int16(v: number): this {
    const at = this.room(2); // may replace this.view: take the position first
    this.view.setInt16(at, v);
    return this;
  }

  int32(v: number): this {
    const at = this.room(4); // may replace this.view: take the position first
    this.view.setInt32(at, v);
    return this;
  }

  /** A signed 64-bit integer from a number (exact within ±2^53). */
  int64(v: number): this {
    assert(Number.isSafeInteger(v), `int64 ${v} is a safe integer`);
    const at = this.room(8);
    const hi = Math.floor(v / 4294967296);
    this.view.setInt32(at, hi);
    this.view.setUint32(at + 4, v - hi * 4294967296);
    return this;
  }

  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }

  /** An int16-length string; null is written as -1. */
  string(s: string | null): this {
    if (s === null) return this.int16(-1);
    const bytes = utf8.encode(s);
    assert(bytes.length <= 0x7fff, "string fits an int16 length");
    this.int16(bytes.length);
    return this.raw(bytes);
  }

  /** Bytes with an int32 length; null is written as -1. */
  bytes(b: Uint8Array | null): this {
    if (b === null) return this.int32(-1);
    this.int32(b.length);
    return this.raw(b);
  }

  /** Bytes of several parts with one int32 length, each part kept as it is. */
  bytesOf(parts: Uint8Array[]): this {
    this.int32(parts.reduce((n, p) => n + p.length, 0));
    for (const p of parts) this.raw(p);
    return this;
  }

  /** An int32-count array; null is written as -1. */
  array<T>(items: readonly T[] | null, item: (w: Writer, v: T) => void): this {
    if (items === null) return this.int32(-1);
    this.int32(items.length);
    for (const v of items) item(this, v);
    return this;
  }

  /** An unsigned varint. */
  uvarint(v: number): this {
    assert(Number.isInteger(v) && v >= 0 && v <= 0xffffffff, `uvarint ${v} in range`);
    while (v >= 0x80) {
      this.byte((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    return this.byte(v);
  }

  /** A zigzag varint. */
  varint(v: number): this {
    return this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  /** A compact string (length + 1); null is written as 0. */
  compactString(s: string | null): this {
    if (s === null) return this.uvarint(0);
    const bytes = utf8.encode(s);
    this.uvarint(bytes.length + 1);
    return this.raw(bytes);
  }

  /** A compact array (count + 1); null is written as 0. */
  compactArray<T>(items: readonly T[] | null, item: (w: Writer, v: T) => void): this {
    if (items === null) return this.uvarint(0);
    this.uvarint(items.length + 1);
    for (const v of items) item(this, v);
    return this;
  }

  /** An empty tagged-fields section. */
  noTaggedFields(): this {
    return this.uvarint(0);
  }

  /** Bytes as they are, without a length. */
  raw(b: Uint8Array): this {
    if (b.length >= BY_REFERENCE_BYTES) {
      this.flushScratch();
      this.chunks.push(b);
      this.chunkedBytes += b.length;
    } else {
      const at = this.room(b.length); // may replace this.buf: take the position first
      this.buf.set(b, at);
    }
    return this;
  }

  private byte(v: number): this {
    const at = this.room(1);
    this.buf[at] = v;
    return this;
  }

  private flushScratch(): void {
    if (this.pos === 0) return;
    this.chunks.push(this.buf.subarray(0, this.pos));
    this.chunkedBytes += this.pos;
    this.buf = new Uint8Array(256);
    this.view = new DataView(this.buf.buffer);
    this.pos = 0;
  }

  /** Everything written, as chunks in order (the writer is done after this). */
  finish(): Uint8Array[] {
    this.flushScratch();
    return this.chunks;
  }

  /** Everything written, as one array (tests and small responses). */
  toBytes(): Uint8Array {
    const chunks = this.finish();
    return chunks.length === 1 ? chunks[0]! : concatBytes(chunks);
  }
}

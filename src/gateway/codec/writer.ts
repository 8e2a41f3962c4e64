/**
 * Writing Kafka protocol primitives, as the generated encoders call them.
 * Small fields go into a growing scratch buffer; large byte fields (record
 * batches) are kept by reference as their own chunks, so a fetch response
 * is never copied to be framed. `compact` is the flexible versions'
 * encoding (KIP-482: unsigned varint length or count + 1, 0 for null).
 * Writing what the protocol cannot carry (a null where the version allows
 * none, a string over 32,767 bytes, an unsafe int64) is a bug: it throws.
 */
import { concatBytes } from "../../bytes/concat";
import { assert } from "../../errors";

const utf8 = new TextEncoder();
/** Byte fields at least this long are kept by reference instead of copied. */
const BY_REFERENCE_BYTES = 4096;
/** Kafka's longest string. */
const STRING_BYTES_MAX = 0x7fff;

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
    const at = this.room(2);
    this.view.setInt16(at, v);
    return this;
  }

  uint16(v: number): this {
    const at = this.room(2);
    this.view.setUint16(at, v);
    return this;
  }

  int32(v: number): this {
    const at = this.room(4);
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

  float64(v: number): this {
    const at = this.room(8);
    this.view.setFloat64(at, v);
    return this;
  }

  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }

  /** A UUID given as Kafka prints one (22 characters of URL-safe base64). */
  uuid(s: string): this {
    const bytes = Buffer.from(s, "base64url");
    assert(bytes.length === 16 && s.length === 22, `uuid ${s} is 16 bytes in URL-safe base64`);
    return this.raw(bytes);
  }

  /** An unsigned varint of at most 32 bits. */
  uvarint(v: number): this {
    assert(Number.isInteger(v) && v >= 0 && v <= 0xffffffff, `uvarint ${v} in range`);
    while (v >= 0x80) {
      this.byte((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    return this.byte(v);
  }

  /** A string, or null (-1, or 0 when compact). */
  string(s: string | null, compact: boolean): this {
    if (s === null) return compact ? this.uvarint(0) : this.int16(-1);
    const bytes = utf8.encode(s);
    assert(bytes.length <= STRING_BYTES_MAX, "string fits Kafka's 32,767 bytes");
    if (compact) this.uvarint(bytes.length + 1);
    else this.int16(bytes.length);
    return this.raw(bytes);
  }

  /** Bytes, or null (-1, or 0 when compact). */
  bytes(b: Uint8Array | null, compact: boolean): this {
    if (b === null) return compact ? this.uvarint(0) : this.int32(-1);
    if (compact) this.uvarint(b.length + 1);
    else this.int32(b.length);
    return this.raw(b);
  }

  /** An array, or null (-1, or 0 when compact). */
  array<T>(items: readonly T[] | null, compact: boolean, item: (w: Writer, v: T) => void): this {
    if (items === null) return compact ? this.uvarint(0) : this.int32(-1);
    if (compact) this.uvarint(items.length + 1);
    else this.int32(items.length);
    for (const v of items) item(this, v);
    return this;
  }

  /** A tagged field: its tag, its size and its value, as `value` writes it. */
  tagged(tag: number, value: (w: Writer) => void): this {
    const inner = new Writer();
    value(inner);
    const bytes = inner.toBytes();
    return this.uvarint(tag).uvarint(bytes.length).raw(bytes);
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

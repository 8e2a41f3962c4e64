/**
 * Reading Kafka protocol primitives from one request frame, as the
 * generated decoders call them. Every read is bounds-checked: a field that
 * runs past the frame, a negative length other than -1 (null), a null
 * where the version allows none, a string over 32,767 bytes or not UTF-8,
 * or an array whose count the bytes left could not hold (at `minItemBytes`
 * a item) throws a `ProtocolError`, and the connection that sent it is
 * closed — before anything is allocated for it. Flexible versions
 * (KIP-482) write lengths and counts as unsigned varints of length + 1
 * (0 meaning null). int64 fields come back as JavaScript numbers: exact
 * within ±2^53, which holds every offset Runnel hands out (larger values
 * only ever compare as out of range).
 */

/** A request that does not parse: the frame is refused and its connection closed. */
export class ProtocolError extends Error {
  override name = "ProtocolError";
}

/** Kafka's longest string (its length is an int16, or Short.MAX_VALUE in compact form). */
const STRING_BYTES_MAX = 0x7fff;

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export class Reader {
  private readonly view: DataView;
  pos: number;

  constructor(
    readonly buf: Uint8Array,
    start = 0,
    /** Exclusive end of readable bytes. */
    readonly end = buf.length,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = start;
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /** Takes `n` bytes, returning where they start. */
  need(n: number, what: string): number {
    if (n < 0 || this.pos + n > this.end) throw new ProtocolError(`${what} runs past the end of the request (${this.remaining} bytes left, ${n} needed)`);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  int8(): number {
    return this.view.getInt8(this.need(1, "int8"));
  }

  int16(): number {
    return this.view.getInt16(this.need(2, "int16"));
  }

  uint16(): number {
    return this.view.getUint16(this.need(2, "uint16"));
  }

  int32(): number {
    return this.view.getInt32(this.need(4, "int32"));
  }

  /** A signed 64-bit integer as a number (exact within ±2^53). */
  int64(): number {
    const at = this.need(8, "int64");
    return this.view.getInt32(at) * 4294967296 + this.view.getUint32(at + 4);
  }

  float64(): number {
    return this.view.getFloat64(this.need(8, "float64"));
  }

  bool(): boolean {
    return this.int8() !== 0;
  }

  /** A UUID, as Kafka prints one: 22 characters of URL-safe base64. */
  uuid(): string {
    const at = this.need(16, "uuid");
    return Buffer.from(this.buf.buffer, this.buf.byteOffset + at, 16).toString("base64url");
  }

  /** An unsigned varint of at most 32 bits (flexible versions' lengths and tags). */
  uvarint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 5; i++) {
      const b = this.buf[this.need(1, "varint")]!;
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (value > 0xffffffff) break;
        return value;
      }
      scale *= 128;
    }
    throw new ProtocolError("unsigned varint longer than 32 bits");
  }

  /** A string that may not be null: int16 length, or (`compact`) unsigned varint length + 1. */
  string(compact: boolean): string {
    const s = this.nullableString(compact);
    if (s === null) throw new ProtocolError("a string that may not be null is null");
    return s;
  }

  nullableString(compact: boolean): string | null {
    const length = compact ? this.uvarint() - 1 : this.int16();
    if (length === -1) return null;
    if (length < -1 || length > STRING_BYTES_MAX) throw new ProtocolError(`string length ${length}`);
    const at = this.need(length, "string");
    try {
      return utf8.decode(this.buf.subarray(at, at + length));
    } catch {
      throw new ProtocolError("string is not UTF-8");
    }
  }

  /** Bytes that may not be null: int32 length, or (`compact`) unsigned varint length + 1. Shares memory with the frame. */
  bytes(compact: boolean): Uint8Array {
    const b = this.nullableBytes(compact);
    if (b === null) throw new ProtocolError("bytes that may not be null are null");
    return b;
  }

  nullableBytes(compact: boolean): Uint8Array | null {
    const length = compact ? this.uvarint() - 1 : this.int32();
    if (length === -1) return null;
    if (length < -1) throw new ProtocolError(`bytes length ${length}`);
    const at = this.need(length, "bytes");
    return this.buf.subarray(at, at + length);
  }

  /** An array that may not be null: int32 count, or (`compact`) unsigned varint count + 1. */
  array<T>(compact: boolean, item: (r: Reader) => T, minItemBytes: number): T[] {
    const a = this.nullableArray(compact, item, minItemBytes);
    if (a === null) throw new ProtocolError("an array that may not be null is null");
    return a;
  }

  nullableArray<T>(compact: boolean, item: (r: Reader) => T, minItemBytes: number): T[] | null {
    const count = compact ? this.uvarint() - 1 : this.int32();
    if (count === -1) return null;
    // A count the bytes left could not hold is a lie, refused before allocating.
    if (count < -1 || count * minItemBytes > this.remaining) throw new ProtocolError(`array count ${count} with ${this.remaining} bytes left`);
    const out = new Array<T>(count);
    for (let i = 0; i < count; i++) out[i] = item(this);
    return out;
  }

  /** A nullable struct's marker (int8: -1 null, else present). */
  present(): boolean {
    return this.int8() >= 0;
  }

  /** Where a tagged field of `size` bytes ends; its value must end exactly there (`endOf`). */
  fieldEnd(size: number): number {
    if (size > this.remaining) throw new ProtocolError(`tagged field of ${size} bytes with ${this.remaining} bytes left`);
    return this.pos + size;
  }

  /** Checks that a tagged field's value took exactly its size. */
  endOf(end: number, what: string): void {
    if (this.pos !== end) throw new ProtocolError(`tagged field ${what} is not the size it says`);
  }

  /** `n` bytes as they are (an unknown tagged field's value). */
  raw(n: number): Uint8Array {
    const at = this.need(n, "tagged field");
    return this.buf.subarray(at, at + n);
  }
}

/**
 * Reading Kafka protocol primitives from one request frame. Every read is
 * bounds-checked: a field that runs past the frame, a negative length
 * other than -1 (null), or an array longer than the bytes left could hold
 * throws a `ProtocolError`, and the connection that sent it is closed.
 * int64 fields come back as JavaScript numbers: exact within ±2^53, which
 * holds every offset Runnel hands out (larger values only ever compare
 * as out of range).
 */

/** A request that does not parse: the frame is refused and its connection closed. */
export class ProtocolError extends Error {
  override name = "ProtocolError";
}

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

  private need(n: number, what: string): number {
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

  int32(): number {
    return this.view.getInt32(this.need(4, "int32"));
  }

  /** A signed 64-bit integer as a number (exact within ±2^53). */
  int64(): number {
    const at = this.need(8, "int64");
    return this.view.getInt32(at) * 4294967296 + this.view.getUint32(at + 4);
  }

  bool(): boolean {
    return this.int8() !== 0;
  }

  /** An int16-length string; a null (-1) is refused. */
  string(): string {
    const s = this.nullableString();
    if (s === null) throw new ProtocolError("a string that may not be null is null");
    return s;
  }

  /** An int16-length string, -1 meaning null. */
  nullableString(): string | null {
    return this.text(this.int16());
  }

  /** Bytes with an int32 length, -1 meaning null. Shares memory with the frame. */
  nullableBytes(): Uint8Array | null {
    const length = this.int32();
    if (length === -1) return null;
    if (length < -1) throw new ProtocolError(`bytes length ${length}`);
    const at = this.need(length, "bytes");
    return this.buf.subarray(at, at + length);
  }

  /** An int32-count array; a null (-1) is refused. */
  array<T>(item: (r: Reader) => T): T[] {
    const a = this.nullableArray(item);
    if (a === null) throw new ProtocolError("an array that may not be null is null");
    return a;
  }

  /** An int32-count array, -1 meaning null. */
  nullableArray<T>(item: (r: Reader) => T): T[] | null {
    return this.items(this.int32(), item);
  }

  /** An unsigned varint (flexible versions' lengths and tags). */
  uvarint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 5; i++) {
      const b = this.buf[this.need(1, "varint")]!;
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return value;
      scale *= 128;
    }
    throw new ProtocolError("varint longer than 5 bytes");
  }

  /** A zigzag varint (records and record headers). */
  varint(): number {
    const v = this.uvarint();
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }

  /** A compact string (length + 1 as an unsigned varint); a null (0) is refused. */
  compactString(): string {
    const s = this.compactNullableString();
    if (s === null) throw new ProtocolError("a compact string that may not be null is null");
    return s;
  }

  compactNullableString(): string | null {
    return this.text(this.uvarint() - 1);
  }

  /** A compact array (count + 1 as an unsigned varint), 0 meaning null. */
  compactArray<T>(item: (r: Reader) => T): T[] | null {
    return this.items(this.uvarint() - 1, item);
  }

  /** Skips a tagged-fields section (flexible versions): none is understood here. */
  skipTaggedFields(): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      this.uvarint(); // tag
      this.need(this.uvarint(), "tagged field");
    }
  }

  private text(length: number): string | null {
    if (length === -1) return null;
    if (length < -1) throw new ProtocolError(`string length ${length}`);
    const at = this.need(length, "string");
    try {
      return utf8.decode(this.buf.subarray(at, at + length));
    } catch {
      throw new ProtocolError("string is not UTF-8");
    }
  }

  private items<T>(count: number, item: (r: Reader) => T): T[] | null {
    if (count === -1) return null;
    // Every item takes at least one byte: a count beyond the bytes left is a lie, refused before allocating.
    if (count < -1 || count > this.remaining) throw new ProtocolError(`array count ${count} with ${this.remaining} bytes left`);
    const out = new Array<T>(count);
    for (let i = 0; i < count; i++) out[i] = item(this);
    return out;
  }
}

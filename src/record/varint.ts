/**
 * Kafka's zigzag varints (protobuf style). Values are JavaScript numbers
 * and must stay within ±2^52 (zigzag doubles them, and doubles are exact
 * to 2^53); varlongs beyond that are refused when read.
 */

/** Bytes the zigzag varint encoding of `value` takes. */
export function varintSize(value: number): number {
  let v = zigzag(value);
  let size = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    size++;
  }
  return size;
}

function zigzag(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

/** Writes `value` as a zigzag varint at `pos`; returns the position after it. */
export function writeVarint(buf: Uint8Array, pos: number, value: number): number {
  let v = zigzag(value);
  while (v >= 128) {
    buf[pos++] = (v % 128) | 128;
    v = Math.floor(v / 128);
  }
  buf[pos++] = v;
  return pos;
}

/** A cursor over bytes, for reading varints and fixed-size fields. */
export class Reader {
  constructor(
    readonly buf: Uint8Array,
    public pos: number,
    /** Exclusive bound for reads; may be narrowed to one record at a time. */
    public end: number,
  ) {}

  /** Reads a zigzag varint (up to 64 bits, within ±2^52). */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new RangeError("varint runs past the end of the record");
      const b = this.buf[this.pos++]!;
      result += (b & 127) * scale;
      if (b < 128) {
        if (result > 2 ** 53) throw new RangeError("varint beyond ±2^52");
        return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
      }
      scale *= 128;
    }
    throw new RangeError("varint longer than 10 bytes");
  }

  /** Reads `length` bytes as a view (no copy). */
  bytes(length: number): Uint8Array {
    if (length < 0 || this.pos + length > this.end) throw new RangeError("field runs past the end of the record");
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  int8(): number {
    if (this.pos >= this.end) throw new RangeError("field runs past the end of the record");
    return (this.buf[this.pos++]! << 24) >> 24;
  }
}

import { describe, expect, it } from "vitest";
import { Reader, varintSize, writeVarint } from "../../src/record/varint";

describe("zigzag varints", () => {
  it("encode small values as Kafka does", () => {
    const buf = new Uint8Array(10);
    expect(writeVarint(buf, 0, 0)).toBe(1);
    expect(buf[0]).toBe(0);
    writeVarint(buf, 0, -1);
    expect(buf[0]).toBe(1);
    writeVarint(buf, 0, 1);
    expect(buf[0]).toBe(2);
    expect(writeVarint(buf, 0, 64)).toBe(2);
    expect([...buf.subarray(0, 2)]).toEqual([0x80, 0x01]);
  });

  it("round-trip values up to ±2^52 and size them exactly", () => {
    const values = [0, 1, -1, 63, -64, 64, 300, -300, 2 ** 31 - 1, -(2 ** 31), 1_700_000_000_000, -1_700_000_000_000, 2 ** 52, -(2 ** 52)];
    for (const v of values) {
      const buf = new Uint8Array(10);
      const end = writeVarint(buf, 0, v);
      expect(end).toBe(varintSize(v));
      const r = new Reader(buf, 0, end);
      expect(r.varint()).toBe(v);
      expect(r.pos).toBe(end);
    }
  });

  it("refuse to read past the end", () => {
    const r = new Reader(new Uint8Array([0x80, 0x80]), 0, 2);
    expect(() => r.varint()).toThrow(RangeError);
    expect(() => new Reader(new Uint8Array(2), 0, 2).bytes(3)).toThrow(RangeError);
  });
});

describe("varints past ±2^52", () => {
  it("are refused when read, not silently rounded", () => {
    // zigzag(2^53) as a 10-byte varint: 0x80 x7, then 0x80, 0x02 ... built by hand
    const bytes = new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02]);
    expect(() => new Reader(bytes, 0, bytes.length).varint()).toThrow(/beyond/);
  });
});

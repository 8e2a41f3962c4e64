import { describe, expect, it } from "vitest";
import { frameResponse, readRequestRest, readRequestStart } from "../../src/gateway/codec/frame";
import { ProtocolError, Reader } from "../../src/gateway/codec/reader";
import { readUnknownTaggedFields } from "../../src/gateway/codec/tagged";
import { Writer } from "../../src/gateway/codec/writer";
import { FrameError, Framer } from "../../src/gateway/server/framer";
import { hex, toHex } from "./kafkajs";

describe("the protocol writer", () => {
  it("writes big-endian integers, strings, bytes and arrays, nulls as -1", () => {
    const w = new Writer()
      .int8(-1)
      .int16(0x0102)
      .int32(-2)
      .int64(0x0102030405)
      .int64(-1)
      .bool(true)
      .string("ab", false)
      .string(null, false)
      .bytes(new Uint8Array([9, 8]), false)
      .bytes(null, false)
      .array([1, 2], false, (w, v) => w.int16(v))
      .array(null, false, () => {});
    expect(toHex(w.toBytes())).toBe(
      "ff" + "0102" + "fffffffe" + "0000000102030405" + "ffffffffffffffff" + "01" + "00026162" + "ffff" + "000000020908" + "ffffffff" + "0000000200010002" + "ffffffff",
    );
  });

  it("writes unsigned varints, compact strings, bytes and arrays (length + 1, 0 for null), uuids", () => {
    const w = new Writer().uvarint(0).uvarint(127).uvarint(128).uvarint(300);
    w.string("hi", true).string(null, true).bytes(new Uint8Array([5]), true).bytes(null, true).array([7], true, (w, v) => w.int8(v)).array(null, true, () => {});
    w.uuid("AAECAwQFBgcICQoLDA0ODw");
    expect(toHex(w.toBytes())).toBe("00" + "7f" + "8001" + "ac02" + "036869" + "00" + "0205" + "00" + "0207" + "00" + "000102030405060708090a0b0c0d0e0f");
    expect(() => new Writer().uuid("short")).toThrow();
    expect(() => new Writer().string("x".repeat(0x8000), false)).toThrow();
  });

  it("grows its buffer under every kind of write", () => {
    const w = new Writer();
    const expected: number[] = [];
    for (let i = 0; i < 300; i++) {
      const small = new Uint8Array(i % 50).fill(i & 0xff);
      w.raw(small).uvarint(300);
      expected.push(...small, 0xac, 0x02);
    }
    expect([...w.toBytes()]).toEqual(expected);
  });

  it("grows its buffer in the middle of a fixed-size integer, at every alignment (a Fetch of six partitions met this)", () => {
    const writes = { 1: "int8", 2: "int16", 4: "int32", 8: "int64" } as const;
    for (const [size, method] of Object.entries(writes)) {
      for (let skew = 0; skew < 8; skew++) {
        const w = new Writer();
        const expected = new DataView(new ArrayBuffer(skew + 200 * Number(size)));
        for (let i = 0; i < skew; i++) {
          w.int8(7);
          expected.setInt8(i, 7);
        }
        for (let i = 0; i < 200; i++) {
          const at = skew + i * Number(size);
          const v = -(i + 1);
          (w[method] as (v: number) => Writer).call(w, v);
          if (size === "8") expected.setBigInt64(at, BigInt(v));
          else if (size === "4") expected.setInt32(at, v);
          else if (size === "2") expected.setInt16(at, v);
          else expected.setInt8(at, v);
        }
        expect(Buffer.from(w.toBytes()), `${method} after ${skew} bytes`).toEqual(Buffer.from(expected.buffer));
      }
    }
  });

  it("keeps large byte fields by reference, in order", () => {
    const big = new Uint8Array(10_000).fill(5);
    const w = new Writer().int32(1).bytes(big, false).int16(2);
    const chunks = w.finish();
    expect(chunks).toHaveLength(3);
    expect(chunks[1]).toBe(big);
    expect(toHex(chunks[0]!)).toBe("00000001" + "00002710");
    expect(toHex(chunks[2]!)).toBe("0002");
  });
});

describe("the protocol reader", () => {
  it("reads what the writer wrote", () => {
    const bytes = new Writer()
      .int8(-3)
      .int16(-300)
      .int32(123456789)
      .int64(-2)
      .int64(9_007_199_254_740_991)
      .string("héllo", false)
      .string(null, false)
      .bytes(new Uint8Array([1, 2, 3]), false)
      .bytes(null, false)
      .array(["a", "b"], false, (w, s) => w.string(s, false))
      .array(null, false, () => {})
      .uvarint(300)
      .string("x", true)
      .uint16(65535)
      .float64(-1.25)
      .uuid("AAECAwQFBgcICQoLDA0ODw")
      .toBytes();
    const r = new Reader(bytes);
    expect([r.int8(), r.int16(), r.int32(), r.int64(), r.int64(), r.string(false), r.nullableString(false)]).toEqual([-3, -300, 123456789, -2, 9_007_199_254_740_991, "héllo", null]);
    expect([...r.nullableBytes(false)!]).toEqual([1, 2, 3]);
    expect(r.nullableBytes(false)).toBeNull();
    expect(r.array(false, (r) => r.string(false), 2)).toEqual(["a", "b"]);
    expect(r.nullableArray(false, (r) => r.string(false), 2)).toBeNull();
    expect([r.uvarint(), r.string(true), r.uint16(), r.float64(), r.uuid(), r.remaining]).toEqual([300, "x", 65535, -1.25, "AAECAwQFBgcICQoLDA0ODw", 0]);
  });

  it("keeps tagged fields it does not know, as they came", () => {
    const r = new Reader(hex("02 00 02 abcd 05 00 ff"));
    expect(readUnknownTaggedFields(r)?.map((t) => [t.tag, toHex(t.data)])).toEqual([[0, "abcd"], [5, ""]]);
    expect(r.int8()).toBe(-1);
    expect(readUnknownTaggedFields(new Reader(hex("00")))).toBeUndefined();
  });

  it("refuses fields that run past the frame, lying lengths and counts, and null where none may be", () => {
    const cases: [string, (r: Reader) => unknown][] = [
      ["000102", (r) => r.int32()],
      ["0005616263", (r) => r.string(false)],
      ["ffff", (r) => r.string(false)],
      ["fffe", (r) => r.nullableString(false)],
      ["0000000a0102", (r) => r.nullableBytes(false)],
      ["fffffffe", (r) => r.nullableBytes(false)],
      ["ffffffff", (r) => r.bytes(false)],
      ["7fffffff", (r) => r.array(false, (r) => r.int8(), 1)],
      ["ffffffff", (r) => r.array(false, (r) => r.int8(), 1)],
      ["00000003 0001", (r) => r.array(false, (r) => r.int16(), 2)],
      // Two int32s claimed with 5 bytes left: refused by the item size before reading any.
      ["00000002 0000000000", (r) => r.array(false, (r) => r.int32(), 4)],
      ["0002c328", (r) => r.string(false)],
      ["ffffffffff7f", (r) => r.uvarint()],
      ["00", (r) => r.string(true)],
      ["05616263", (r) => r.string(true)],
      ["00", (r) => r.bytes(true)],
      ["00", (r) => r.array(true, (r) => r.int8(), 1)],
      ["8080808001", (r) => r.array(true, (r) => r.int8(), 1)],
      ["01020304", (r) => r.uuid()],
      ["01 05 03 aa", (r) => readUnknownTaggedFields(r)],
    ];
    for (const [bytes, read] of cases) expect(() => read(new Reader(hex(bytes))), bytes).toThrow(ProtocolError);
  });
});

describe("request headers and response frames", () => {
  it("reads header v1 (key, version, correlation id, client id) and v2 (then tagged fields)", () => {
    const v1 = hex("0003 0004 0000002a 0003 636c69 ffffffff");
    expect(readRequestStart(v1)).toEqual({ apiKey: 3, apiVersion: 4, correlationId: 42 });
    const rest = readRequestRest(v1, 1);
    expect(rest.clientId).toBe("cli");
    expect(rest.body.int32()).toBe(-1);
    const v2 = hex("0012 0003 00000001 ffff 00 0361620000");
    const flexible = readRequestRest(v2, 2);
    expect([flexible.clientId, flexible.body.string(true)]).toEqual([null, "ab"]);
    // Header v0 (ControlledShutdown v0 only): no client id.
    expect(readRequestRest(hex("0007 0000 00000001 00000005"), 0).body.int32()).toBe(5);
    expect(() => readRequestStart(hex("0012000300"))).toThrow(ProtocolError);
  });

  it("frames responses with header v0, or v1 with an empty tagged-field section", () => {
    const body = [hex("0001"), hex("02")];
    expect(toHex(Buffer.concat(frameResponse(9, body, 0)))).toBe("00000007" + "00000009" + "0001" + "02");
    expect(toHex(Buffer.concat(frameResponse(9, body, 1)))).toBe("00000008" + "00000009" + "00" + "0001" + "02");
  });
});

describe("the framer", () => {
  it("cuts frames however the bytes arrive", () => {
    const stream = hex("00000002 aaaa 00000000 00000003 bbbbbb");
    for (const cut of [1, 2, 3, 5, 7, stream.length]) {
      const framer = new Framer(100);
      const frames: string[] = [];
      for (let at = 0; at < stream.length; at += cut) frames.push(...framer.push(Buffer.from(stream.subarray(at, at + cut))).map(toHex));
      expect(frames, `chunks of ${cut}`).toEqual(["aaaa", "", "bbbbbb"]);
      expect(framer.pendingBytes).toBe(0);
    }
  });

  it("refuses a size over the limit or below zero before reading the frame", () => {
    expect(() => new Framer(100).push(Buffer.from(hex("00000065")))).toThrow(FrameError);
    expect(() => new Framer(100).push(Buffer.from(hex("ffffffff")))).toThrow(FrameError);
    expect(new Framer(100).push(Buffer.from(hex("00000064")))).toEqual([]);
  });
});

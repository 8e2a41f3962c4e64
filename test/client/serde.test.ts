// The producer's UTF-8 encoding: short strings share slabs, so each must
// stay a view of exactly its own bytes after the slab fills and another
// takes over; long ones get their own buffer.
import { describe, expect, it } from "vitest";
import { toBytes, toHeaders, utf8Bytes } from "../../src/client/serde";

const utf8 = new TextDecoder();

describe("utf8Bytes", () => {
  it("keeps every string's bytes intact across many slabs, ASCII or not", () => {
    // About 4 MiB in all: far past one 64 KiB slab.
    const texts = Array.from({ length: 20_000 }, (_, i) => `${i}-${"é".repeat(i % 7)}-😀-${"x".repeat(i % 200)}`);
    const encoded = texts.map((t) => utf8Bytes(t));
    const again = new TextEncoder();
    for (let i = 0; i < texts.length; i++) {
      expect(encoded[i]).toEqual(again.encode(texts[i]));
      expect(utf8.decode(encoded[i])).toBe(texts[i]);
    }
  });

  it("encodes the empty string, and a string longer than a quarter slab on its own", () => {
    expect(utf8Bytes("")).toEqual(new Uint8Array(0));
    const long = "ü".repeat(20_000);
    const bytes = utf8Bytes(long);
    expect(bytes.byteLength).toBe(40_000);
    expect(bytes.buffer.byteLength).toBe(40_000);
    expect(utf8.decode(bytes)).toBe(long);
  });

  it("is what toBytes and toHeaders give for strings and JSON", () => {
    expect(utf8.decode(toBytes("ünïcode") ?? new Uint8Array())).toBe("ünïcode");
    expect(utf8.decode(toBytes({ a: [1, "ß"] }) ?? new Uint8Array())).toBe('{"a":[1,"ß"]}');
    expect(toHeaders({ h: "wert ✓" }).map((h) => utf8.decode(h.value ?? new Uint8Array()))).toEqual(["wert ✓"]);
  });
});

import { describe, expect, it } from "vitest";
import { crc32c } from "../../src/record/crc32c";

const ascii = (s: string) => new TextEncoder().encode(s);

describe("crc32c", () => {
  it("matches the standard check value for 123456789", () => {
    expect(crc32c(ascii("123456789"))).toBe(0xe3069283);
  });

  it("is 0 for no bytes", () => {
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it("matches RFC 3720 vectors: 32 zero bytes and 32 0xff bytes", () => {
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
  });

  it("gives the same answer over a sub-range as over a copy of it, at every alignment", () => {
    const bytes = new Uint8Array(100).map((_, i) => (i * 31 + 7) & 0xff);
    for (let start = 0; start < 10; start++) {
      for (const end of [start, start + 1, start + 8, start + 17, 100]) {
        expect(crc32c(bytes, start, end)).toBe(crc32c(bytes.slice(start, end)));
      }
    }
  });
});

describe("crc32c over large unaligned ranges", () => {
  it("agrees with a byte-at-a-time reference at every alignment and length", () => {
    const reference = (bytes: Uint8Array) => {
      let crc = 0xffffffff;
      for (const b of bytes) {
        crc ^= b;
        for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
      }
      return (crc ^ 0xffffffff) >>> 0;
    };
    const bytes = new Uint8Array(300).map((_, i) => (i * 131 + 17) & 0xff);
    for (let start = 0; start < 8; start++) {
      for (const end of [start + 15, start + 16, start + 17, start + 63, 300]) {
        expect(crc32c(bytes, start, end)).toBe(reference(bytes.slice(start, end)));
      }
    }
  });
});

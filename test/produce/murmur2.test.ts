import { describe, expect, it } from "vitest";
import fixture from "../fixtures/kafkajs.json";
import { murmur2, partitionForKey } from "../../src/produce/murmur2";

const ascii = (s: string) => new TextEncoder().encode(s);

describe("murmur2", () => {
  it("matches the values in Kafka's own UtilsTest", () => {
    expect(murmur2(ascii("21"))).toBe(-973932308);
    expect(murmur2(ascii("foobar"))).toBe(-790332482);
    expect(murmur2(ascii("a-little-bit-long-string"))).toBe(-985981536);
    expect(murmur2(ascii("a-little-bit-longer-string"))).toBe(-1486304829);
    expect(murmur2(ascii("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"))).toBe(-58897971);
    expect(murmur2(ascii("abc"))).toBe(479470107);
  });

  it("matches kafkajs's partitioner hash for every fixture key", () => {
    for (const { key, hash } of fixture.murmur2) expect(murmur2(ascii(key))).toBe(hash);
  });

  it("places a key on toPositive(hash) % partitions", () => {
    expect(partitionForKey(ascii("21"), 7)).toBe((-973932308 & 0x7fffffff) % 7);
    for (let n = 1; n < 20; n++) {
      const p = partitionForKey(ascii("user-42"), n);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThan(n);
    }
  });
});

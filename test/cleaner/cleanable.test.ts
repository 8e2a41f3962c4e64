import { describe, expect, it } from "vitest";
import { cleanable, cleaningDueMs } from "../../src/cleaner/cleanable";
import type { ClosedSegment } from "../../src/cleaner/segment-store";
import { resolveConfigs, type ConfigOverrides } from "../../src/topic/configs";

/** Closed segments of 10 offsets each from 0, `sizes` bytes, newest record at `ts` (and first at `ts` too). */
function segments(sizes: number[], ts = 1_000): ClosedSegment[] {
  return sizes.map((sizeBytes, i) => ({ baseOffset: 10 * i, lastOffset: 10 * i + 9, sizeBytes, maxTimestampMs: ts + i, firstTimestampMs: ts + i }));
}

const configs = (o: ConfigOverrides = {}) => resolveConfigs({ "cleanup.policy": "compact", ...o });

describe("the cleanable part of a log", () => {
  it("runs from the checkpoint to the first closed segment that reaches the high watermark, in whole segments", () => {
    const c = cleanable({ segments: segments([100, 100, 100, 100]), highWatermark: 35, firstDirtyOffset: 10, configs: configs(), nowMs: 5_000 });
    expect(c).toMatchObject({ firstDirtyOffset: 10, firstUncleanableOffset: 30, cleanBytes: 100, dirtyBytes: 200 });
    expect(c.segments.map((s) => s.baseOffset)).toEqual([0, 10, 20]);
    expect(c.dirtyRatio).toBeCloseTo(2 / 3);
  });

  it("counts a segment the checkpoint falls inside as dirty", () => {
    const c = cleanable({ segments: segments([100, 300]), highWatermark: 100, firstDirtyOffset: 15, configs: configs(), nowMs: 5_000 });
    expect(c).toMatchObject({ cleanBytes: 100, dirtyBytes: 300, dirtyRatio: 0.75 });
  });

  it("stops at the first dirty segment younger than min.compaction.lag.ms, and says when it comes of age", () => {
    const c = cleanable({ segments: segments([100, 100, 100], 1_000), highWatermark: 100, firstDirtyOffset: 0, configs: configs({ "min.compaction.lag.ms": "500" }), nowMs: 1_501 });
    expect(c).toMatchObject({ firstUncleanableOffset: 20, dirtyBytes: 200, lagEndsAtMs: 1_502 });
  });

  it("is empty when nothing closed lies below the high watermark", () => {
    const c = cleanable({ segments: segments([100]), highWatermark: 5, firstDirtyOffset: 0, configs: configs(), nowMs: 0 });
    expect(c).toMatchObject({ firstUncleanableOffset: 0, segments: [], cleanBytes: 0, dirtyBytes: 0, dirtyRatio: 0 });
  });
});

describe("when the cleaner runs", () => {
  const at = (segs: ClosedSegment[], firstDirtyOffset: number, o: ConfigOverrides, horizonMs: number | null, nowMs: number) => {
    const cfg = configs(o);
    return cleaningDueMs(cleanable({ segments: segs, highWatermark: 1_000, firstDirtyOffset, configs: cfg, nowMs }), cfg, horizonMs, nowMs);
  };

  it("at once when the dirty ratio is past min.cleanable.dirty.ratio, not when it is at or below", () => {
    expect(at(segments([100, 100, 100]), 10, { "min.cleanable.dirty.ratio": "0.6" }, null, 5_000)).toBe(5_000); // 2/3
    expect(at(segments([100, 100]), 10, { "min.cleanable.dirty.ratio": "0.5" }, null, 5_000)).toBeNull(); // 1/2
  });

  it("once max.compaction.lag.ms has passed since the oldest dirty record, whatever the ratio", () => {
    const o = { "min.cleanable.dirty.ratio": "1", "max.compaction.lag.ms": "1000" };
    expect(at(segments([100, 100]), 10, o, null, 1_500)).toBe(2_002); // segment 10's first batch at 1001
    expect(at(segments([100, 100]), 10, o, null, 2_002)).toBe(2_002);
    expect(at(segments([100, 100]), 20, o, null, 9_999)).toBeNull(); // nothing dirty
  });

  it("at a tombstone's delete horizon, with nothing dirty", () => {
    expect(at(segments([100]), 10, {}, 7_000, 5_000)).toBe(7_000);
    expect(at(segments([100]), 10, {}, 7_000, 7_000)).toBe(7_000);
    expect(at([], 0, {}, 7_000, 7_000)).toBeNull(); // nothing to clean
  });
});

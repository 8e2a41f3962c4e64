import { describe, expect, it } from "vitest";
import { nextExpiryMs, planRetention, type SegmentInfo } from "../../src/log/retention";

const seg = (baseOffset: number, sizeBytes: number, maxTimestampMs: number, lastAppendMs = 0): SegmentInfo => ({ baseOffset, lastOffset: baseOffset + 9, sizeBytes, maxTimestampMs, lastAppendMs });
const keepAll = { retentionMs: -1, retentionBytes: -1 };

describe("retention planning", () => {
  it("deletes nothing when both limits are off", () => {
    expect(planRetention([seg(0, 100, 0), seg(10, 100, 0)], keepAll, 1e12)).toBe(0);
  });

  it("deletes the oldest segments whose newest record is past retention.ms, as a prefix", () => {
    const segments = [seg(0, 10, 100), seg(10, 10, 900), seg(20, 10, 200), seg(30, 10, 950)];
    expect(planRetention(segments, { retentionMs: 500, retentionBytes: -1 }, 1000)).toBe(1);
  });

  it("deletes the active segment too when everything in it has expired", () => {
    expect(planRetention([seg(0, 10, 100), seg(10, 10, 100)], { retentionMs: 500, retentionBytes: -1 }, 1000)).toBe(2);
  });

  it("deletes oldest segments while the rest still holds retention.bytes, never the active one", () => {
    const segments = [seg(0, 100, 0), seg(10, 100, 0), seg(20, 100, 0)];
    expect(planRetention(segments, { retentionMs: -1, retentionBytes: 150 }, 0)).toBe(1);
    expect(planRetention(segments, { retentionMs: -1, retentionBytes: 100 }, 0)).toBe(2);
    expect(planRetention(segments, { retentionMs: -1, retentionBytes: 0 }, 0)).toBe(2);
  });

  it("says when the oldest segment expires", () => {
    expect(nextExpiryMs([seg(0, 10, 100)], { retentionMs: 50, retentionBytes: -1 })).toBe(151);
    expect(nextExpiryMs([seg(0, 10, 100)], keepAll)).toBeNull();
    expect(nextExpiryMs([], { retentionMs: 50, retentionBytes: -1 })).toBeNull();
  });

  it("judges a segment whose batches carry no timestamp (-1, NO_TIMESTAMP) by its last append, as Kafka does, never as very old", () => {
    const policy = { retentionMs: 500, retentionBytes: -1 };
    // Appended to at 900: not expired at 1000, though its max timestamp says -1.
    expect(planRetention([seg(0, 10, -1, 900), seg(10, 10, 950)], policy, 1000)).toBe(0);
    expect(nextExpiryMs([seg(0, 10, -1, 900)], policy)).toBe(1401);
    // Last appended to at 100: expired, as any segment that old.
    expect(planRetention([seg(0, 10, -1, 100), seg(10, 10, 950)], policy, 1000)).toBe(1);
    // A record timestamp decides when there is one, however recent the append.
    expect(planRetention([seg(0, 10, 100, 990), seg(10, 10, 950)], policy, 1000)).toBe(1);
  });
});

/**
 * Where the clean of one segment of a store that swaps whole segments
 * stands (cleaning-pass.ts): first read through and judged without
 * replacing anything; then, only when that found a change, read again
 * from where it started — with the leader epoch the batch before it had,
 * so every batch is judged as the first time — and replaced range after
 * range. A segment nothing changes in is read once and left as it is.
 */
import type { ClosedSegment, KeptBatch } from "./segment-store";

/** What one read's batches came to. */
export interface Judged {
  kept: KeptBatch[];
  /** Exclusive end of the range judged. */
  end: number;
  /** Why judging stopped before the read's last batch, or null. */
  stop: "map end" | "budget" | null;
  /** Whether what stays differs from what was read (a batch rewritten or dropped). */
  changed: boolean;
  recordsRead: number;
}

interface Sweep {
  mode: "probe" | "replace";
  baseOffset: number;
  /** Where the first read of the segment started. */
  from: number;
  /** The leader epoch of the batch before it (the pass's `prevEpoch` then). */
  epochBefore: number | null;
  changed: boolean;
  recordsRead: number;
}

export class WholeSegments {
  /** Batches of the current segment kept so far (the pass counts them for every store). */
  keptInSegment = 0;
  private sweep: Sweep | null = null;

  /** Whether the current segment is being read through first. */
  get probing(): boolean {
    return this.sweep?.mode === "probe";
  }

  /** About to read `segment` from `from`: a segment not under way starts being read through. */
  begin(segment: ClosedSegment, from: number, prevEpoch: number | null): void {
    if (this.sweep?.baseOffset === segment.baseOffset) return;
    this.sweep = { mode: "probe", baseOffset: segment.baseOffset, from, epochBefore: prevEpoch, changed: false, recordsRead: 0 };
    this.keptInSegment = 0;
  }

  /**
   * The first sweep judged a range (`through`: up to the segment's last
   * batch): where the pass reads next, the records it counts now (those
   * of a segment left as it is), and the leader epoch to go on from when
   * the segment is to be read again.
   */
  probed(segment: ClosedSegment, judged: Judged, through: boolean): { cursor: number; recordsRead: number; prevEpoch?: number | null } {
    const s = this.sweep!;
    s.changed ||= judged.changed;
    s.recordsRead += judged.recordsRead;
    if (!through) return { cursor: judged.end, recordsRead: 0 };
    if (!s.changed) {
      this.sweep = null;
      return { cursor: segment.lastOffset + 1, recordsRead: s.recordsRead };
    }
    this.sweep = { ...s, mode: "replace" };
    this.keptInSegment = 0;
    return { cursor: s.from, recordsRead: 0, prevEpoch: s.epochBefore };
  }

  /** The segment was replaced through its last batch. */
  replaced(): void {
    this.sweep = null;
  }

  /** Nothing under way (a new store, or the segment went). */
  reset(): void {
    this.sweep = null;
    this.keptInSegment = 0;
  }
}

/**
 * The closed segments of several stores as one log, for the cleaner: the
 * leader's remote segments (tiered storage) first, then its local ones.
 * The two may hold copies of the same offsets — a segment copied to the
 * bucket and not yet dropped locally — and each copy is cleaned where it
 * is; here a copy counts once: where the offsets are first held.
 */
import type { ClosedSegment, SegmentStore } from "./segment-store";

/** A segment and the store that holds it. */
export interface Held {
  store: SegmentStore;
  segment: ClosedSegment;
}

/**
 * The segments of `stores` (in order, each oldest first) as one log,
 * oldest first: each store's segments past the offsets the ones before
 * it hold (a segment partly past them is taken whole).
 */
export function oneLog(stores: SegmentStore[]): ClosedSegment[] {
  const out: ClosedSegment[] = [];
  let end = 0; // exclusive end of the offsets taken so far
  for (const store of stores) {
    for (const s of store.list()) {
      if (s.lastOffset < end) continue;
      out.push(s);
      end = s.lastOffset + 1;
    }
  }
  return out;
}

/** The first segment `store` lists holding offsets in [cursor, end), or undefined. */
export function segmentIn(store: SegmentStore, cursor: number, end: number): ClosedSegment | undefined {
  if (cursor >= end) return undefined;
  return store.list().find((s) => s.lastOffset >= cursor && s.baseOffset < end);
}

/**
 * Where the offset map reads from `cursor` (below `end`): the segment
 * holding it, from the last store that holds it (the local copy, cheaper
 * to read than the bucket's), else the first segment past it.
 */
export function readingAt(stores: SegmentStore[], cursor: number, end: number): Held | undefined {
  let best: Held | undefined;
  for (const store of stores) {
    const segment = segmentIn(store, cursor, end);
    if (segment === undefined) continue;
    const holds = segment.baseOffset <= cursor;
    const earlier = best !== undefined && best.segment.baseOffset > cursor && segment.baseOffset < best.segment.baseOffset;
    if (best === undefined || holds || earlier) best = { store, segment };
  }
  return best;
}

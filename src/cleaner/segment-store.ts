/**
 * What the log cleaner needs of wherever closed segments live: list them,
 * read one's batches, replace a range of one's batches with their cleaned
 * batches atomically, drop one that cleaning emptied. The partition's
 * SQLite implements it (src/log/local-segments.ts); segments held in
 * object storage are a second implementation of the same four calls.
 *
 * Reads and writes may wait (a remote store's go over the network) and
 * answer a Failure rather than throwing for what can go wrong there.
 * The cleaner calls `replace` for consecutive ranges of one segment, from
 * its first batch to past its last: a store that can replace batches in
 * place (SQLite) applies each range at once; one that cannot (an object
 * per segment) may stage the ranges and swap the whole segment in when
 * the range reaching past its last offset arrives. Either way every call
 * leaves the log whole: a reader sees each batch as it was or as cleaned,
 * never a mix within a batch, and a crash loses only the work in flight.
 *
 * A store that swaps whole segments says so (`wholeSegments`): the
 * cleaner then reads a segment through before replacing anything in it,
 * and replaces its ranges only when cleaning changes it; it passes the
 * batches past the offset map's end on as they are; and it asks the
 * store, before each read, for the work (bucket calls) a swap owes
 * (`settle`), one call per step. The SQLite store replaces in place and
 * has neither.
 */
import type { Failure } from "../errors";

/** A closed segment: the active one is never cleaned and never listed. */
export interface ClosedSegment {
  baseOffset: number;
  /** The last offset the segment covers (inclusive); cleaning never changes it. */
  lastOffset: number;
  /** Bytes of its batches now. */
  sizeBytes: number;
  /** The newest max timestamp of its batches (epoch ms); -1 when none has one. */
  maxTimestampMs: number;
  /** The max timestamp of its first batch as it was closed (Kafka's first batch timestamp, epoch ms): how old its oldest records are; -1 when unknown. */
  firstTimestampMs: number;
}

/** A batch that stays where a cleaned range was. */
export interface KeptBatch {
  /** What is stored from now on: the batch's original bytes when `changed` is false. */
  bytes: Uint8Array;
  changed: boolean;
  /** Its max timestamp as the time index takes it (epoch ms): -1 when it holds no record. */
  maxTimestampMs: number;
}

export interface SegmentStore {
  /**
   * Closed segments, oldest first. Answered at once from what the store
   * records in the partition's SQLite (a remote store keeps its segment
   * index there too): the replica asks after every append when the
   * cleaner is next due.
   */
  list(): ClosedSegment[];
  /**
   * Whole batches of `segment` starting at or after `fromOffset`, in
   * offset order, about `maxBytes` of them: at least one while any is
   * left, and fewer bytes than `maxBytes` only when the segment's last
   * batch is among them; none once past it. Each is CRC-checked.
   */
  read(segment: ClosedSegment, fromOffset: number, maxBytes: number): Promise<Uint8Array[] | Failure>;
  /**
   * Atomically makes `kept` (in offset order, each starting where a batch
   * of the range started) the only batches of `segment` in [fromOffset,
   * toOffset). Refused (nothing changed) when the segment is no longer
   * closed and held as listed — retention or truncation took it meanwhile.
   */
  replace(segment: ClosedSegment, fromOffset: number, toOffset: number, kept: KeptBatch[]): Promise<Failure | null>;
  /** Removes `segment`, which holds no batch any more; refused when it still holds one. */
  drop(segment: ClosedSegment): Promise<Failure | null>;
  /** True for a store that writes a cleaned segment anew, whole (object storage). */
  readonly wholeSegments?: boolean;
  /** One step (at most one call to the bucket) of the work a swap owes: "idle" when it owes none now. */
  settle?(): Promise<"idle" | "progress" | Failure>;
}

/**
 * The remote segments as the log cleaner's segment store
 * (src/cleaner/segment-store.ts), on the leader: compaction of what the
 * bucket holds. An object cannot be changed in place, so the cleaner
 * replaces a remote segment whole (`wholeSegments`): it stages the cleaned
 * ranges of one segment here, from its first batch on, and once the range
 * past its last offset arrives the staged batches become a new object
 * under a new key (the leader's epoch and a fresh uuid, as the uploader
 * names them), recorded in place of the old row in one SQLite transaction
 * with a new seq — followers learn it by replication, as any recorded
 * segment — while the old object becomes an owed delete, due
 * `replacedDelayMs` later. The writing is bucket work the cleaner asks for
 * one call at a time (`settle`, rewrite-writer.ts).
 *
 * A segment cleaning emptied is dropped by widening the next remote
 * segment over its offsets (a gap the cleaner left at that one's start:
 * the next object is as it was), so remote segments stay contiguous; the
 * cleaner never empties the last one (cleaning-pass.ts).
 *
 * Leader only: followers never rewrite remote objects. A rewrite is
 * recorded only while its leader still leads the epoch that staged it.
 * After a crash the staged rewrite is given up (the pass that judged it is
 * gone): the old segment stays in force, and the new object, if any, is
 * an owed delete.
 */
import { ErrorCode, failure, type Failure, isFailure } from "../errors";
import type { ClosedSegment, KeptBatch, SegmentStore } from "../cleaner/segment-store";
import type { PartitionLog } from "../log/partition-log";
import type { Bucket } from "./bucket";
import { segmentKey } from "./object-keys";
import type { Outbox } from "./outbox";
import type { ReadCache } from "./read-cache";
import type { IndexEntry, NewRemoteSegment, RemoteLog, RemoteSegment } from "./remote-log";
import type { RemoteReader } from "./remote-reader";
import { type Rewrite, RewriteState } from "./rewrite-state";
import { giveUp, writeStep } from "./rewrite-writer";

/** What the store needs from the replica's tiered storage. */
export interface RemoteStoreHost {
  readonly log: PartitionLog;
  readonly remote: RemoteLog;
  readonly outbox: Outbox;
  readonly bucket: Bucket;
  readonly cache: ReadCache;
  readonly reader: RemoteReader;
  readonly topicId: string;
  readonly partition: number;
  /** Bytes of one multipart part (at least R2's 5 MiB). */
  readonly partBytes: number;
  /** How long a replaced object stays before its delete is due (`limits.remoteReplacedDeleteDelayMs`). */
  readonly replacedDelayMs: number;
  /** The epoch this replica leads now, or null when it does not lead. */
  leading(): number | null;
  /** True once this memory was replaced: it must write nothing more. */
  stopped(): boolean;
  /** Told of each segment written anew and recorded (for /metrics). */
  rewritten(): void;
}

export class RemoteSegmentsStore implements SegmentStore {
  readonly wholeSegments = true;
  readonly rewrites: RewriteState;

  constructor(private readonly h: RemoteStoreHost) {
    this.rewrites = new RewriteState(h.log.sql);
    const left = this.rewrites.current();
    if (left !== null) giveUp(this.writer(), left, Date.now()); // a new memory: the pass that staged it is gone
  }

  /** The remote segments from the log start on, oldest first; the one whose cleaning left nothing counts 0 bytes until dropped. */
  list(): ClosedSegment[] {
    const w = this.rewrites.current();
    return this.h.remote
      .segments()
      .filter((s) => s.lastOffset >= this.h.log.logStartOffset)
      .map((s) => ({
        baseOffset: s.baseOffset,
        lastOffset: s.lastOffset,
        sizeBytes: w !== null && w.oldKey === s.objectKey && emptied(w) ? 0 : s.sizeBytes,
        maxTimestampMs: s.maxTimestampMs,
        firstTimestampMs: -1, // unknown without reading the object: max.compaction.lag.ms goes by the local segments
      }));
  }

  async read(segment: ClosedSegment, fromOffset: number, maxBytes: number): Promise<Uint8Array[] | Failure> {
    const row = this.held(segment);
    return isFailure(row) ? row : this.h.reader.batchesFrom(row, fromOffset, maxBytes);
  }

  /**
   * Stages `kept` for [fromOffset, toOffset) of `segment`: a range from
   * its first batch starts a new rewrite (giving up any other), any other
   * must follow the last one staged. Once the range reaches past its last
   * offset the rewrite is whole: written by `settle`, or forgotten when it
   * changes nothing.
   */
  async replace(segment: ClosedSegment, fromOffset: number, toOffset: number, kept: KeptBatch[]): Promise<Failure | null> {
    const row = this.held(segment);
    if (isFailure(row)) return row;
    const epoch = this.h.leading()!;
    const current = this.rewrites.current();
    const fresh = fromOffset <= this.firstBatchOffset(row);
    if (!fresh && (current === null || current.oldKey !== row.objectKey || current.stagedTo !== fromOffset)) {
      return failure(ErrorCode.ILLEGAL_STATE, `remote segment ${row.baseOffset} is cleaned from its first batch on, range after range: ${fromOffset} does not follow`, null);
    }
    const whole = toOffset > row.lastOffset;
    const nowMs = Date.now();
    this.h.log.storage.transactionSync(() => {
      if (fresh) {
        if (current !== null) this.h.outbox.owe(current.objectKey, current.uploadId, nowMs);
        this.rewrites.clear();
        this.rewrites.start(this.newRewrite(row, fromOffset, epoch, nowMs));
      }
      const maxTimestampMs = kept.reduce((max, k) => Math.max(max, k.maxTimestampMs), -1);
      this.rewrites.stage(kept.map((k) => k.bytes), whole ? row.lastOffset + 1 : toOffset, maxTimestampMs, kept.some((k) => k.changed));
      const w = this.rewrites.current()!;
      if (whole && !w.changed && w.sizeBytes === row.sizeBytes) this.rewrites.clear(); // the same batches: nothing to write
    });
    return null;
  }

  /** Drops `segment`, which cleaning emptied: the next remote segment covers its offsets from now on. */
  async drop(segment: ClosedSegment): Promise<Failure | null> {
    const row = this.held(segment);
    if (isFailure(row)) return row;
    const w = this.rewrites.current();
    if (w === null || w.oldKey !== row.objectKey || !emptied(w)) return failure(ErrorCode.ILLEGAL_STATE, `remote segment ${row.baseOffset} still holds batches`, null);
    const next = this.h.remote.segments().find((s) => s.baseOffset === row.lastOffset + 1);
    if (next === undefined) return failure(ErrorCode.ILLEGAL_STATE, `remote segment ${row.baseOffset} is the last one: cleaning never empties it`, null);
    const { id: _id, seq: _seq, ...widened } = next;
    this.recordInPlace({ ...widened, baseOffset: row.baseOffset }, this.h.remote.index(next), Date.now());
    return null;
  }

  /** One step of the bucket work the rewrite in progress owes (writing its object, recording it): see rewrite-writer.ts. */
  settle(): Promise<"idle" | "progress" | Failure> {
    return writeStep(this.writer(), Date.now());
  }

  /** The key of the object being written, or null (the orphan sweep leaves it alone). */
  rewriting(): string | null {
    return this.rewrites.current()?.objectKey ?? null;
  }

  /**
   * Records `segment` in place of the rows it overlaps in one transaction,
   * under a new seq (followers learn it and replace their rows), and owes
   * the deletion of the overlapped rows' objects other than its own, due
   * `replacedDelayMs` from now; the rewrite is over.
   */
  private recordInPlace(segment: NewRemoteSegment, entries: IndexEntry[], nowMs: number): void {
    const { remote, outbox } = this.h;
    let replaced: RemoteSegment[] = [];
    this.h.log.storage.transactionSync(() => {
      const complete = remote.syncedSeq() >= 0;
      replaced = remote.insert(segment, entries);
      for (const s of replaced) if (s.objectKey !== segment.objectKey) outbox.owe(s.objectKey, null, nowMs, nowMs + this.h.replacedDelayMs);
      if (complete) remote.setSyncedSeq(remote.seq()); // what followers verify their own against (remote-sync.ts)
      this.rewrites.clear();
    });
    for (const s of replaced) if (s.objectKey !== segment.objectKey) this.h.cache.forget(s.objectKey);
  }

  /** The row of `segment` while this replica leads and holds it as listed; else the refusal. */
  private held(segment: ClosedSegment): RemoteSegment | Failure {
    if (this.h.stopped() || this.h.leading() === null) return failure(ErrorCode.ILLEGAL_STATE, "only the partition leader cleans remote segments", null);
    const row = this.h.remote.segments().find((s) => s.baseOffset === segment.baseOffset);
    if (row !== undefined && row.lastOffset === segment.lastOffset) return row;
    return failure(ErrorCode.ILLEGAL_STATE, `remote segment ${segment.baseOffset} is no longer one of this log`, null);
  }

  /** The base offset of the first batch `row`'s object holds (past its base offset after a gap the cleaner left). */
  private firstBatchOffset(row: RemoteSegment): number {
    return this.h.log.sql.exec<{ b: number | null }>("SELECT MIN(base_offset) AS b FROM remote_index WHERE segment_id = ?", row.id).one().b ?? row.baseOffset;
  }

  private newRewrite(row: RemoteSegment, fromOffset: number, epoch: number, nowMs: number): Rewrite {
    const before = this.h.remote.segments().filter((s) => s.lastOffset < row.baseOffset).at(-1);
    // The running max of the time index where this segment starts: the previous segment's last entry's.
    const timeIndexMs =
      before === undefined
        ? -1
        : (this.h.log.sql.exec<{ t: number }>("SELECT time_index_ms AS t FROM remote_index WHERE segment_id = ? ORDER BY base_offset DESC LIMIT 1", before.id).toArray()[0]?.t ?? -1);
    return {
      objectKey: segmentKey(this.h.topicId, this.h.partition, row.baseOffset, epoch), oldKey: row.objectKey, baseOffset: row.baseOffset, lastOffset: row.lastOffset,
      leaderEpoch: epoch, stagedTo: fromOffset, sizeBytes: 0, maxTimestampMs: -1, changed: false, uploadId: null, partBytes: this.h.partBytes, parts: [],
      cursor: { nextOffset: row.baseOffset, skip: 0, position: 0, timeIndexMs }, startedAtMs: nowMs,
    };
  }

  private writer() {
    const h = this.h;
    return {
      log: h.log, remote: h.remote, outbox: h.outbox, bucket: h.bucket, rewrites: this.rewrites,
      leading: () => h.leading(), stopped: () => h.stopped(),
      recordInPlace: (segment: NewRemoteSegment, entries: IndexEntry[], nowMs: number) => {
        this.recordInPlace(segment, entries, nowMs);
        h.rewritten();
      },
    };
  }
}

/** Whether cleaning left nothing of the segment `w` replaces. */
function emptied(w: Rewrite): boolean {
  return w.stagedTo > w.lastOffset && w.sizeBytes === 0;
}

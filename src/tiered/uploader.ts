/**
 * The leader's copying of closed segments to the bucket, one bounded step
 * at a time (each step at most one call to the bucket): start an upload
 * of the next range — the closed local segment after the remote log's
 * end, wholly below the high watermark — then send it as one put, or as
 * a multipart upload one part per step, complete it, and record it.
 *
 * Everything is resumable: the upload's state is stored before and after
 * each call (upload-state.ts), so a restarted leader goes on where it
 * stopped (a part sent but not stored is sent again under its number).
 * A memory that was replaced (a restart) writes nothing after its call
 * returns. An upload is recorded only while this replica still leads the
 * epoch that started it; otherwise, or when its range is gone (retention),
 * it is abandoned: its object, or its multipart upload, becomes an owed
 * delete. On a compacted topic a range is copied only once the log
 * cleaner's pass under way, if any, has cleaned its local copy or will
 * clean the copy in the bucket (`uploadable`), and recorded only if its
 * local batches are still the bytes sent.
 */
import { readCheckpoint } from "../cleaner/checkpoint";
import { type Failure, isFailure } from "../errors";
import { compacts } from "../topic/configs";
import type { PartitionLog } from "../log/partition-log";
import { type Bucket, isGone } from "./bucket";
import { segmentKey } from "./object-keys";
import type { Outbox } from "./outbox";
import type { IndexEntry, RemoteLog } from "./remote-log";
import { readChunk } from "./segment-bytes";
import type { Upload, UploadState } from "./upload-state";

/** What the uploader needs from the replica. */
export interface UploadHost {
  readonly log: PartitionLog;
  readonly remote: RemoteLog;
  readonly outbox: Outbox;
  readonly uploads: UploadState;
  readonly bucket: Bucket;
  readonly topicId: string;
  readonly partition: number;
  /** The epoch this replica leads now, or null when it does not lead. */
  leading(): number | null;
  /** True once this memory was replaced: it must write nothing more. */
  stopped(): boolean;
  /** Bytes of one part (`limits.remoteUploadPartBytes`; at least R2's 5 MiB). */
  readonly partBytes: number;
  /** Whether a copy of the local batches up to `lastOffset` may be recorded now (Cleaner.uploadable). */
  uploadable(lastOffset: number): boolean;
}

export type StepOutcome = "idle" | "progress" | Failure;

/** One step of copying: see the module comment. "idle" when there is nothing to copy. */
export async function uploadStep(h: UploadHost, nowMs: number): Promise<StepOutcome> {
  const u = h.uploads.current();
  if (u === null) return startNext(h, nowMs);
  const epoch = h.leading();
  const log = h.log;
  const stale = epoch !== u.leaderEpoch || u.lastOffset >= log.highWatermark || nextRange(log, h.remote)?.baseOffset !== u.baseOffset;
  if (stale) return abandon(h, u, nowMs);
  if (!h.uploadable(u.lastOffset)) return "idle"; // the cleaner's pass has yet to clean the local copy
  if (u.uploadId === null) return putWhole(h, u, nowMs);
  // The log cleaner rewrote the range between two parts (it only ever shrinks batches): start over from the bytes as they are.
  if (rangeBytes(log, u) !== u.sizeBytes) return abandon(h, u, nowMs);
  if (u.cursor.position < u.sizeBytes) return sendPart(h, u);
  return complete(h, u, nowMs);
}

/**
 * The next range to copy: from the remote log's end (or the local log
 * start) to the end of the closed local segment holding or following it,
 * when wholly below the high watermark. It starts at the batch holding
 * that offset (the local log start may be inside one), or at the offset
 * itself where the log cleaner left a gap: remote segments stay
 * contiguous, and a read of a gap gets the next batch.
 */
export function nextRange(log: PartitionLog, remote: RemoteLog): { baseOffset: number; lastOffset: number } | null {
  const from = Math.max(remote.endOffset() ?? log.logStartOffset, log.localLogStartOffset);
  const seg = log.sql
    .exec<{ base_offset: number; last_offset: number }>(
      "SELECT base_offset, last_offset FROM segments WHERE closed = 1 AND last_offset >= ? ORDER BY base_offset LIMIT 1",
      from,
    )
    .toArray()[0];
  if (seg === undefined || seg.last_offset >= log.highWatermark) return null;
  // A compacted topic's segment goes up once the cleaner has passed it, so the bucket holds it cleaned at least once.
  if (compacts(log.configs) && seg.last_offset >= readCheckpoint(log).firstDirtyOffset) return null;
  const holding = log.sql
    .exec<{ base_offset: number }>("SELECT base_offset FROM batches WHERE base_offset <= ? AND last_offset >= ? ORDER BY base_offset DESC LIMIT 1", from, from)
    .toArray()[0];
  return { baseOffset: holding?.base_offset ?? from, lastOffset: seg.last_offset };
}

/** Bytes of the batches stored in `range` now. */
function rangeBytes(log: PartitionLog, range: { baseOffset: number; lastOffset: number }): number {
  return log.sql
    .exec<{ size: number | null }>("SELECT SUM(size_bytes) AS size FROM batches WHERE base_offset >= ? AND base_offset <= ?", range.baseOffset, range.lastOffset)
    .one().size ?? 0;
}

async function startNext(h: UploadHost, nowMs: number): Promise<StepOutcome> {
  const epoch = h.leading();
  const range = epoch === null || !h.log.configs["remote.storage.enable"] ? null : nextRange(h.log, h.remote);
  if (range === null || epoch === null || !h.uploadable(range.lastOffset)) return "idle";
  const stats = h.log.sql
    .exec<{ size: number; max_ts: number }>(
      "SELECT SUM(size_bytes) AS size, MAX(max_timestamp_ms) AS max_ts FROM batches WHERE base_offset >= ? AND base_offset <= ?",
      range.baseOffset, range.lastOffset,
    )
    .one();
  const objectKey = segmentKey(h.topicId, h.partition, range.baseOffset, epoch);
  let uploadId: string | null = null;
  if (stats.size > h.partBytes) {
    const created = await h.bucket.createUpload(objectKey);
    if (isFailure(created)) return created;
    // A replaced memory cannot store the id: R2 aborts the upload after 7 days (docs/storage.md).
    if (h.stopped()) return "idle";
    uploadId = created.uploadId;
  }
  const cursor = { nextOffset: range.baseOffset, skip: 0, position: 0, timeIndexMs: h.remote.lastTimeIndexMs() };
  const u: Upload = { objectKey, ...range, sizeBytes: stats.size, maxTimestampMs: stats.max_ts, leaderEpoch: epoch, uploadId, partBytes: h.partBytes, parts: [], cursor, startedAtMs: nowMs };
  h.log.storage.transactionSync(() => {
    if (h.leading() === epoch) h.uploads.start(u);
    else if (uploadId !== null) h.outbox.owe(objectKey, uploadId, nowMs);
  });
  return "progress";
}

async function putWhole(h: UploadHost, u: Upload, nowMs: number): Promise<StepOutcome> {
  const entries: IndexEntry[] = [];
  const chunk = readChunk(h.log.sql, u.cursor, u.lastOffset, u.sizeBytes, entries);
  if (isFailure(chunk)) return abandon(h, u, nowMs);
  const put = await h.bucket.put(u.objectKey, chunk.parts);
  if (h.stopped()) return "idle";
  if (isFailure(put)) return put;
  return record(h, u, entries, put.sizeBytes, nowMs);
}

async function sendPart(h: UploadHost, u: Upload): Promise<StepOutcome> {
  const entries = h.uploads.entries();
  const kept = Math.max(0, entries.length - 1); // the last stored entry's running max may still move
  const chunk = readChunk(h.log.sql, u.cursor, u.lastOffset, u.partBytes, entries);
  if (isFailure(chunk)) return abandon(h, u, Date.now());
  const sent = await h.bucket.uploadPart(u.objectKey, u.uploadId!, u.parts.length + 1, chunk.parts);
  if (h.stopped()) return "idle";
  if (isFailure(sent)) return isGone(sent) ? abandon(h, u, Date.now()) : sent;
  h.log.storage.transactionSync(() => h.uploads.partDone(u, { partNumber: u.parts.length + 1, etag: sent.etag }, chunk.cursor, entries.slice(kept)));
  return "progress";
}

async function complete(h: UploadHost, u: Upload, nowMs: number): Promise<StepOutcome> {
  const done = await h.bucket.complete(u.objectKey, u.uploadId!, u.parts);
  if (h.stopped()) return "idle";
  if (!isFailure(done)) return record(h, u, h.uploads.entries(), done.sizeBytes, nowMs);
  if (!isGone(done)) return done;
  // Completed before a crash (the object is there), or aborted by R2: look.
  const head = await h.bucket.head(u.objectKey);
  if (h.stopped()) return "idle";
  if (isFailure(head)) return head;
  return head.sizeBytes === u.sizeBytes ? record(h, u, h.uploads.entries(), u.sizeBytes, nowMs) : abandon(h, u, nowMs);
}

/** Records the uploaded segment — only while still leading its epoch, else abandons it. */
function record(h: UploadHost, u: Upload, entries: IndexEntry[], storedBytes: number, nowMs: number): StepOutcome {
  // The cleaner rewrote the range meanwhile (it only ever shrinks batches): the object holds what it no longer does.
  if (storedBytes !== u.sizeBytes || h.leading() !== u.leaderEpoch || rangeBytes(h.log, u) !== u.sizeBytes) return abandon(h, u, nowMs);
  h.log.storage.transactionSync(() => {
    const complete = h.remote.syncedSeq() >= 0;
    const { baseOffset, lastOffset, sizeBytes, maxTimestampMs, leaderEpoch, objectKey } = u;
    h.remote.insert({ baseOffset, lastOffset, sizeBytes, maxTimestampMs, leaderEpoch, objectKey, recordedAtMs: nowMs }, entries);
    if (complete) h.remote.setSyncedSeq(h.remote.seq()); // what followers verify their own against (remote-sync.ts)
    h.uploads.clear();
  });
  return "progress";
}

/** Gives the upload up: its object and multipart upload become owed deletes. */
function abandon(h: UploadHost, u: Upload, nowMs: number): StepOutcome {
  h.log.storage.transactionSync(() => {
    h.outbox.owe(u.objectKey, u.uploadId, nowMs);
    h.uploads.clear();
  });
  return "progress";
}

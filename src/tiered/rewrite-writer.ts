/**
 * Writing a remote segment's cleaned batches as a new object, one bounded
 * step at a time (each at most one call to the bucket), as the uploader
 * copies a local segment: the staged batches go up as one put once the
 * whole segment is staged and fits in `partBytes`, or else as a multipart
 * upload one part per step as soon as a part's worth is staged (so at
 * most about one part is ever staged); then the new object is recorded in
 * place of the old one (remote-segments-store.ts).
 *
 * Only the leader of the epoch that staged it writes it, and only while
 * the segment it replaces is still recorded as it was; otherwise, or when
 * the bucket lost the multipart upload, the rewrite is given up: its
 * object and upload become owed deletes, and — but when the segment itself
 * went (retention) — the step answers why, so the cleaner's pass starts
 * over rather than end with the segment's copy in the bucket uncleaned. A
 * memory that was replaced (a restart) writes nothing after its call
 * returns.
 */
import { ErrorCode, failure, type Failure, isFailure } from "../errors";
import type { PartitionLog } from "../log/partition-log";
import { type Bucket, isGone } from "./bucket";
import type { Outbox } from "./outbox";
import type { IndexEntry, RemoteLog, RemoteSegment } from "./remote-log";
import type { Rewrite, RewriteState } from "./rewrite-state";
import { readChunk } from "./segment-bytes";

/** What writing a rewrite needs from the replica. */
export interface WriterHost {
  readonly log: PartitionLog;
  readonly remote: RemoteLog;
  readonly outbox: Outbox;
  readonly bucket: Bucket;
  readonly rewrites: RewriteState;
  /** The epoch this replica leads now, or null when it does not lead. */
  leading(): number | null;
  /** True once this memory was replaced: it must write nothing more. */
  stopped(): boolean;
  /** Records the new segment in place of the old one (one transaction; the rewrite is cleared with it). */
  recordInPlace(segment: Omit<RemoteSegment, "id" | "seq">, entries: IndexEntry[], nowMs: number): void;
}

/** One step of writing the rewrite in progress: "idle" when it owes nothing now (none, more to stage first, or emptied). */
export async function writeStep(h: WriterHost, nowMs: number): Promise<"idle" | "progress" | Failure> {
  const w = h.rewrites.current();
  if (w === null || h.stopped()) return "idle";
  const old = replaced(h, w);
  if (old === null) return giveUp(h, w, nowMs); // retention took the segment: nothing is left to clean
  if (h.leading() !== w.leaderEpoch) return givenUp(h, w, nowMs, "this replica no longer leads the epoch that staged it");
  const whole = w.stagedTo > w.lastOffset;
  if (whole && w.sizeBytes === 0) return "idle"; // emptied: the cleaner drops the segment
  const unsent = w.sizeBytes - w.cursor.position;
  if (!whole && unsent < w.partBytes) return "idle";
  if (w.uploadId === null && whole && w.sizeBytes <= w.partBytes) return putWhole(h, w, old, nowMs);
  if (w.uploadId === null) return startUpload(h, w);
  if (unsent > 0) return sendPart(h, w, nowMs);
  return complete(h, w, old, nowMs);
}

/** Gives the rewrite up: its object and multipart upload become owed deletes; the old segment stays in force. */
export function giveUp(h: Pick<WriterHost, "log" | "outbox" | "rewrites">, w: Rewrite, nowMs: number): "progress" {
  h.log.storage.transactionSync(() => {
    h.outbox.owe(w.objectKey, w.uploadId, nowMs);
    h.rewrites.clear();
  });
  return "progress";
}

/** Gives the rewrite up (see `giveUp`) and answers why: the pass that staged it must start over. */
function givenUp(h: WriterHost, w: Rewrite, nowMs: number, why: string): Failure {
  giveUp(h, w, nowMs);
  return failure(ErrorCode.ILLEGAL_STATE, `the rewrite of remote segment ${w.baseOffset} was given up: ${why}`, null);
}

/** The segment `w` replaces, when still recorded as it was when staging began; else null. */
function replaced(h: WriterHost, w: Rewrite): RemoteSegment | null {
  const old = h.remote.segments().find((s) => s.objectKey === w.oldKey);
  return old !== undefined && old.baseOffset === w.baseOffset && old.lastOffset === w.lastOffset ? old : null;
}

async function putWhole(h: WriterHost, w: Rewrite, old: RemoteSegment, nowMs: number): Promise<"progress" | Failure> {
  const entries: IndexEntry[] = [];
  const chunk = readChunk(h.log.sql, w.cursor, w.lastOffset, w.sizeBytes, entries, "remote_rewrite_batches");
  if (isFailure(chunk)) return givenUp(h, w, nowMs, chunk.message);
  const put = await h.bucket.put(w.objectKey, chunk.parts);
  if (h.stopped()) return "progress";
  if (isFailure(put)) return put;
  return record(h, w, old, entries, put.sizeBytes, nowMs);
}

async function startUpload(h: WriterHost, w: Rewrite): Promise<"progress" | Failure> {
  const created = await h.bucket.createUpload(w.objectKey);
  if (isFailure(created)) return created;
  // A replaced memory cannot store the id: R2 aborts the upload after 7 days (docs/storage.md).
  if (h.stopped()) return "progress";
  h.log.storage.transactionSync(() => h.rewrites.uploading(created.uploadId));
  return "progress";
}

async function sendPart(h: WriterHost, w: Rewrite, nowMs: number): Promise<"progress" | Failure> {
  const entries = h.rewrites.entries();
  const kept = Math.max(0, entries.length - 1); // the last stored entry's running max may still move
  const chunk = readChunk(h.log.sql, w.cursor, w.lastOffset, w.partBytes, entries, "remote_rewrite_batches");
  if (isFailure(chunk)) return givenUp(h, w, nowMs, chunk.message);
  const sent = await h.bucket.uploadPart(w.objectKey, w.uploadId!, w.parts.length + 1, chunk.parts);
  if (h.stopped()) return "progress";
  if (isFailure(sent)) return isGone(sent) ? givenUp(h, w, nowMs, sent.message) : sent;
  h.log.storage.transactionSync(() => h.rewrites.partDone({ partNumber: w.parts.length + 1, etag: sent.etag }, chunk.cursor, entries.slice(kept)));
  return "progress";
}

async function complete(h: WriterHost, w: Rewrite, old: RemoteSegment, nowMs: number): Promise<"progress" | Failure> {
  const done = await h.bucket.complete(w.objectKey, w.uploadId!, w.parts);
  if (h.stopped()) return "progress";
  if (isFailure(done)) return isGone(done) ? givenUp(h, w, nowMs, done.message) : done;
  return record(h, w, old, h.rewrites.entries(), done.sizeBytes, nowMs);
}

/** Records the new object in place of the old segment — only while still leading the epoch that staged it, else gives it up. */
function record(h: WriterHost, w: Rewrite, old: RemoteSegment, entries: IndexEntry[], storedBytes: number, nowMs: number): "progress" | Failure {
  if (replaced(h, w) === null) return giveUp(h, w, nowMs);
  if (storedBytes !== w.sizeBytes) return givenUp(h, w, nowMs, `the bucket stored ${storedBytes} bytes, not ${w.sizeBytes}`);
  if (h.leading() !== w.leaderEpoch) return givenUp(h, w, nowMs, "this replica no longer leads the epoch that staged it");
  const { baseOffset, lastOffset, recordedAtMs } = old;
  h.recordInPlace({ baseOffset, lastOffset, sizeBytes: w.sizeBytes, maxTimestampMs: w.maxTimestampMs, leaderEpoch: w.leaderEpoch, objectKey: w.objectKey, recordedAtMs }, entries, nowMs);
  return "progress";
}

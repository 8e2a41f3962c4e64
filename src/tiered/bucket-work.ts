/**
 * The bucket work besides copying, one bounded step each: settling owed
 * deletes (the outbox), and the orphan sweep — listing a partition's
 * objects a page at a time and owing the deletion of every one that is
 * neither recorded, nor being uploaded, nor already owed, once it is older
 * than the grace period (an upload in flight is never taken for one).
 */
import { isFailure, type Failure } from "../errors";
import { limits } from "../limits";
import type { Bucket } from "./bucket";
import { partitionPrefix } from "./object-keys";
import type { Outbox } from "./outbox";
import type { ReadCache } from "./read-cache";
import type { RemoteLog } from "./remote-log";
import type { UploadState } from "./upload-state";

/** What bucket work needs from the replica. */
export interface WorkHost {
  readonly remote: RemoteLog;
  readonly outbox: Outbox;
  readonly uploads: UploadState;
  readonly bucket: Bucket;
  readonly cache: ReadCache;
  readonly topicId: string;
  readonly partition: number;
  readonly storage: DurableObjectStorage;
  /** True once this memory was replaced: it must write nothing more. */
  stopped(): boolean;
  /** The key of the object the log cleaner is writing in place of a remote segment's, or null (remote-segments-store.ts). */
  rewriting(): string | null;
}

/** Where the sweep stands: the next page's cursor (null: from the start) and when it is next due (epoch ms). */
export interface SweepState {
  cursor: string | null;
  dueAtMs: number;
}

/**
 * Settles the owed deletes due now (up to `limits.remoteDeleteKeysPerStepMax`):
 * aborts first, then one delete of every key. A key a remote segment of
 * this replica records is never deleted (a deposed leader that rewrote a
 * segment owes its old object, which the new leader's rows it learned
 * still name): it is no longer owed.
 */
export async function settleOwed(h: WorkHost, nowMs: number): Promise<Failure | null> {
  const recorded = new Set(h.remote.segments().map((s) => s.objectKey));
  const named = h.outbox.due(nowMs, limits.remoteDeleteKeysPerStepMax).filter((o) => recorded.has(o.objectKey));
  if (named.length > 0) h.storage.transactionSync(() => h.outbox.done(named.map((o) => o.objectKey)));
  const owed = h.outbox.due(nowMs, limits.remoteDeleteKeysPerStepMax);
  if (owed.length === 0) return null;
  for (const o of owed.filter((o) => o.uploadId !== null)) {
    const aborted = await h.bucket.abort(o.objectKey, o.uploadId!);
    if (h.stopped()) return null;
    if (isFailure(aborted)) return failed(h, owed, nowMs, aborted);
  }
  const deleted = await h.bucket.delete(owed.map((o) => o.objectKey));
  if (h.stopped()) return null;
  if (isFailure(deleted)) return failed(h, owed, nowMs, deleted);
  h.storage.transactionSync(() => h.outbox.done(owed.map((o) => o.objectKey)));
  for (const o of owed) h.cache.forget(o.objectKey);
  return null;
}

function failed(h: WorkHost, owed: ReturnType<Outbox["due"]>, nowMs: number, f: Failure): Failure {
  h.storage.transactionSync(() => h.outbox.failed(owed, nowMs));
  return f;
}

/** Lists one page of the partition's objects and owes the deletion of its orphans older than `graceMs`. */
export async function sweepPage(h: WorkHost, sweep: SweepState, nowMs: number, graceMs: number): Promise<Failure | null> {
  const page = await h.bucket.list(partitionPrefix(h.topicId, h.partition), sweep.cursor);
  if (h.stopped()) return null;
  if (isFailure(page)) {
    sweep.dueAtMs = nowMs + limits.remoteRetryPauseMsMax;
    return page;
  }
  h.storage.transactionSync(() => {
    // Known as of now, after the listing: an upload recorded meanwhile is not an orphan.
    const known = new Set(h.remote.segments().map((s) => s.objectKey));
    const uploading = h.uploads.current()?.objectKey;
    const rewriting = h.rewriting();
    for (const o of page.objects) {
      if (known.has(o.key) || o.key === uploading || o.key === rewriting || h.outbox.has(o.key) || o.uploadedMs > nowMs - graceMs) continue;
      h.outbox.owe(o.key, null, nowMs);
    }
  });
  sweep.cursor = page.cursor;
  sweep.dueAtMs = page.cursor === null ? nowMs + limits.remoteSweepIntervalMs : nowMs;
  return null;
}

/**
 * A replica's tiered storage (Kafka's KIP-405, on R2): what the replica
 * object calls, in as few places as possible — its alarm (`tick`,
 * `dueMs`), its reads below the local log start (`read`,
 * `batchForTimestamp`), replication (`page`/`sent`/`met`/`synced` on the
 * leader, `apply` and `mark` on a follower), its views (`sizes`) and its
 * wipe (`close`).
 *
 * The alarm's work: retention (sync: local copies dropped, remote
 * segments past the whole log's retention owed for deletion), then at
 * most one call to the bucket per run, off the alarm (it never holds the
 * alarm up): an owed delete, a step of copying (leader), or a page of the
 * orphan sweep (leader). A failed call is retried with backoff, counted,
 * and logged once per run of failures. Followers never call the bucket
 * but to read (and to settle deletes they owed as leader).
 */
import type { SegmentStore } from "../cleaner/segment-store";
import { isFailure, type Failure } from "../errors";
import { limits } from "../limits";
import type { ReplicaState } from "../replication/replica-state";
import { Bucket } from "./bucket";
import { settleOwed, sweepPage, type SweepState } from "./bucket-work";
import { dropLocalBelow } from "./local-copies";
import { Outbox, retryAtMs } from "./outbox";
import { ReadCache } from "./read-cache";
import { RemoteLog } from "./remote-log";
import { RemoteReader } from "./remote-reader";
import { RemoteSegmentsStore } from "./remote-segments-store";
import { markOf, RemoteFollowers, type RemoteMark, type RemoteSync } from "./remote-sync";
import { applySync, copiedOffsetOf, retentionDueMs, retire } from "./tiered-apply";
import { nextRange, uploadStep } from "./uploader";
import { UploadState } from "./upload-state";

export class Tiered {
  readonly remote: RemoteLog;
  readonly outbox: Outbox;
  readonly uploads: UploadState;
  readonly bucket: Bucket;
  readonly cache = new ReadCache(limits.remoteReadCacheBytesMax);
  readonly reader: RemoteReader;
  readonly followers: RemoteFollowers;
  /** Bytes of one multipart part (`limits.remoteUploadPartBytes`; tests lower it, never below R2's 5 MiB). */
  partBytes: number = limits.remoteUploadPartBytes;
  /** How old an unrecorded object must be to count as an orphan (`limits.remoteOrphanGraceMs`; tests lower it). */
  orphanGraceMs: number = limits.remoteOrphanGraceMs;
  /** How long a remote segment's object the cleaner replaced stays (`limits.remoteReplacedDeleteDelayMs`; tests lower it). */
  replacedDelayMs: number = limits.remoteReplacedDeleteDelayMs;
  /** The remote segments as the log cleaner's segment store (leader only). */
  readonly segmentStore: RemoteSegmentsStore;
  readonly sweep: SweepState = { cursor: null, dueAtMs: Date.now() + limits.remoteSweepIntervalMs };
  /** The leader's word: below this every in-sync replica knows the remote copies (a follower's local retention). */
  leaderCopiedOffset = 0;
  /** The bucket call in flight, if any: one at a time. */
  private running: Promise<void> | null = null;
  private closed = false;
  /** Failed copying steps in a row, and when copying may try again. */
  private failures = 0;
  private retryAtMs = 0;

  constructor(private readonly r: ReplicaState) {
    const sql = r.log.sql;
    this.remote = new RemoteLog(sql);
    this.outbox = new Outbox(sql);
    this.uploads = new UploadState(sql);
    this.bucket = new Bucket(r.env.SEGMENTS);
    this.reader = new RemoteReader(this.remote, this.bucket, this.cache);
    this.followers = new RemoteFollowers(this.remote);
    const t = this;
    this.segmentStore = new RemoteSegmentsStore({
      log: r.log, remote: this.remote, outbox: this.outbox, bucket: this.bucket, cache: this.cache, reader: this.reader,
      get topicId() { return r.topicId; },
      get partition() { return r.partition; },
      get partBytes() { return t.partBytes; },
      get replacedDelayMs() { return t.replacedDelayMs; },
      leading: () => (r.isLeader() ? r.role.leaderEpoch : null),
      stopped: () => r.stopped || this.closed,
      rewritten: () => r.counters.cleanerRemoteRewritten(),
    });
  }

  /** The segment stores the log cleaner works through, in order: the remote segments first on the leader (while tiered storage is at work), then `local`. */
  cleanerStores(local: SegmentStore): SegmentStore[] {
    return this.r.isLeader() && this.active() ? [this.segmentStore, local] : [local];
  }

  /** Whether tiered storage is at work here: on for the topic, or remote segments left from when it was. */
  active(): boolean {
    return this.r.log.configs["remote.storage.enable"] || this.remote.segments().length > 0;
  }

  /** The alarm's work: retention, then one bucket step off the alarm when one is due. */
  tick(nowMs: number): void {
    const log = this.r.log;
    if (!this.active()) log.applyRetention(nowMs);
    else retire(this, this.r, nowMs);
    if (this.running === null && !this.closed && this.bucketDue(nowMs)) {
      this.running = this.run().finally(() => {
        this.running = null;
        this.r.schedule(Date.now());
      });
    }
  }

  /**
   * When retention or the bucket has work next (epoch ms), or null.
   * Without tiered storage at work, the local log's retention alone. No
   * bucket work is due while a call is in flight (its end asks again).
   */
  dueMs(nowMs: number): number | null {
    if (!this.active() && this.outbox.nextDueMs() === null) return this.r.log.retentionDueMs(nowMs);
    const due: number[] = [];
    const retention = this.active() ? retentionDueMs(this, this.r, nowMs) : this.r.log.retentionDueMs(nowMs);
    if (retention !== null) due.push(retention);
    if (this.running === null && !this.closed) {
      const owed = this.outbox.nextDueMs();
      if (owed !== null) due.push(owed);
      const leading = this.r.isLeader() && this.active();
      if (leading && this.copying()) due.push(Math.max(nowMs, this.retryAtMs));
      if (leading && this.sweeping()) due.push(this.sweep.dueAtMs);
    }
    return due.length === 0 ? null : Math.max(nowMs, Math.min(...due));
  }

  /** Whether a bucket step is due now. */
  private bucketDue(nowMs: number): boolean {
    if ((this.outbox.nextDueMs() ?? Number.POSITIVE_INFINITY) <= nowMs) return true;
    if (!this.r.isLeader() || !this.active()) return false;
    return (this.sweeping() && this.sweep.dueAtMs <= nowMs) || (this.copying() && this.retryAtMs <= nowMs);
  }

  /** Whether the orphan sweep has anything to look at: a partition that never copied a segment has no objects. */
  private sweeping(): boolean {
    return this.remote.segments().length > 0;
  }

  /** Whether copying has work: an upload in progress, or a closed segment to copy, that the log cleaner lets go up now. */
  private copying(): boolean {
    if (!this.r.log.configs["remote.storage.enable"]) return false;
    const range = this.uploads.current() ?? nextRange(this.r.log, this.remote);
    return range !== null && this.r.cleaner.uploadable(range.lastOffset);
  }

  /** Whole batches from the remote segment holding `offset` (below `endOffset`, about `maxBytes`): see RemoteReader.read. */
  read(offset: number, endOffset: number, maxBytes: number): Promise<Uint8Array[] | Failure> {
    return this.reader.read(offset, endOffset, maxBytes);
  }

  /** The first remote batch at or after `timestampMs`, or null when the answer is local (or there is none). */
  batchForTimestamp(timestampMs: number): Promise<Uint8Array | null | Failure> {
    return this.reader.batchForTimestamp(timestampMs);
  }

  /** Sizes for the partition view and /metrics. */
  sizes(): { localSizeBytes: number; remoteSizeBytes: number; remoteSegments: number; segmentsAwaitingUpload: number } {
    const log = this.r.log;
    const end = this.remote.endOffset() ?? log.localLogStartOffset;
    const awaiting = !log.configs["remote.storage.enable"]
      ? 0
      : log.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM segments WHERE closed = 1 AND last_offset >= ? AND last_offset < ?", end, log.highWatermark).one().n;
    return { localSizeBytes: log.sizeBytes(), remoteSizeBytes: this.remote.sizeBytes(), remoteSegments: this.remote.segments().length, segmentsAwaitingUpload: awaiting };
  }

  // ---- replication: the leader's side ----

  /** This replica leads a new epoch: nothing is known of the followers' remote rows yet. */
  lead(): void {
    this.followers.reset();
  }

  /** Follower `brokerId` shook hands with `mark`. */
  met(brokerId: number, mark: RemoteMark | undefined): void {
    this.followers.met(brokerId, mark);
  }

  /** The remote page for `brokerId`'s next replication call. */
  page(brokerId: number): RemoteSync | undefined {
    return this.followers.page(brokerId, this.r.log.logStartOffset, copiedOffsetOf(this, this.r));
  }

  /** `brokerId` applied `page`. */
  sent(brokerId: number, page: RemoteSync | undefined): void {
    if (page !== undefined) this.followers.sent(brokerId, page);
  }

  /** Whether `brokerId` knows every remote segment (to join the ISR). */
  synced(brokerId: number): boolean {
    return this.followers.synced(brokerId);
  }

  // ---- replication: the follower's side ----

  /** This replica's mark, for the leader's handshake. */
  mark(): RemoteMark {
    return markOf(this.remote);
  }

  /** Applies the leader's page (see remote-sync.ts). */
  apply(page: RemoteSync): void {
    applySync(this, this.r.log, page);
  }

  /** Waits for the bucket call in flight, if any. */
  async settled(): Promise<void> {
    await this.running;
  }

  /**
   * The replica is being wiped: no more bucket work; the upload in
   * progress and every owed multipart upload are aborted (objects go with
   * the topic's prefix, the controller's work). A failure to abort is
   * answered, so the wipe is retried.
   */
  async close(): Promise<Failure | null> {
    this.closed = true;
    await this.running;
    const current = this.uploads.current();
    const rewrite = this.segmentStore.rewrites.current();
    const inFlight = [current, rewrite].flatMap((u) => (u?.uploadId ? [{ objectKey: u.objectKey, uploadId: u.uploadId }] : []));
    const aborts = [...inFlight, ...this.outbox.all()];
    for (const a of aborts) {
      if (a.uploadId === null) continue;
      const aborted = await this.bucket.abort(a.objectKey, a.uploadId);
      if (isFailure(aborted)) return aborted;
    }
    return null;
  }

  /** Drops local segments wholly below `offset`, moving the log start to `logStartOffset` when given. */
  dropLocal(offset: number, logStartOffset?: number): void {
    const log = this.r.log;
    log.storage.transactionSync(() => dropLocalBelow(log, offset, logStartOffset));
    log.reload(false);
  }

  /** One bucket step: owed deletes first, then copying (leader), then the sweep (leader). */
  async stepOnce(nowMs: number): Promise<void> {
    const r = this.r;
    const host = this.host();
    if ((this.outbox.nextDueMs() ?? Number.POSITIVE_INFINITY) <= nowMs) return this.report("delete", await settleOwed(host, nowMs));
    if (!r.isLeader()) return;
    if (nowMs >= this.retryAtMs) {
      const outcome = await uploadStep(host, nowMs);
      if (isFailure(outcome)) return this.uploadFailed(outcome, nowMs);
      this.failures = 0;
      if (outcome === "progress") return;
    }
    if (this.sweeping() && this.sweep.dueAtMs <= nowMs) this.report("sweep", await sweepPage(host, this.sweep, nowMs, this.orphanGraceMs));
  }

  private async run(): Promise<void> {
    const r = this.r;
    if ((await r.deps.gate(r.brokerId)) !== null || r.stopped) return; // a down broker reaches nothing, the bucket included
    await this.stepOnce(Date.now());
  }

  private host() {
    const r = this.r;
    return {
      log: r.log, remote: this.remote, outbox: this.outbox, uploads: this.uploads, bucket: this.bucket, cache: this.cache,
      topicId: r.topicId, partition: r.partition, storage: r.log.storage, partBytes: this.partBytes,
      leading: () => (r.isLeader() ? r.role.leaderEpoch : null),
      stopped: () => r.stopped || this.closed,
      rewriting: () => this.segmentStore.rewriting(),
      uploadable: (lastOffset: number) => r.cleaner.uploadable(lastOffset),
    };
  }

  private uploadFailed(f: Failure, nowMs: number): void {
    if (this.failures === 0) this.report("upload", f);
    this.failures++;
    this.retryAtMs = retryAtMs(nowMs, this.failures - 1);
    this.r.counters.remoteUploadFailed();
  }

  /** One warning line for a bucket step that failed (it is retried). */
  private report(what: string, f: Failure | null): void {
    if (f === null) return;
    const r = this.r;
    console.warn(JSON.stringify({ level: "warn", event: `remote-${what}-failed`, topicId: r.topicId, partition: r.partition, broker: r.brokerId, error_code: f.error_code, error_name: f.error_name, message: f.message }));
  }
}

/**
 * One replica's local log in SQLite: record batches (one per row), dense
 * offsets, segments, the time index, retention, truncation and producer
 * keys. Knows nothing of roles: the replica object decides who may write.
 *
 * Invariant: logStartOffset <= highWatermark <= logEndOffset.
 */
import { assert, ErrorCode, failure, type Failure } from "../errors";
import { limits } from "../limits";
import { checkBatch, readBatchHeader, setBaseOffset, setLogAppendTime, setPartitionLeaderEpoch } from "../log/record-batch";
import { resolveConfigs, type ConfigOverrides, type TopicConfigs } from "../topic/configs";
import { ProducerKeys } from "./producer-keys";
import { nextExpiryMs, planRetention, type SegmentInfo } from "./retention";
import type { Positions, ProducerKeyRow } from "./types";

interface ActiveSegment extends SegmentInfo {
  createdAtMs: number;
}

type BatchRow = { base_offset: number; bytes: ArrayBuffer };


/** The last batch a replica holds: enough to tell whether two histories agree there. */
export interface BatchMark {
  baseOffset: number;
  crc: number;
  leaderEpoch: number;
}

export class PartitionLog implements Positions {
  configs: TopicConfigs;
  logStartOffset: number;
  highWatermark: number;
  logEndOffset: number;
  /** Closed segments, oldest first. */
  private closed: SegmentInfo[];
  /** The segment appends go to; null until the first append after a roll by retention. */
  private active: ActiveSegment | null;
  /** Running max of batch max timestamps: the time index's last entry. */
  private timeIndexMs: number;

  /** Idempotency-Keys remembered with the batches they produced. */
  readonly keys: ProducerKeys;

  private constructor(
    private readonly sql: SqlStorage,
    private readonly storage: DurableObjectStorage,
    readonly meta: Map<string, string>,
  ) {
    this.keys = new ProducerKeys(sql);
    this.configs = resolveConfigs(JSON.parse(meta.get("configs") ?? "{}") as ConfigOverrides);
    this.logStartOffset = Number(meta.get("log_start_offset"));
    const last = sql.exec<{ last_offset: number; time_index_ms: number }>(
      "SELECT last_offset, time_index_ms FROM batches ORDER BY base_offset DESC LIMIT 1",
    ).toArray()[0];
    this.logEndOffset = last === undefined ? this.logStartOffset : last.last_offset + 1;
    this.timeIndexMs = last?.time_index_ms ?? -1;
    // The checkpointed high watermark; never past what this replica holds.
    this.highWatermark = Math.min(Math.max(Number(meta.get("high_watermark") ?? "0"), this.logStartOffset), this.logEndOffset);
    this.closed = sql
      .exec<{ base_offset: number; last_offset: number; size_bytes: number; max_timestamp_ms: number }>(
        "SELECT base_offset, last_offset, size_bytes, max_timestamp_ms FROM segments WHERE closed = 1 ORDER BY base_offset",
      )
      .toArray()
      .map((r) => ({ baseOffset: r.base_offset, lastOffset: r.last_offset, sizeBytes: r.size_bytes, maxTimestampMs: r.max_timestamp_ms }));
    this.active = this.loadActive();
    this.checkInvariants();
  }

  /** The log in this storage, or null when the replica was never initialised (or was wiped). */
  static open(sql: SqlStorage, storage: DurableObjectStorage): PartitionLog | null {
    const meta = new Map(sql.exec<{ key: string; value: string }>("SELECT key, value FROM meta").toArray().map((r) => [r.key, r.value]));
    return meta.has("topic_id") ? new PartitionLog(sql, storage, meta) : null;
  }

  /** Writes the meta rows of a new replica and opens its (empty) log. */
  static create(sql: SqlStorage, storage: DurableObjectStorage, meta: Record<string, string>): PartitionLog {
    for (const [key, value] of Object.entries({ log_start_offset: "0", high_watermark: "0", ...meta })) {
      sql.exec("INSERT INTO meta (key, value) VALUES (?, ?)", key, value);
    }
    return PartitionLog.open(sql, storage)!;
  }

  /** Sets a meta value, in storage and in memory. */
  setMeta(key: string, value: string): void {
    this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", key, value);
    this.meta.set(key, value);
  }

  setConfigs(configs: ConfigOverrides): void {
    this.configs = resolveConfigs(configs);
    this.setMeta("configs", JSON.stringify(configs));
  }

  /** What is wrong with batches offered for append, or null. Checks CRC, size and offset space. */
  refuseBatches(batches: Uint8Array[]): Failure | null {
    if (batches.length === 0) return failure(ErrorCode.BAD_REQUEST, "no record batches to append");
    const sizeMax = Math.min(limits.batchBytesMax, this.configs["max.message.bytes"]);
    let records = 0;
    for (const batch of batches) {
      const problem = checkBatch(batch);
      if (problem !== null) return failure(ErrorCode.CORRUPT_MESSAGE, `refused record batch: ${problem}`);
      if (batch.length > sizeMax) return failure(ErrorCode.PAYLOAD_TOO_LARGE, `record batch of ${batch.length} bytes is over the ${sizeMax}-byte limit`);
      records += readBatchHeader(batch).recordCount;
    }
    if (this.logEndOffset + records > limits.offsetMax) return failure(ErrorCode.BAD_REQUEST, "the partition has run out of offsets");
    return null;
  }

  /**
   * Appends new batches at the log end as leader of `leaderEpoch`:
   * assigns offsets, stamps the epoch (and the time under LogAppendTime),
   * and records the producer key with the offsets its records got, all in
   * one transaction.
   */
  appendAsLeader(
    batches: Uint8Array[],
    leaderEpoch: number,
    nowMs: number,
    key: Omit<ProducerKeyRow, "baseOffset" | "recordCount"> | null,
  ): { baseOffset: number; logAppendTimeMs: number } {
    const logAppendTime = this.configs["message.timestamp.type"] === "LogAppendTime";
    const baseOffset = this.logEndOffset;
    this.transaction(() => {
      for (const batch of batches) {
        setBaseOffset(batch, this.logEndOffset);
        setPartitionLeaderEpoch(batch, leaderEpoch);
        if (logAppendTime) setLogAppendTime(batch, nowMs);
        this.insertBatch(batch, nowMs);
      }
      if (key !== null) this.keys.insert({ ...key, baseOffset, recordCount: this.logEndOffset - baseOffset });
    });
    return { baseOffset, logAppendTimeMs: logAppendTime ? nowMs : -1 };
  }

  /**
   * Appends batches copied from the leader as they are (offsets and epochs
   * already set), with the producer keys that came with them. They must
   * start at this log's end and be dense.
   */
  appendAsFollower(batches: Uint8Array[], keys: ProducerKeyRow[], nowMs: number): Failure | null {
    let next = this.logEndOffset;
    for (const batch of batches) {
      const problem = checkBatch(batch);
      if (problem !== null) return failure(ErrorCode.CORRUPT_MESSAGE, `refused replicated batch: ${problem}`);
      const h = readBatchHeader(batch);
      if (h.baseOffset !== next) return failure(ErrorCode.ILLEGAL_STATE, `replicated batch starts at ${h.baseOffset}, expected ${next}`);
      next = h.baseOffset + h.recordCount;
    }
    this.transaction(() => {
      for (const batch of batches) this.insertBatch(batch, nowMs);
      for (const k of keys) this.keys.insert(k);
    });
    return null;
  }

  private transaction(work: () => void): void {
    try {
      this.storage.transactionSync(work);
    } catch (e) {
      this.reload(); // the transaction rolled back; memory follows storage
      throw e;
    }
    this.checkInvariants();
  }

  private insertBatch(batch: Uint8Array, nowMs: number): void {
    const active = this.segmentFor(batch.length, nowMs);
    const h = readBatchHeader(batch);
    assert(h.baseOffset === this.logEndOffset, `batch at ${h.baseOffset} appended at log end ${this.logEndOffset}: offsets stay dense`);
    const lastOffset = h.baseOffset + h.recordCount - 1;
    this.timeIndexMs = Math.max(this.timeIndexMs, h.maxTimestampMs);
    this.sql.exec(
      `INSERT INTO batches (base_offset, last_offset, segment_base_offset, max_timestamp_ms, time_index_ms, leader_epoch, size_bytes, bytes)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      h.baseOffset, lastOffset, active.baseOffset, h.maxTimestampMs, this.timeIndexMs, h.partitionLeaderEpoch, batch.length, batch,
    );
    active.sizeBytes += batch.length;
    active.lastOffset = lastOffset;
    active.maxTimestampMs = Math.max(active.maxTimestampMs, h.maxTimestampMs);
    this.logEndOffset = lastOffset + 1;
  }

  /** The active segment, rolled first when the batch would overfill it or it is too old. */
  private segmentFor(batchBytes: number, nowMs: number): ActiveSegment {
    const a = this.active;
    const full = a !== null && a.sizeBytes > 0 && a.sizeBytes + batchBytes > this.configs["segment.bytes"];
    const old = a !== null && a.sizeBytes > 0 && nowMs - a.createdAtMs >= this.configs["segment.ms"];
    if (a !== null && !full && !old) return a;
    if (a !== null) this.closeActive();
    const next: ActiveSegment = { baseOffset: this.logEndOffset, lastOffset: this.logEndOffset - 1, sizeBytes: 0, maxTimestampMs: -1, createdAtMs: nowMs };
    this.sql.exec("INSERT INTO segments (base_offset, created_at_ms) VALUES (?, ?)", next.baseOffset, nowMs);
    this.active = next;
    return next;
  }

  private closeActive(): void {
    const a = this.active;
    if (a === null) return;
    this.sql.exec(
      "UPDATE segments SET closed = 1, size_bytes = ?, max_timestamp_ms = ?, last_offset = ? WHERE base_offset = ?",
      a.sizeBytes, a.maxTimestampMs, a.lastOffset, a.baseOffset,
    );
    if (a.sizeBytes > 0) this.closed.push({ baseOffset: a.baseOffset, lastOffset: a.lastOffset, sizeBytes: a.sizeBytes, maxTimestampMs: a.maxTimestampMs });
    else this.sql.exec("DELETE FROM segments WHERE base_offset = ?", a.baseOffset);
    this.active = null;
  }

  /**
   * How often the high watermark is written to storage: every move for a
   * replicated partition (a restarted leader must not serve less than it
   * did before its followers answer again), at most once per
   * `limits.hwCheckpointMs` for a single replica, whose high watermark is
   * its log end again as soon as it starts.
   */
  hwCheckpointIntervalMs: number = limits.hwCheckpointMs;

  /** Moves the high watermark forward (never back, never past the log end), checkpointing as above. */
  advanceHighWatermark(offset: number): boolean {
    const next = Math.min(offset, this.logEndOffset);
    if (next <= this.highWatermark) return false;
    this.highWatermark = next;
    const nowMs = Date.now();
    if (nowMs - this.hwCheckpointAtMs >= this.hwCheckpointIntervalMs) {
      this.setMeta("high_watermark", String(next));
      this.hwCheckpointAtMs = nowMs;
    }
    this.checkInvariants();
    return true;
  }

  private hwCheckpointAtMs = 0;

  /** Whole batches from the one holding `offset`, below `endOffset`, up to about `maxBytes` (at least one). */
  readBatches(offset: number, endOffset: number, maxBytes: number): Uint8Array[] | Failure {
    if (offset >= endOffset) return [];
    const cursor = this.sql.exec<BatchRow>(
      `SELECT base_offset, bytes FROM batches
       WHERE base_offset >= (SELECT base_offset FROM batches WHERE base_offset <= ?1 ORDER BY base_offset DESC LIMIT 1)
         AND base_offset < ?2
       ORDER BY base_offset`,
      offset,
      endOffset,
    );
    const out: Uint8Array[] = [];
    let bytes = 0;
    for (const row of cursor) {
      const batch = new Uint8Array(row.bytes);
      if (out.length > 0 && bytes + batch.length > maxBytes) break;
      const problem = checkBatch(batch);
      if (problem !== null) return corrupt(row.base_offset, problem);
      out.push(batch);
      bytes += batch.length;
    }
    assert(out.length > 0, `no batch holds offset ${offset} below ${endOffset}`);
    return out;
  }

  /** The first batch whose running max timestamp is at or after `timestampMs`, below the high watermark. */
  batchForTimestamp(timestampMs: number): Uint8Array | null | Failure {
    const row = this.sql
      .exec<BatchRow>(
        `SELECT base_offset, bytes FROM batches WHERE time_index_ms >= ? AND base_offset < ?
         ORDER BY time_index_ms, base_offset LIMIT 1`,
        timestampMs,
        this.highWatermark,
      )
      .toArray()[0];
    if (row === undefined) return null;
    const batch = new Uint8Array(row.bytes);
    const problem = checkBatch(batch);
    return problem === null ? batch : corrupt(row.base_offset, problem);
  }

  /** The last batch held, or null for an empty log. */
  lastBatch(): BatchMark | null {
    return this.markOf(this.sql.exec<BatchRow>("SELECT base_offset, bytes FROM batches ORDER BY base_offset DESC LIMIT 1").toArray()[0]);
  }

  /** The batch starting exactly at `baseOffset`, or null. */
  batchAt(baseOffset: number): BatchMark | null {
    return this.markOf(this.sql.exec<BatchRow>("SELECT base_offset, bytes FROM batches WHERE base_offset = ?", baseOffset).toArray()[0]);
  }

  private markOf(row: BatchRow | undefined): BatchMark | null {
    if (row === undefined) return null;
    const h = readBatchHeader(new Uint8Array(row.bytes));
    return { baseOffset: row.base_offset, crc: h.crc, leaderEpoch: h.partitionLeaderEpoch };
  }

  /**
   * Where epoch `epoch` ends in this log: the first offset written in a
   * later epoch, or the log end when no later epoch has written.
   */
  endOffsetForEpoch(epoch: number): number {
    const row = this.sql.exec<{ start: number | null }>("SELECT MIN(base_offset) AS start FROM batches WHERE leader_epoch > ?", epoch).one();
    return row.start ?? this.logEndOffset;
  }

  /** The start of the batch holding `offset`, or the log end when `offset` is at or past it. */
  batchBoundaryAtOrBelow(offset: number): number {
    if (offset >= this.logEndOffset) return this.logEndOffset;
    const row = this.sql.exec<{ base_offset: number }>("SELECT base_offset FROM batches WHERE base_offset <= ? ORDER BY base_offset DESC LIMIT 1", offset).toArray()[0];
    return row?.base_offset ?? this.logStartOffset;
  }

  /** Drops every batch at or after `offset` (a batch boundary) and the producer keys they carried. */
  truncateTo(offset: number): void {
    assert(offset >= this.logStartOffset && offset <= this.logEndOffset, `truncate to ${offset} within [${this.logStartOffset}, ${this.logEndOffset}]`);
    const straddles = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM batches WHERE base_offset < ? AND last_offset >= ?", offset, offset).one().n;
    assert(straddles === 0, `truncation point ${offset} is a batch boundary`);
    this.storage.transactionSync(() => {
      this.sql.exec("DELETE FROM batches WHERE base_offset >= ?", offset);
      this.sql.exec("DELETE FROM segments WHERE base_offset >= ?", offset);
      this.keys.dropFrom(offset);
      this.sql.exec("UPDATE segments SET closed = 0 WHERE base_offset = (SELECT MAX(base_offset) FROM segments)");
      if (this.highWatermark > offset) this.setMeta("high_watermark", String(offset));
    });
    this.reload();
  }

  /** Empties the log and starts it at `offset` (a follower too far behind the leader's retention). */
  resetTo(offset: number): void {
    this.storage.transactionSync(() => {
      this.sql.exec("DELETE FROM batches");
      this.sql.exec("DELETE FROM segments");
      this.keys.dropFrom(0);
      this.setMeta("log_start_offset", String(offset));
      this.setMeta("high_watermark", String(offset));
    });
    this.reload();
  }

  private reload(): void {
    const fresh = PartitionLog.open(this.sql, this.storage)!;
    this.logStartOffset = fresh.logStartOffset;
    this.logEndOffset = fresh.logEndOffset;
    this.highWatermark = fresh.highWatermark;
    this.closed = fresh.closed;
    this.active = fresh.active;
    this.timeIndexMs = fresh.timeIndexMs;
  }

  /** Deletes whole expired or excess segments below the high watermark; returns whether any went. */
  applyRetention(nowMs: number): boolean {
    const segments: SegmentInfo[] = this.active === null ? [...this.closed] : [...this.closed, this.active];
    // Only segments wholly below the high watermark may go: retention never takes uncommitted records.
    const eligible = segments.filter((s) => s.lastOffset < this.highWatermark);
    const count = planRetention(eligible, { retentionMs: this.configs["retention.ms"], retentionBytes: this.configs["retention.bytes"] }, nowMs);
    if (count === 0) return false;
    if (count > this.closed.length) this.closeActive();
    const remaining = this.closed.slice(count);
    const newStart = remaining[0]?.baseOffset ?? this.active?.baseOffset ?? this.logEndOffset;
    assert(newStart > this.logStartOffset && newStart <= this.highWatermark, "retention moves the log start forward, never past the high watermark");
    this.storage.transactionSync(() => {
      this.sql.exec("DELETE FROM batches WHERE base_offset < ?", newStart);
      this.sql.exec("DELETE FROM segments WHERE base_offset < ?", newStart);
      this.setMeta("log_start_offset", String(newStart));
    });
    this.closed = remaining;
    this.logStartOffset = newStart;
    this.checkInvariants();
    return true;
  }

  /** When retention next has work, or null when the log holds nothing. */
  retentionDueMs(nowMs: number): number | null {
    if (this.sizeBytes() === 0) return null;
    const segments = this.active === null ? this.closed : [...this.closed, this.active];
    const retentionBytes = this.configs["retention.bytes"];
    let dueMs = nowMs + limits.retentionCheckIntervalMs;
    if (retentionBytes >= 0 && this.sizeBytes() > retentionBytes && this.closed.length > 0) dueMs = nowMs;
    const expiry = nextExpiryMs(segments, { retentionMs: this.configs["retention.ms"], retentionBytes });
    if (expiry !== null) dueMs = Math.max(nowMs, Math.min(dueMs, expiry));
    return dueMs;
  }

  sizeBytes(): number {
    return this.closed.reduce((sum, s) => sum + s.sizeBytes, this.active?.sizeBytes ?? 0);
  }

  segmentsCount(): number {
    return this.closed.length + (this.active === null ? 0 : 1);
  }

  private checkInvariants(): void {
    assert(
      this.logStartOffset <= this.highWatermark && this.highWatermark <= this.logEndOffset,
      `logStart ${this.logStartOffset} <= hw ${this.highWatermark} <= leo ${this.logEndOffset}`,
    );
  }

  private loadActive(): ActiveSegment | null {
    const seg = this.sql.exec<{ base_offset: number; created_at_ms: number }>("SELECT base_offset, created_at_ms FROM segments WHERE closed = 0").toArray();
    assert(seg.length <= 1, "at most one active segment");
    const s = seg[0];
    if (s === undefined) return null;
    const stats = this.sql
      .exec<{ size: number | null; last: number | null; max_ts: number | null }>(
        "SELECT SUM(size_bytes) AS size, MAX(last_offset) AS last, MAX(max_timestamp_ms) AS max_ts FROM batches WHERE base_offset >= ?",
        s.base_offset,
      )
      .one();
    return {
      baseOffset: s.base_offset,
      createdAtMs: s.created_at_ms,
      sizeBytes: stats.size ?? 0,
      lastOffset: stats.last ?? s.base_offset - 1,
      maxTimestampMs: stats.max_ts ?? -1,
    };
  }
}


function corrupt(baseOffset: number, problem: string): Failure {
  return failure(ErrorCode.CORRUPT_MESSAGE, `corrupt record batch at offset ${baseOffset}: ${problem}`);
}

/**
 * One replica's local log in SQLite: record batches (one per row), dense
 * offsets, the high watermark, truncation, retention and producer keys.
 * Segments are kept by `Segments`, reads by `LogReads`. Knows nothing of
 * roles: the replica object decides who may write.
 *
 * Invariants, asserted after every change: log start offset <= high
 * watermark <= log end offset; offsets only grow (each batch starts at or
 * after the log end: dense as appended, with the gaps the log cleaner
 * leaves when a follower copies cleaned batches).
 */
import { assert, ErrorCode, failure, type Failure } from "../errors";
import { limits } from "../limits";
import { truncateCheckpoint } from "../cleaner/checkpoint";
import { checkStoredBatch, lastOffsetOf, readBatchHeader, setBaseOffset, setLogAppendTime, setPartitionLeaderEpoch } from "../record/record-batch";
import { deletes, resolveConfigs, type ConfigOverrides, type TopicConfigs } from "../topic/configs";
import { refusedBatches } from "./append-checks";
import { type Fence, Fences } from "./fences";
import { LocalSegments } from "./local-segments";
import { LogReads } from "./log-reads";
import { ProducerKeys, producerRow } from "./producer-keys";
import type { IdempotentAppend } from "./producer-state";
import { planRetention, type SegmentInfo } from "./retention";
import { Segments } from "./segments";
import { localStorageRefusal } from "../tiered/local-copies";
import type { AppendCondition, Positions, ProducerKeyRow } from "./types";

export type { BatchMark } from "./log-reads";

/** An Idempotency-Key to remember with an append (the log fills in its offsets). */
type NewKey = Omit<ProducerKeyRow, "baseOffset" | "recordCount">;

export class PartitionLog implements Positions {
  configs: TopicConfigs;
  logStartOffset: number;
  /** The first offset held here (tiered storage keeps what is below it in the bucket); >= logStartOffset. */
  localLogStartOffset: number;
  highWatermark: number;
  logEndOffset: number;
  private segments: Segments;
  /** Running max of batch max timestamps: the time index's last entry. */
  private timeIndexMs: number;

  /** Idempotency-Keys remembered with the batches they produced; the fencing tokens the log's fences set (fences.ts). */
  readonly keys: ProducerKeys;
  readonly fences: Fences;
  /** Reading stored batches back. */
  readonly reads: LogReads;
  /** The closed segments, for the log cleaner. */
  readonly closedSegments: LocalSegments;
  /** Bumped whenever storage changed under memory (truncation, reset, a rolled-back transaction): work begun before must not go on. */
  reloads = 0;

  /** How often the high watermark is stored: every move when replicated (a restarted leader must not serve less), else at most once per `limits.hwCheckpointMs`. */
  hwCheckpointIntervalMs: number = limits.hwCheckpointMs;
  private hwCheckpointAtMs = 0;
  /** Most bytes of batches held here before appends are refused (`limits.partitionLocalBytesMax`; tests lower it). */
  localBytesMax: number = limits.partitionLocalBytesMax;

  private constructor(readonly sql: SqlStorage, readonly storage: DurableObjectStorage, readonly meta: Map<string, string>) {
    this.keys = new ProducerKeys(sql);
    this.fences = new Fences(sql);
    this.reads = new LogReads(sql, this);
    this.closedSegments = new LocalSegments(sql, { segments: () => this.segments, transaction: (work) => this.transaction(work) });
    this.configs = resolveConfigs(JSON.parse(meta.get("configs") ?? "{}") as ConfigOverrides);
    this.logStartOffset = Number(meta.get("log_start_offset"));
    this.localLogStartOffset = Math.max(this.logStartOffset, Number(meta.get("local_log_start_offset") ?? "0"));
    const last = sql.exec<{ last_offset: number; time_index_ms: number }>("SELECT last_offset, time_index_ms FROM batches ORDER BY base_offset DESC LIMIT 1").toArray()[0];
    this.logEndOffset = last === undefined ? this.localLogStartOffset : last.last_offset + 1;
    this.timeIndexMs = last?.time_index_ms ?? -1;
    // The checkpointed high watermark; never past what this replica holds.
    this.highWatermark = Math.min(Math.max(Number(meta.get("high_watermark") ?? "0"), this.logStartOffset), this.logEndOffset);
    this.segments = new Segments(sql);
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

  /** What is wrong with batches offered for append, or null (append-checks.ts: CRC, size, offset space). */
  refuseBatches(batches: Uint8Array[]): Failure | null {
    return refusedBatches(batches, this.configs, this.logEndOffset) ?? localStorageRefusal(this.sizeBytes(), batches, this.localBytesMax);
  }

  /**
   * Appends new batches at the log end as leader of `leaderEpoch`:
   * assigns offsets, stamps the epoch (and the time under LogAppendTime),
   * and records the Idempotency-Key with the offsets its records got, or
   * each idempotent batch with its own — all in one transaction, which
   * first checks `condition` (fences.ts) and appends nothing when it fails.
   */
  appendAsLeader(batches: Uint8Array[], leaderEpoch: number, nowMs: number, key: NewKey | null, idempotent: IdempotentAppend | null, condition: AppendCondition = {}): { baseOffset: number; logAppendTimeMs: number } | Failure {
    const logAppendTime = this.configs["message.timestamp.type"] === "LogAppendTime";
    const baseOffset = this.logEndOffset;
    let refused = null as Failure | null;
    this.transaction(() => {
      refused = this.fences.refusal(condition, this.logEndOffset);
      if (refused !== null) return;
      for (let i = 0; i < batches.length; i++) {
        const batch = batches[i]!;
        const batchBase = this.logEndOffset;
        setBaseOffset(batch, batchBase);
        setPartitionLeaderEpoch(batch, leaderEpoch);
        if (logAppendTime) setLogAppendTime(batch, nowMs);
        this.insertBatch(batch, nowMs);
        const mark = idempotent?.batches[i];
        if (mark !== undefined) this.keys.insert(producerRow(mark, batchBase, nowMs));
      }
      if (key !== null) this.keys.insert({ ...key, baseOffset, recordCount: this.logEndOffset - baseOffset });
    });
    return refused ?? { baseOffset, logAppendTimeMs: logAppendTime ? nowMs : -1 };
  }

  /**
   * Appends batches copied from the leader as they are (offsets and epochs
   * already set), with the producer keys that came with them. They start
   * at or after this log's end, in order: dense, or with the gaps of the
   * leader's cleaned segments (whose batches may hold fewer records than
   * their offsets span, or none).
   */
  appendAsFollower(batches: Uint8Array[], keys: ProducerKeyRow[], nowMs: number): Failure | null {
    let next = this.logEndOffset;
    for (const batch of batches) {
      const problem = checkStoredBatch(batch);
      if (problem !== null) return failure(ErrorCode.CORRUPT_MESSAGE, `refused replicated batch: ${problem}`);
      const h = readBatchHeader(batch);
      if (h.baseOffset < next) return failure(ErrorCode.ILLEGAL_STATE, `replicated batch starts at ${h.baseOffset}, before ${next}`, "OFFSET_OUT_OF_RANGE");
      next = lastOffsetOf(h) + 1;
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
    const h = readBatchHeader(batch);
    assert(h.baseOffset >= this.logEndOffset, `batch at ${h.baseOffset} appended at or after log end ${this.logEndOffset}: offsets only grow`);
    const active = this.segments.forBatch(batch.length, h.baseOffset, nowMs, this.configs);
    const lastOffset = lastOffsetOf(h);
    // A batch stored without a max timestamp (-1, by versions before the Worker recomputed it) leaves the
    // running max as it is: as in Kafka, whose time index has no entry for such a batch, no lookup lands on it.
    this.timeIndexMs = Math.max(this.timeIndexMs, h.maxTimestampMs);
    this.fences.noteBatch(batch, h, this.highWatermark);
    this.sql.exec(
      `INSERT INTO batches (base_offset, last_offset, segment_base_offset, max_timestamp_ms, time_index_ms, leader_epoch, size_bytes, bytes)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      h.baseOffset, lastOffset, active.baseOffset, h.maxTimestampMs, this.timeIndexMs, h.partitionLeaderEpoch, batch.length, batch,
    );
    active.sizeBytes += batch.length;
    active.lastOffset = lastOffset;
    active.maxTimestampMs = Math.max(active.maxTimestampMs, h.maxTimestampMs);
    active.lastAppendMs = nowMs;
    this.logEndOffset = lastOffset + 1;
  }

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

  /** Drops every batch at or after `offset` (a batch boundary) and the producer keys they carried. */
  truncateTo(offset: number): void {
    assert(offset >= this.localLogStartOffset && offset <= this.logEndOffset, `truncate to ${offset} within [${this.localLogStartOffset}, ${this.logEndOffset}]`);
    const straddles = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM batches WHERE base_offset < ? AND last_offset >= ?", offset, offset).one().n;
    assert(straddles === 0, `truncation point ${offset} is a batch boundary`);
    this.storage.transactionSync(() => {
      this.sql.exec("DELETE FROM batches WHERE base_offset >= ?", offset);
      this.sql.exec("DELETE FROM segments WHERE base_offset >= ?", offset);
      this.keys.dropFrom(offset);
      this.fences.dropFrom(offset);
      this.sql.exec("UPDATE segments SET closed = 0 WHERE base_offset = (SELECT MAX(base_offset) FROM segments)");
      if (this.highWatermark > offset) this.setMeta("high_watermark", String(offset));
      truncateCheckpoint(this, offset);
    });
    this.reload();
  }

  /** Empties the local log and starts it at `offset` (a follower too far behind the leader's local log start; `fence`: the leader's in force there); the log at `logStartOffset`. */
  resetTo(offset: number, logStartOffset: number = offset, fence: Fence | null = null): void {
    assert(logStartOffset <= offset, `log start ${logStartOffset} <= local log start ${offset}`);
    this.storage.transactionSync(() => {
      this.sql.exec("DELETE FROM batches");
      this.sql.exec("DELETE FROM segments");
      this.keys.dropFrom(0);
      this.fences.resetTo(fence);
      this.setMeta("log_start_offset", String(logStartOffset));
      this.setMeta("local_log_start_offset", String(offset));
      this.setMeta("high_watermark", String(offset));
      truncateCheckpoint(this, offset);
    });
    this.reload();
  }

  /** Every segment held here, oldest first, the active one last. */
  localSegments(): SegmentInfo[] {
    return this.segments.all();
  }

  /** Memory follows storage again (a rolled-back transaction; local copies dropped: `cutBack` false, work begun goes on). */
  reload(cutBack = true): void {
    if (cutBack) this.reloads++;
    this.keys.forgetCopies(); // storage may differ from what was remembered (a rolled-back transaction)
    this.fences.forget();
    const fresh = PartitionLog.open(this.sql, this.storage)!;
    this.logStartOffset = fresh.logStartOffset;
    this.localLogStartOffset = fresh.localLogStartOffset;
    this.logEndOffset = fresh.logEndOffset;
    this.highWatermark = Math.max(fresh.highWatermark, Math.min(this.highWatermark, fresh.logEndOffset)); // the checkpoint may lag memory
    this.segments = fresh.segments;
    this.timeIndexMs = fresh.timeIndexMs;
  }

  /** Deletes whole expired or excess segments below the high watermark (cleanup.policy delete or compact,delete); returns whether any went. */
  applyRetention(nowMs: number): boolean {
    if (!deletes(this.configs)) return false;
    // Only segments wholly below the high watermark may go: retention never takes uncommitted records.
    const eligible = this.segments.all().filter((s) => s.lastOffset < this.highWatermark);
    const count = planRetention(eligible, { retentionMs: this.configs["retention.ms"], retentionBytes: this.configs["retention.bytes"] }, nowMs);
    if (count === 0) return false;
    this.#startAt(this.segments.startWithout(count, this.logEndOffset), count);
    return true;
  }

  /** Kafka's DeleteRecords: moves the log start forward to `offset` (at most the high watermark); whole segments below it go now. */
  moveLogStartTo(offset: number): void {
    this.#startAt(offset, this.segments.all().filter((s) => s.lastOffset < offset).length); // the oldest ones, wholly below it
  }

  /** Moves the log start forward to `offset`, deleting the oldest `count` segments (all wholly below it). */
  #startAt(offset: number, count: number): void {
    assert(offset > this.logStartOffset && offset <= this.highWatermark, `log start ${this.logStartOffset} moves forward to ${offset}, at most the high watermark ${this.highWatermark}`);
    const kept = this.segments.startWithout(count, this.logEndOffset);
    this.storage.transactionSync(() => {
      this.sql.exec("DELETE FROM batches WHERE base_offset < ?", kept);
      this.sql.exec("DELETE FROM segments WHERE base_offset < ?", kept);
      this.setMeta("log_start_offset", String(offset));
    });
    this.segments.dropOldest(count);
    this.logStartOffset = offset;
    this.localLogStartOffset = Math.max(this.localLogStartOffset, offset);
    this.checkInvariants();
  }

  /** When retention next has work (epoch ms), or null when the log holds nothing. */
  retentionDueMs(nowMs: number): number | null {
    return deletes(this.configs) ? this.segments.retentionDueMs(nowMs, this.configs) : null;
  }

  /** Bytes of batches held here, and their segments. */
  sizeBytes = (): number => this.segments.sizeBytes();
  segmentsCount = (): number => this.segments.count();

  private checkInvariants(): void {
    const { logStartOffset: start, localLogStartOffset: local, highWatermark: hw, logEndOffset: leo } = this;
    assert(start <= hw && hw <= leo && start <= local && local <= leo, `logStart ${start} <= hw ${hw} <= leo ${leo}, logStart <= localLogStart ${local} <= leo`);
  }
}

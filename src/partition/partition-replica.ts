/**
 * One replica of one topic partition: an ordered log of Kafka record
 * batches in SQLite, one batch per row, rolled into segments and trimmed
 * by retention from the alarm. Named `{topic id}/{partition}/{broker}`.
 *
 * Invariant: logStartOffset <= highWatermark <= logEndOffset, offsets dense.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { assert, ErrorCode, failure, type Failure } from "../errors";
import { limits } from "../limits";
import { checkBatch, readBatchHeader, setBaseOffset, setLogAppendTime, setPartitionLeaderEpoch } from "../log/record-batch";
import { resolveConfigs, type ConfigOverrides, type TopicConfigs } from "../topic/configs";
import { nextExpiryMs, planRetention, type SegmentInfo } from "./retention";
import { applySchema } from "../storage/schema";
import { PARTITION_SCHEMA } from "./schema";
import type { AppendArgs, AppendOk, DescribeOk, FetchArgs, FetchOk, InitArgs, Positions, TimestampLookupOk } from "./types";
import { Waiters } from "./waiters";

interface ActiveSegment extends SegmentInfo {
  createdAtMs: number;
}

interface LogState extends Positions {
  topicId: string;
  topicName: string;
  partition: number;
  configs: TopicConfigs;
  leaderEpoch: number;
  /** Closed segments, oldest first. */
  closed: SegmentInfo[];
  /** The segment appends go to; null until the first append after a roll by retention. */
  active: ActiveSegment | null;
  /** Running max of batch max timestamps: the time index's last entry. */
  timeIndexMs: number;
}

type BatchRow = {
  base_offset: number;
  bytes: ArrayBuffer;
};

export class PartitionReplica extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private log: LogState | null;
  private readonly waiters = new Waiters(limits.fetchWaitersMax);
  private alarmAtMs: number | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    applySchema(this.sql, PARTITION_SCHEMA);
    this.log = this.load();
  }

  /** Makes this object the replica of a new partition. Idempotent for the same topic id. */
  async init(args: InitArgs): Promise<{ ok: true } | Failure> {
    if (this.log !== null) {
      if (this.log.topicId === args.topicId) return { ok: true };
      return failure(ErrorCode.ILLEGAL_STATE, `replica already belongs to topic id ${this.log.topicId}`);
    }
    applySchema(this.sql, PARTITION_SCHEMA);
    const meta: Record<string, string> = {
      topic_id: args.topicId,
      topic_name: args.topicName,
      partition: String(args.partition),
      broker_id: String(args.brokerId),
      configs: JSON.stringify(args.configs),
      log_start_offset: "0",
      leader_epoch: "0",
    };
    for (const [key, value] of Object.entries(meta)) this.sql.exec("INSERT INTO meta (key, value) VALUES (?, ?)", key, value);
    this.log = this.load();
    return { ok: true };
  }

  /** Replaces the topic's config overrides (validated by the controller). */
  async setConfigs(topicId: string, configs: ConfigOverrides): Promise<{ ok: true } | Failure> {
    const log = this.topic(topicId);
    if (!("topicId" in log)) return log;
    log.configs = resolveConfigs(configs);
    this.sql.exec("UPDATE meta SET value = ? WHERE key = 'configs'", JSON.stringify(configs));
    this.alarmAtMs = null;
    this.scheduleRetention(Date.now());
    return { ok: true };
  }

  /** Appends whole batches atomically at the log end; all or none. */
  async append(args: AppendArgs): Promise<AppendOk | Failure> {
    const log = this.topic(args.topicId);
    if (!("topicId" in log)) return log;
    if (args.leaderEpoch !== log.leaderEpoch) {
      return failure(ErrorCode.LEADER_NOT_AVAILABLE, `leader epoch ${args.leaderEpoch} is not the current epoch ${log.leaderEpoch}`);
    }
    const refused = this.refuseBatches(log, args.batches);
    if (refused !== null) return refused;
    const nowMs = Date.now();
    const logAppendTime = log.configs["message.timestamp.type"] === "LogAppendTime";
    const baseOffset = log.logEndOffset;
    try {
      this.ctx.storage.transactionSync(() => {
        for (const batch of args.batches) this.appendBatch(log, batch, nowMs, logAppendTime);
      });
    } catch (e) {
      this.log = this.load(); // the transaction rolled back; memory follows storage
      throw e;
    }
    log.highWatermark = log.logEndOffset; // one replica: the leader alone is the ISR
    this.checkInvariants(log);
    this.waiters.wakeAll();
    this.scheduleRetention(nowMs);
    return {
      ok: true,
      baseOffset,
      lastOffset: log.logEndOffset - 1,
      logAppendTimeMs: logAppendTime ? nowMs : -1,
      highWatermark: log.highWatermark,
    };
  }

  /** Whole batches from `offset` up to the high watermark, waiting at the high watermark. */
  async read(args: FetchArgs): Promise<FetchOk | Failure> {
    let log = this.topic(args.topicId);
    if (!("topicId" in log)) return log;
    const outOfRange = this.outOfRange(log, args.offset);
    if (outOfRange !== null) return outOfRange;
    if (args.offset === log.highWatermark && args.timeoutMs > 0) {
      const parked = this.waiters.wait(Math.min(args.timeoutMs, limits.fetchWaitMsMax));
      if (parked !== false) await parked;
      log = this.topic(args.topicId);
      if (!("topicId" in log)) return log;
      const moved = this.outOfRange(log, args.offset);
      if (moved !== null) return moved;
    }
    const batches = this.readBatches(log, args.offset, Math.min(args.maxBytes, limits.fetchBytesMax));
    if (!Array.isArray(batches)) return batches;
    return { ok: true, batches, ...positions(log) };
  }

  /** The first batch whose running max timestamp is at or after `timestampMs`. */
  async batchForTimestamp(topicId: string, timestampMs: number): Promise<TimestampLookupOk | Failure> {
    const log = this.topic(topicId);
    if (!("topicId" in log)) return log;
    const row = this.sql
      .exec<BatchRow>(
        `SELECT base_offset, bytes FROM batches WHERE time_index_ms >= ? AND base_offset < ?
         ORDER BY time_index_ms, base_offset LIMIT 1`,
        timestampMs,
        log.highWatermark,
      )
      .toArray()[0];
    if (row === undefined) return { ok: true, batch: null, ...positions(log) };
    const batch = new Uint8Array(row.bytes);
    const problem = checkBatch(batch);
    if (problem !== null) return corrupt(row.base_offset, problem);
    return { ok: true, batch, ...positions(log) };
  }

  /** Offsets, size and epoch of this replica. */
  async describe(topicId: string): Promise<DescribeOk | Failure> {
    const log = this.topic(topicId);
    if (!("topicId" in log)) return log;
    return {
      ok: true,
      ...positions(log),
      leaderEpoch: log.leaderEpoch,
      sizeBytes: this.sizeBytes(log),
      segmentsCount: log.closed.length + (log.active === null ? 0 : 1),
    };
  }

  /** Deletes everything this replica holds; it answers as unknown until init again. */
  async wipe(): Promise<{ ok: true }> {
    this.log = null;
    this.alarmAtMs = null;
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    applySchema(this.sql, PARTITION_SCHEMA);
    this.waiters.wakeAll();
    return { ok: true };
  }

  /** Retention: deletes whole expired or excess segments, then reschedules. */
  override async alarm(): Promise<void> {
    this.alarmAtMs = null;
    const log = this.log;
    if (log === null) return;
    const nowMs = Date.now();
    this.applyRetention(log, nowMs);
    this.scheduleRetention(nowMs);
  }

  private topic(topicId: string): LogState | Failure {
    if (this.log === null || this.log.topicId !== topicId) {
      return failure(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "this partition does not exist (the topic may have been deleted)");
    }
    return this.log;
  }

  private outOfRange(log: LogState, offset: number): Failure | null {
    if (Number.isSafeInteger(offset) && offset >= log.logStartOffset && offset <= log.highWatermark) return null;
    return failure(
      ErrorCode.OFFSET_OUT_OF_RANGE,
      `offset ${offset} is outside [${log.logStartOffset}, ${log.highWatermark}] (log start offset to high watermark, inclusive)`,
    );
  }

  private refuseBatches(log: LogState, batches: Uint8Array[]): Failure | null {
    if (batches.length === 0) return failure(ErrorCode.BAD_REQUEST, "no record batches to append");
    let records = 0;
    for (const batch of batches) {
      const problem = checkBatch(batch);
      if (problem !== null) return failure(ErrorCode.CORRUPT_MESSAGE, `refused record batch: ${problem}`);
      const sizeMax = Math.min(limits.batchBytesMax, log.configs["max.message.bytes"]);
      if (batch.length > sizeMax) return failure(ErrorCode.PAYLOAD_TOO_LARGE, `record batch of ${batch.length} bytes is over the ${sizeMax}-byte limit`);
      records += readBatchHeader(batch).recordCount;
    }
    if (log.logEndOffset + records > limits.offsetMax) return failure(ErrorCode.BAD_REQUEST, "the partition has run out of offsets");
    return null;
  }

  private appendBatch(log: LogState, batch: Uint8Array, nowMs: number, logAppendTime: boolean): void {
    const active = this.segmentFor(log, batch.length, nowMs);
    const baseOffset = log.logEndOffset;
    setBaseOffset(batch, baseOffset);
    setPartitionLeaderEpoch(batch, log.leaderEpoch);
    if (logAppendTime) setLogAppendTime(batch, nowMs);
    const h = readBatchHeader(batch);
    const lastOffset = baseOffset + h.recordCount - 1;
    log.timeIndexMs = Math.max(log.timeIndexMs, h.maxTimestampMs);
    this.sql.exec(
      `INSERT INTO batches (base_offset, last_offset, segment_base_offset, max_timestamp_ms, time_index_ms, leader_epoch, size_bytes, bytes)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      baseOffset, lastOffset, active.baseOffset, h.maxTimestampMs, log.timeIndexMs, log.leaderEpoch, batch.length, batch,
    );
    active.sizeBytes += batch.length;
    active.lastOffset = lastOffset;
    active.maxTimestampMs = Math.max(active.maxTimestampMs, h.maxTimestampMs);
    log.logEndOffset = lastOffset + 1;
  }

  /** The active segment, rolled first when the batch would overfill it or it is too old. */
  private segmentFor(log: LogState, batchBytes: number, nowMs: number): ActiveSegment {
    const a = log.active;
    const full = a !== null && a.sizeBytes > 0 && a.sizeBytes + batchBytes > log.configs["segment.bytes"];
    const old = a !== null && a.sizeBytes > 0 && nowMs - a.createdAtMs >= log.configs["segment.ms"];
    if (a !== null && !full && !old) return a;
    if (a !== null) this.closeActive(log);
    const next: ActiveSegment = { baseOffset: log.logEndOffset, lastOffset: log.logEndOffset - 1, sizeBytes: 0, maxTimestampMs: -1, createdAtMs: nowMs };
    this.sql.exec("INSERT INTO segments (base_offset, created_at_ms) VALUES (?, ?)", next.baseOffset, nowMs);
    log.active = next;
    return next;
  }

  private closeActive(log: LogState): void {
    const a = log.active;
    if (a === null) return;
    this.sql.exec(
      "UPDATE segments SET closed = 1, size_bytes = ?, max_timestamp_ms = ?, last_offset = ? WHERE base_offset = ?",
      a.sizeBytes, a.maxTimestampMs, a.lastOffset, a.baseOffset,
    );
    if (a.sizeBytes > 0) log.closed.push({ baseOffset: a.baseOffset, lastOffset: a.lastOffset, sizeBytes: a.sizeBytes, maxTimestampMs: a.maxTimestampMs });
    else this.sql.exec("DELETE FROM segments WHERE base_offset = ?", a.baseOffset);
    log.active = null;
  }

  private readBatches(log: LogState, offset: number, maxBytes: number): Uint8Array[] | Failure {
    if (offset >= log.highWatermark) return [];
    const cursor = this.sql.exec<BatchRow>(
      `SELECT base_offset, bytes FROM batches
       WHERE base_offset >= (SELECT base_offset FROM batches WHERE base_offset <= ?1 ORDER BY base_offset DESC LIMIT 1)
         AND base_offset < ?2
       ORDER BY base_offset`,
      offset,
      log.highWatermark,
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
    assert(out.length > 0, `no batch holds offset ${offset} below the high watermark ${log.highWatermark}`);
    return out;
  }

  private applyRetention(log: LogState, nowMs: number): void {
    const segments: SegmentInfo[] = log.active === null ? [...log.closed] : [...log.closed, log.active];
    const count = planRetention(segments, { retentionMs: log.configs["retention.ms"], retentionBytes: log.configs["retention.bytes"] }, nowMs);
    if (count === 0) return;
    if (count > log.closed.length) this.closeActive(log);
    const remaining = log.closed.slice(count);
    const newStart = remaining[0]?.baseOffset ?? log.active?.baseOffset ?? log.logEndOffset;
    assert(newStart > log.logStartOffset && newStart <= log.highWatermark, "retention moves the log start forward, never past the high watermark");
    this.ctx.storage.transactionSync(() => {
      this.sql.exec("DELETE FROM batches WHERE base_offset < ?", newStart);
      this.sql.exec("DELETE FROM segments WHERE base_offset < ?", newStart);
      this.sql.exec("UPDATE meta SET value = ? WHERE key = 'log_start_offset'", String(newStart));
    });
    log.closed = remaining;
    log.logStartOffset = newStart;
    this.checkInvariants(log);
  }

  private scheduleRetention(nowMs: number): void {
    const log = this.log;
    if (log === null || this.sizeBytes(log) === 0) return;
    const segments = log.active === null ? log.closed : [...log.closed, log.active];
    const retentionBytes = log.configs["retention.bytes"];
    let dueMs = nowMs + limits.retentionCheckIntervalMs;
    if (retentionBytes >= 0 && this.sizeBytes(log) > retentionBytes && log.closed.length > 0) dueMs = nowMs;
    const expiry = nextExpiryMs(segments, { retentionMs: log.configs["retention.ms"], retentionBytes });
    if (expiry !== null) dueMs = Math.max(nowMs, Math.min(dueMs, expiry));
    if (this.alarmAtMs !== null && this.alarmAtMs <= dueMs) return;
    this.alarmAtMs = dueMs;
    void this.ctx.storage.setAlarm(dueMs);
  }

  private sizeBytes(log: LogState): number {
    return log.closed.reduce((sum, s) => sum + s.sizeBytes, log.active?.sizeBytes ?? 0);
  }

  private checkInvariants(log: LogState): void {
    assert(
      log.logStartOffset <= log.highWatermark && log.highWatermark <= log.logEndOffset,
      `logStart ${log.logStartOffset} <= hw ${log.highWatermark} <= leo ${log.logEndOffset}`,
    );
  }

  private load(): LogState | null {
    const meta = new Map(this.sql.exec<{ key: string; value: string }>("SELECT key, value FROM meta").toArray().map((r) => [r.key, r.value]));
    const topicId = meta.get("topic_id");
    if (topicId === undefined) return null;
    const logStartOffset = Number(meta.get("log_start_offset"));
    const last = this.sql.exec<{ last_offset: number; time_index_ms: number }>(
      "SELECT last_offset, time_index_ms FROM batches ORDER BY base_offset DESC LIMIT 1",
    ).toArray()[0];
    const logEndOffset = last === undefined ? logStartOffset : last.last_offset + 1;
    const closed = this.sql
      .exec<{ base_offset: number; last_offset: number; size_bytes: number; max_timestamp_ms: number }>(
        "SELECT base_offset, last_offset, size_bytes, max_timestamp_ms FROM segments WHERE closed = 1 ORDER BY base_offset",
      )
      .toArray()
      .map((r) => ({ baseOffset: r.base_offset, lastOffset: r.last_offset, sizeBytes: r.size_bytes, maxTimestampMs: r.max_timestamp_ms }));
    const log: LogState = {
      topicId,
      topicName: meta.get("topic_name") ?? "",
      partition: Number(meta.get("partition")),
      configs: resolveConfigs(JSON.parse(meta.get("configs") ?? "{}") as ConfigOverrides),
      leaderEpoch: Number(meta.get("leader_epoch")),
      logStartOffset,
      highWatermark: logEndOffset, // one replica: everything stored is committed
      logEndOffset,
      closed,
      active: this.loadActive(),
      timeIndexMs: last?.time_index_ms ?? -1,
    };
    this.checkInvariants(log);
    return log;
  }

  private loadActive(): ActiveSegment | null {
    const seg = this.sql.exec<{ base_offset: number; created_at_ms: number }>(
      "SELECT base_offset, created_at_ms FROM segments WHERE closed = 0",
    ).toArray();
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

function positions(log: LogState): Positions {
  return { logStartOffset: log.logStartOffset, highWatermark: log.highWatermark, logEndOffset: log.logEndOffset };
}

function corrupt(baseOffset: number, problem: string): Failure {
  return failure(ErrorCode.CORRUPT_MESSAGE, `corrupt record batch at offset ${baseOffset}: ${problem}`);
}

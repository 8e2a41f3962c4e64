/**
 * A replica's remembered producer keys: the offsets each keyed request
 * got here, until the key expires. Two kinds share the one table:
 * Idempotency-Keys (one row per request), and the batches of Kafka's
 * idempotent producers (one row per batch, keyed in a name space no
 * Idempotency-Key can reach, and only the newest
 * `limits.producerBatchesKeptMax` kept per producer). Rows are written
 * in the same transaction as the batches they describe, and travel to
 * followers with them; followers keep them by the same rules, so a new
 * leader answers retries as the old one would.
 */
import { limits } from "../limits";
import type { IdempotentAppend } from "./producer-state";
import type { ProducerBatchMark, ProducerKeyRow } from "./types";

type KeyRowSql = {
  key: string;
  fingerprint: string;
  base_offset: number;
  record_count: number;
  request_time_ms: number;
  expires_at_ms: number;
  producer_id: number | null;
  producer_epoch: number | null;
  first_sequence: number | null;
  last_sequence: number | null;
};

/**
 * The key of an idempotent producer's batch. It starts with a control
 * character, which an Idempotency-Key (printable ASCII) never holds.
 */
export function producerBatchKey(m: ProducerBatchMark): string {
  return `\u0001kafka:${m.producerId}:${m.producerEpoch}:${m.firstSequence}`;
}

/** The row remembering an idempotent producer's batch appended at `baseOffset` at `nowMs` (epoch ms). */
export function producerRow(mark: IdempotentAppend["batches"][number], baseOffset: number, nowMs: number): ProducerKeyRow {
  const { recordCount, ...producer } = mark;
  const expiresAtMs = nowMs + limits.producerIdExpirationMs;
  return { key: producerBatchKey(producer), fingerprint: "", baseOffset, recordCount, requestTimeMs: nowMs, expiresAtMs, producer };
}

export class ProducerKeys {
  /** The soonest expiry: undefined when not known yet, null when there are no keys. */
  private soonestExpiryMs: number | null | undefined = undefined;
  /**
   * A copy of recently used producers' remembered batches, newest first,
   * exactly as stored (least recently used dropped past
   * `limits.producerStatesCachedMax`), so checking an idempotent batch
   * reads no storage. Dropped whenever storage changes under it otherwise.
   */
  private readonly producers = new Map<number, ProducerKeyRow[]>();

  constructor(private readonly sql: SqlStorage) {}

  /** The key's row, or null when unknown or expired. */
  find(key: string, nowMs: number): ProducerKeyRow | null {
    const row = this.sql.exec<KeyRowSql>("SELECT * FROM producer_keys WHERE key = ? AND expires_at_ms > ?", key, nowMs).toArray()[0];
    return row === undefined ? null : toRow(row);
  }

  /** An idempotent producer's remembered batches, newest first (none once it expired). */
  producerBatches(producerId: number, nowMs: number): ProducerKeyRow[] {
    const rows = this.stored(producerId);
    // Expiry is judged by the newest batch: a producer expires after it stopped writing, not batch by batch.
    return rows.length === 0 || rows[0]!.expiresAtMs <= nowMs ? [] : rows;
  }

  /**
   * The base offsets of each idempotent producer's newest batch, of the
   * producers not expired at `nowMs`: the log cleaner keeps those batches,
   * emptied if need be (Kafka's last records of active producers).
   */
  activeProducersLastBatches(nowMs: number): Set<number> {
    const rows = this.sql
      .exec<{ base: number; expires: number }>("SELECT MAX(base_offset) AS base, MAX(expires_at_ms) AS expires FROM producer_keys WHERE producer_id IS NOT NULL GROUP BY producer_id")
      .toArray();
    return new Set(rows.filter((r) => r.expires > nowMs).map((r) => r.base));
  }

  /** Keys of batches starting in [from, to), in offset order. */
  between(from: number, to: number): ProducerKeyRow[] {
    return this.sql.exec<KeyRowSql>("SELECT * FROM producer_keys WHERE base_offset >= ? AND base_offset < ? ORDER BY base_offset", from, to).toArray().map(toRow);
  }

  /**
   * Remembers a key. A producer's batch (inserted in offset order) also
   * forgets that producer's batches of older epochs and all but its
   * newest `limits.producerBatchesKeptMax`.
   */
  insert(k: ProducerKeyRow): void {
    const soonest = this.nextExpiryMs();
    this.soonestExpiryMs = soonest === null ? k.expiresAtMs : Math.min(soonest, k.expiresAtMs);
    const p = k.producer;
    const before = p === null ? [] : this.stored(p.producerId);
    this.sql.exec(
      `INSERT OR REPLACE INTO producer_keys (key, fingerprint, base_offset, record_count, request_time_ms, expires_at_ms, producer_id, producer_epoch, first_sequence, last_sequence)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      k.key, k.fingerprint, k.baseOffset, k.recordCount, k.requestTimeMs, k.expiresAtMs,
      p?.producerId ?? null, p?.producerEpoch ?? null, p?.firstSequence ?? null, p?.lastSequence ?? null,
    );
    if (p === null) return;
    const kept = [k];
    for (const r of before) {
      if (r.key === k.key) continue;
      if (r.producer!.producerEpoch >= p.producerEpoch && kept.length < limits.producerBatchesKeptMax) kept.push(r);
      else this.sql.exec("DELETE FROM producer_keys WHERE key = ?", r.key);
    }
    this.cache(p.producerId, kept);
  }

  /**
   * Every idempotent producer this partition remembers (not expired), by
   * id: its newest batch's epoch and last sequence, and that batch's max
   * timestamp (its append time once the batch is gone from here).
   * Kafka's DescribeProducers.
   */
  activeProducers(nowMs: number): { producerId: number; producerEpoch: number; lastSequence: number; lastTimestampMs: number }[] {
    const rows = this.sql
      .exec<{ producer_id: number; producer_epoch: number; last_sequence: number; last_timestamp_ms: number }>(
        `SELECT k.producer_id, k.producer_epoch, k.last_sequence, COALESCE(b.max_timestamp_ms, k.request_time_ms) AS last_timestamp_ms
         FROM producer_keys k LEFT JOIN batches b ON b.base_offset = k.base_offset
         WHERE k.producer_id IS NOT NULL AND k.base_offset = (SELECT MAX(base_offset) FROM producer_keys WHERE producer_id = k.producer_id)
           AND k.expires_at_ms > ?
         ORDER BY k.producer_id`,
        nowMs,
      )
      .toArray();
    return rows.map((r) => ({ producerId: r.producer_id, producerEpoch: r.producer_epoch, lastSequence: r.last_sequence, lastTimestampMs: r.last_timestamp_ms }));
  }

  /** Forgets the copy of producers' batches: storage changed under it (truncation, expiry, a rolled-back transaction). */
  forgetCopies(): void {
    this.producers.clear();
  }

  /** The producer's stored batches, newest first: from the copy, else read (and kept). */
  private stored(producerId: number): ProducerKeyRow[] {
    const copy = this.producers.get(producerId);
    if (copy !== undefined) {
      this.cache(producerId, copy); // now the most recently used
      return copy;
    }
    const rows = this.sql
      .exec<KeyRowSql>("SELECT * FROM producer_keys WHERE producer_id = ? ORDER BY base_offset DESC LIMIT ?", producerId, limits.producerBatchesKeptMax)
      .toArray()
      .map(toRow);
    this.cache(producerId, rows);
    return rows;
  }

  private cache(producerId: number, rows: ProducerKeyRow[]): void {
    this.producers.delete(producerId);
    this.producers.set(producerId, rows);
    if (this.producers.size > limits.producerStatesCachedMax) this.producers.delete(this.producers.keys().next().value!);
  }

  /** Forgets keys of batches at or after `offset` (all with 0), for truncation. */
  dropFrom(offset: number): void {
    this.sql.exec("DELETE FROM producer_keys WHERE base_offset >= ?", offset);
    this.soonestExpiryMs = undefined;
    this.forgetCopies();
  }

  /** Forgets keys past their time. */
  expire(nowMs: number): void {
    this.sql.exec("DELETE FROM producer_keys WHERE expires_at_ms <= ?", nowMs);
    this.soonestExpiryMs = undefined;
    this.forgetCopies();
  }

  /** When the oldest key expires, or null (kept in memory; read from storage once). */
  nextExpiryMs(): number | null {
    if (this.soonestExpiryMs === undefined) {
      this.soonestExpiryMs = this.sql.exec<{ at: number | null }>("SELECT MIN(expires_at_ms) AS at FROM producer_keys").one().at;
    }
    return this.soonestExpiryMs;
  }
}

function toRow(r: KeyRowSql): ProducerKeyRow {
  const producer =
    r.producer_id === null ? null : { producerId: r.producer_id, producerEpoch: r.producer_epoch!, firstSequence: r.first_sequence!, lastSequence: r.last_sequence! };
  return {
    key: r.key,
    fingerprint: r.fingerprint,
    baseOffset: r.base_offset,
    recordCount: r.record_count,
    requestTimeMs: r.request_time_ms,
    expiresAtMs: r.expires_at_ms,
    producer,
  };
}

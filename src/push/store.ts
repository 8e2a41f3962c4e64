/**
 * What a push subscription object keeps in its SQLite (schema.ts): its
 * settings, each partition's retry state, the last error and the counters.
 */
import { limits } from "../limits";
import { LATENCY_BOUNDS_S } from "../metrics/series";
import type { LastError, PushCounters, SubscriptionConfig } from "./types";

/** The subscription as stored. */
export interface Stored {
  config: SubscriptionConfig;
  principal: string;
  secret: string | null;
  paused: boolean;
  createdAtMs: number;
}

/** A partition's retry state: failed attempts of the batch [batchOffset, batchNext) and the last one's error, the next attempt's time, stalled or not. */
export interface RetryState {
  attempts: number;
  batchOffset: number | null;
  batchNext: number | null;
  error: string | null;
  retryAtMs: number | null;
  stalled: boolean;
}

/** No failed attempt, nothing waiting. */
export const IDLE: RetryState = { attempts: 0, batchOffset: null, batchNext: null, error: null, retryAtMs: null, stalled: false };

type PartitionRow = {
  topic: string;
  partition: number;
  attempts: number;
  batch_offset: number | null;
  batch_next: number | null;
  error: string | null;
  retry_at_ms: number | null;
  stalled: number;
};

export class SubscriptionStore {
  #stored: Stored | null | undefined;

  constructor(private readonly sql: SqlStorage) {}

  /** The subscription, or null when there is none (kept in memory after the first read). */
  get(): Stored | null {
    if (this.#stored !== undefined) return this.#stored;
    const row = this.sql
      .exec<{ config: string; principal: string; secret: string | null; paused: number; created_at_ms: number }>(
        "SELECT config, principal, secret, paused, created_at_ms FROM subscription",
      )
      .toArray()[0];
    this.#stored = row === undefined ? null : { config: JSON.parse(row.config), principal: row.principal, secret: row.secret, paused: row.paused === 1, createdAtMs: row.created_at_ms };
    return this.#stored;
  }

  /** Stores a new subscription. */
  create(s: Stored): void {
    this.sql.exec(
      "INSERT INTO subscription (singleton, name, config, principal, secret, paused, created_at_ms) VALUES (0, ?, ?, ?, ?, ?, ?)",
      s.config.name, JSON.stringify(s.config), s.principal, s.secret, s.paused ? 1 : 0, s.createdAtMs,
    );
    this.#stored = s;
  }

  /** Pauses or resumes it. */
  setPaused(paused: boolean): void {
    this.sql.exec("UPDATE subscription SET paused = ?", paused ? 1 : 0);
    if (this.#stored) this.#stored = { ...this.#stored, paused };
  }

  /** Forgets what memory holds (after the storage was wiped). */
  forget(): void {
    this.#stored = null;
  }

  /** A partition's retry state (idle when it has none stored). */
  retry(topic: string, partition: number): RetryState {
    const row = this.sql.exec<PartitionRow>("SELECT * FROM partitions WHERE topic = ? AND partition = ?", topic, partition).toArray()[0];
    return row === undefined ? IDLE : rowState(row);
  }

  /** Every partition with retry state stored (waiting for a retry, or stalled). */
  retries(): (RetryState & { topic: string; partition: number })[] {
    return this.sql.exec<PartitionRow>("SELECT * FROM partitions").toArray().map((r) => ({ topic: r.topic, partition: r.partition, ...rowState(r) }));
  }

  /** Sets a partition's retry state; the idle state is stored as no row. */
  setRetry(topic: string, partition: number, r: RetryState): void {
    if (r.attempts === 0 && !r.stalled && r.retryAtMs === null) {
      this.sql.exec("DELETE FROM partitions WHERE topic = ? AND partition = ?", topic, partition);
      return;
    }
    this.sql.exec(
      "INSERT OR REPLACE INTO partitions (topic, partition, attempts, batch_offset, batch_next, error, retry_at_ms, stalled) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      topic, partition, r.attempts, r.batchOffset, r.batchNext, r.error, r.retryAtMs, r.stalled ? 1 : 0,
    );
  }

  /** Clears every partition's stall and pending retry (resume): each is tried afresh. */
  clearStalls(): void {
    this.sql.exec("DELETE FROM partitions");
  }

  /** The last error, or null. */
  lastError(): LastError | null {
    const row = this.sql
      .exec<{ message: string; topic: string; partition: number; offset: number | null; at_ms: number }>("SELECT message, topic, partition, offset, at_ms FROM last_error")
      .toArray()[0];
    return row === undefined ? null : { message: row.message, topic: row.topic, partition: row.partition, offset: row.offset, atMs: row.at_ms };
  }

  /** Records an error (its message clipped to `limits.pushErrorMessageLengthMax`). */
  setLastError(e: LastError): void {
    const message = e.message.length > limits.pushErrorMessageLengthMax ? `${e.message.slice(0, limits.pushErrorMessageLengthMax)}…` : e.message;
    this.sql.exec("INSERT OR REPLACE INTO last_error (singleton, message, topic, partition, offset, at_ms) VALUES (0, ?, ?, ?, ?, ?)", message, e.topic, e.partition, e.offset, e.atMs);
  }

  /** Adds to counters by name. */
  count(changes: Record<string, number>): void {
    for (const [name, n] of Object.entries(changes)) {
      if (n !== 0) this.sql.exec("INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value", name, n);
    }
  }

  /** Counts one accepted batch of `records` records, `latencyMs` after its first record's timestamp. */
  delivered(records: number, latencyMs: number): void {
    const latency = Math.max(0, latencyMs);
    const bucket = LATENCY_BOUNDS_S.findIndex((b) => latency / 1000 <= b);
    this.count({ batches_delivered: 1, records_delivered: records, latency_ms_sum: latency, [`latency_bucket_${bucket < 0 ? LATENCY_BOUNDS_S.length : bucket}`]: 1 });
  }

  /** The counters. */
  counters(): PushCounters {
    const all = new Map(this.sql.exec<{ name: string; value: number }>("SELECT name, value FROM counters").toArray().map((r) => [r.name, r.value]));
    const n = (name: string) => all.get(name) ?? 0;
    return {
      batchesDelivered: n("batches_delivered"),
      recordsDelivered: n("records_delivered"),
      failures: n("failures"),
      retries: n("retries"),
      deadLetters: n("dead_letters"),
      latencyMsSum: n("latency_ms_sum"),
      latencyBuckets: Array.from({ length: LATENCY_BOUNDS_S.length + 1 }, (_, i) => n(`latency_bucket_${i}`)),
    };
  }
}

function rowState(r: PartitionRow): RetryState {
  return { attempts: r.attempts, batchOffset: r.batch_offset, batchNext: r.batch_next, error: r.error, retryAtMs: r.retry_at_ms, stalled: r.stalled === 1 };
}

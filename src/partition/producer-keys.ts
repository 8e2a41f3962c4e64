/**
 * A replica's remembered producer keys (Idempotency-Keys): the offsets each
 * keyed request got here, until the key expires. Rows are written in the
 * same transaction as the batches they describe.
 */
import type { ProducerKeyRow } from "./types";

type KeyRowSql = {
  key: string;
  fingerprint: string;
  base_offset: number;
  record_count: number;
  request_time_ms: number;
  expires_at_ms: number;
};

export class ProducerKeys {
  /** The soonest expiry: undefined when not known yet, null when there are no keys. */
  private soonestExpiryMs: number | null | undefined = undefined;

  constructor(private readonly sql: SqlStorage) {}

  /** The key's row, or null when unknown or expired. */
  find(key: string, nowMs: number): ProducerKeyRow | null {
    const row = this.sql.exec<KeyRowSql>("SELECT * FROM producer_keys WHERE key = ? AND expires_at_ms > ?", key, nowMs).toArray()[0];
    return row === undefined ? null : toRow(row);
  }

  /** Keys of batches starting in [from, to). */
  between(from: number, to: number): ProducerKeyRow[] {
    return this.sql.exec<KeyRowSql>("SELECT * FROM producer_keys WHERE base_offset >= ? AND base_offset < ?", from, to).toArray().map(toRow);
  }

  insert(k: ProducerKeyRow): void {
    const soonest = this.nextExpiryMs();
    this.soonestExpiryMs = soonest === null ? k.expiresAtMs : Math.min(soonest, k.expiresAtMs);
    this.sql.exec(
      "INSERT OR REPLACE INTO producer_keys (key, fingerprint, base_offset, record_count, request_time_ms, expires_at_ms) VALUES (?, ?, ?, ?, ?, ?)",
      k.key, k.fingerprint, k.baseOffset, k.recordCount, k.requestTimeMs, k.expiresAtMs,
    );
  }

  /** Forgets keys of batches at or after `offset` (all with 0), for truncation. */
  dropFrom(offset: number): void {
    this.sql.exec("DELETE FROM producer_keys WHERE base_offset >= ?", offset);
    this.soonestExpiryMs = undefined;
  }

  /** Forgets keys past their time. */
  expire(nowMs: number): void {
    this.sql.exec("DELETE FROM producer_keys WHERE expires_at_ms <= ?", nowMs);
    this.soonestExpiryMs = undefined;
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
  return { key: r.key, fingerprint: r.fingerprint, baseOffset: r.base_offset, recordCount: r.record_count, requestTimeMs: r.request_time_ms, expiresAtMs: r.expires_at_ms };
}

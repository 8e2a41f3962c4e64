/**
 * Owed work on the bucket (schema step 4's `remote_deletes`): objects to
 * delete (retention took their segments, an upload was abandoned, the
 * sweep found an orphan) and multipart uploads to abort. A row is
 * written in the same transaction as the change that owes it, so a
 * crash never forgets one; it goes once the bucket confirms, and a
 * failure is retried with backoff (see `retryAtMs`).
 */
import { limits } from "../limits";

export interface OwedDelete {
  objectKey: string;
  /** A multipart upload to abort first, or null. */
  uploadId: string | null;
  attempts: number;
}

/** When attempt `attempts + 1` of work that failed `attempts` times is due: doubling from `remoteRetryFirstMs`, at most `remoteRetryPauseMsMax` apart. */
export function retryAtMs(nowMs: number, attempts: number): number {
  return nowMs + Math.min(limits.remoteRetryPauseMsMax, limits.remoteRetryFirstMs * 2 ** Math.min(attempts, 30));
}

export class Outbox {
  constructor(private readonly sql: SqlStorage) {}

  /**
   * Owes the deletion of `objectKey` (and the abort of `uploadId`, if any),
   * due at `dueAtMs` (epoch ms; default at once). Call inside the
   * transaction that owes it.
   */
  owe(objectKey: string, uploadId: string | null, nowMs: number, dueAtMs: number = nowMs): void {
    this.sql.exec(
      `INSERT INTO remote_deletes (object_key, upload_id, owed_since_ms, next_attempt_ms) VALUES (?, ?, ?, ?)
       ON CONFLICT (object_key) DO UPDATE SET upload_id = COALESCE(excluded.upload_id, upload_id), next_attempt_ms = excluded.next_attempt_ms`,
      objectKey, uploadId, nowMs, dueAtMs,
    );
  }

  /** The owed deletes due at `nowMs`, oldest first, at most `max`. */
  due(nowMs: number, max: number): OwedDelete[] {
    return this.sql
      .exec<{ object_key: string; upload_id: string | null; attempts: number }>(
        "SELECT object_key, upload_id, attempts FROM remote_deletes WHERE next_attempt_ms <= ? ORDER BY owed_since_ms LIMIT ?",
        nowMs, max,
      )
      .toArray()
      .map((r) => ({ objectKey: r.object_key, uploadId: r.upload_id, attempts: r.attempts }));
  }

  /** Every owed delete (the replica is being wiped). */
  all(): OwedDelete[] {
    return this.due(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  }

  /** The bucket confirmed these. */
  done(keys: string[]): void {
    for (const k of keys) this.sql.exec("DELETE FROM remote_deletes WHERE object_key = ?", k);
  }

  /** These failed: tried again later, each after its own backoff. */
  failed(owed: OwedDelete[], nowMs: number): void {
    for (const o of owed) {
      this.sql.exec("UPDATE remote_deletes SET attempts = attempts + 1, next_attempt_ms = ? WHERE object_key = ?", retryAtMs(nowMs, o.attempts), o.objectKey);
    }
  }

  /** Whether `objectKey` is owed (so the sweep leaves it to this). */
  has(objectKey: string): boolean {
    return this.sql.exec("SELECT 1 FROM remote_deletes WHERE object_key = ?", objectKey).toArray().length > 0;
  }

  /** When the next owed delete is due (epoch ms), or null when none is owed. */
  nextDueMs(): number | null {
    return this.sql.exec<{ t: number | null }>("SELECT MIN(next_attempt_ms) AS t FROM remote_deletes").one().t;
  }

  count(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM remote_deletes").one().n;
  }
}

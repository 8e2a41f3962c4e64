/**
 * The names of the push subscriptions (src/push), kept by the controller
 * so they can be listed — by GET …/subscriptions, a scrape of /metrics
 * and the alert rules. Each subscription's state lives in its own object.
 */
import { ErrorCode, failure, type Failure } from "../errors";
import { limits } from "../limits";

export class SubscriptionNames {
  constructor(private readonly sql: SqlStorage) {}

  /** Lists `name` (idempotent); 400 when the cluster holds `limits.subscriptionsCountMax` already. */
  register(name: string, nowMs: number): { ok: true } | Failure {
    const known = this.sql.exec("SELECT 1 FROM subscriptions WHERE name = ?", name).toArray().length > 0;
    if (!known && this.count() >= limits.subscriptionsCountMax) {
      return failure(ErrorCode.BAD_REQUEST, `the cluster has the most subscriptions allowed (${limits.subscriptionsCountMax})`);
    }
    this.sql.exec("INSERT OR IGNORE INTO subscriptions (name, created_at_ms) VALUES (?, ?)", name, nowMs);
    return { ok: true };
  }

  /** Stops listing `name` (idempotent). */
  unregister(name: string): void {
    this.sql.exec("DELETE FROM subscriptions WHERE name = ?", name);
  }

  /** Every subscription's name, in order. */
  list(): string[] {
    return this.sql.exec<{ name: string }>("SELECT name FROM subscriptions ORDER BY name").toArray().map((r) => r.name);
  }

  count(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM subscriptions").one().n;
  }
}

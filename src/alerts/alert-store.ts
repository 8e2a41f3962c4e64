/**
 * The controller's tables of alert rules (with their state) and of
 * webhook deliveries still owed. Bookkeeping only: alerting.ts decides.
 */
import type { AlertKind, AlertRule, AlertState, AlertView } from "./alert-rules";
import type { AlertNotice } from "./alert-state";

type RuleRow = {
  name: string;
  kind: string;
  target: string | null;
  threshold: number;
  for_ms: number;
  webhook_url: string;
  created_at_ms: number;
  state: string;
  since_ms: number | null;
  value: number | null;
  evaluated_at_ms: number | null;
};

/** A delivery owed: one notice to one webhook, and how its attempts went. */
export interface Delivery {
  id: number;
  alert: string;
  webhookUrl: string;
  body: string;
  firstAttemptMs: number;
  attempts: number;
  nextAttemptMs: number;
}

type DeliveryRow = { id: number; alert: string; webhook_url: string; body: string; first_attempt_ms: number; attempts: number; next_attempt_ms: number };

export class AlertStore {
  constructor(private readonly sql: SqlStorage) {}

  /** Every rule with its state, by name. */
  all(): AlertView[] {
    return this.sql.exec<RuleRow>("SELECT * FROM alert_rules ORDER BY name").toArray().map(toView);
  }

  find(name: string): AlertView | null {
    const row = this.sql.exec<RuleRow>("SELECT * FROM alert_rules WHERE name = ?", name).toArray()[0];
    return row === undefined ? null : toView(row);
  }

  count(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM alert_rules").one().n;
  }

  /** Adds a rule, inactive. */
  insert(rule: AlertRule): void {
    this.sql.exec(
      "INSERT INTO alert_rules (name, kind, target, threshold, for_ms, webhook_url, created_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)",
      rule.name, rule.kind, rule.target, rule.threshold, rule.forMs, rule.webhookUrl, rule.createdAtMs,
    );
  }

  /** Forgets a rule and the deliveries it still owed. */
  remove(name: string): void {
    this.sql.exec("DELETE FROM alert_rules WHERE name = ?", name);
    this.sql.exec("DELETE FROM alert_deliveries WHERE alert = ?", name);
  }

  saveState(name: string, s: AlertState): void {
    this.sql.exec(
      "UPDATE alert_rules SET state = ?, since_ms = ?, value = ?, evaluated_at_ms = ? WHERE name = ?",
      s.status, s.sinceMs, s.value, s.evaluatedAtMs, name,
    );
  }

  /** Queues a notice for `webhookUrl`, due at once; returns how many deliveries are queued now. */
  enqueue(notice: AlertNotice, webhookUrl: string, nowMs: number): number {
    this.sql.exec(
      "INSERT INTO alert_deliveries (alert, webhook_url, body, first_attempt_ms, next_attempt_ms) VALUES (?, ?, ?, ?, ?)",
      notice.alert, webhookUrl, JSON.stringify(notice), nowMs, nowMs,
    );
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM alert_deliveries").one().n;
  }

  /** Drops the oldest deliveries past `keep`; returns how many went. */
  dropOldest(keep: number): Delivery[] {
    const rows = this.sql.exec<DeliveryRow>("SELECT * FROM alert_deliveries ORDER BY id DESC LIMIT -1 OFFSET ?", keep).toArray();
    for (const r of rows) this.sql.exec("DELETE FROM alert_deliveries WHERE id = ?", r.id);
    return rows.map(toDelivery);
  }

  /** The oldest delivery of each alert (a later notice waits for the earlier one), due at or before `nowMs`. */
  due(nowMs: number): Delivery[] {
    return this.sql
      .exec<DeliveryRow>(
        `SELECT d.* FROM alert_deliveries d
         WHERE d.id = (SELECT MIN(id) FROM alert_deliveries e WHERE e.alert = d.alert) AND d.next_attempt_ms <= ?
         ORDER BY d.id`,
        nowMs,
      )
      .toArray()
      .map(toDelivery);
  }

  /** When the next delivery is due (epoch ms), or null when none is owed. */
  nextDueMs(): number | null {
    return this.sql.exec<{ at: number | null }>("SELECT MIN(next_attempt_ms) AS at FROM alert_deliveries").one().at;
  }

  /** A delivery was made (or given up): forget it. */
  delivered(id: number): void {
    this.sql.exec("DELETE FROM alert_deliveries WHERE id = ?", id);
  }

  /** A delivery failed: try again at `nextAttemptMs`. */
  failed(id: number, nextAttemptMs: number): void {
    this.sql.exec("UPDATE alert_deliveries SET attempts = attempts + 1, next_attempt_ms = ? WHERE id = ?", nextAttemptMs, id);
  }
}

function toView(r: RuleRow): AlertView {
  return {
    name: r.name,
    kind: r.kind as AlertKind,
    target: r.target,
    threshold: r.threshold,
    forMs: r.for_ms,
    webhookUrl: r.webhook_url,
    createdAtMs: r.created_at_ms,
    status: r.state as AlertState["status"],
    sinceMs: r.since_ms,
    value: r.value,
    evaluatedAtMs: r.evaluated_at_ms,
  };
}

function toDelivery(r: DeliveryRow): Delivery {
  return {
    id: r.id,
    alert: r.alert,
    webhookUrl: r.webhook_url,
    body: r.body,
    firstAttemptMs: r.first_attempt_ms,
    attempts: r.attempts,
    nextAttemptMs: r.next_attempt_ms,
  };
}

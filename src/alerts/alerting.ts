/**
 * The controller's alert rules: kept in its tables (alert-store.ts),
 * changed through `handle`, and evaluated from its alarm — the one the
 * controller also retries replica work from. Each run measures every
 * rule (alert-values.ts), steps its state (alert-state.ts), queues a
 * webhook notice when a rule fires or resolves, and delivers what is due:
 * a failed delivery is retried with backoff (`limits.alertRetryFirstMs`
 * doubling up to `limits.alertRetryPauseMsMax`) until
 * `limits.alertRetryForMs` after its first attempt. The notices of one
 * rule go out in order: a later one waits for the one before. The alarm
 * runs again every `limits.alertEvalIntervalMs` while any rule exists,
 * sooner when a delivery or a pending rule is due.
 */
import type { Env } from "../env";
import { ErrorCode, failure, type Failure } from "../errors";
import { limits } from "../limits";
import type { AlarmClock } from "../rpc/alarm-clock";
import { logBug } from "../rpc/boundary";
import { type AlertRequest, type AlertsOk, parseAlertRule } from "./alert-rules";
import { evaluate, firesAtMs, nextAttemptMs, type AlertNotice } from "./alert-state";
import { AlertStore, type Delivery } from "./alert-store";
import { measure } from "./alert-values";
import type { ControllerCounters } from "../controller/metrics";
import type { TopicStore } from "../controller/topic-store";

/** How many times one alarm run delivers again after a success (the next notice of that rule may be due at once). */
const DELIVERY_ROUNDS_MAX = 5;

export class Alerting {
  readonly alerts: AlertStore;
  /** Posts one notice; true when the webhook took it (a 2xx answer). Tests replace it. */
  send: (url: string, body: string) => Promise<boolean> = postJson;

  constructor(
    sql: SqlStorage,
    private readonly alarms: AlarmClock,
    private readonly env: Env,
    private readonly store: TopicStore,
    private readonly counters: ControllerCounters,
    /** The push subscriptions' names (subscription_stalled rules without a target watch them all). */
    private readonly subscriptions: () => string[] = () => [],
  ) {
    this.alerts = new AlertStore(sql);
  }

  /** Creates, lists, reads or deletes rules. */
  async handle(request: AlertRequest): Promise<AlertsOk | Failure> {
    if (request.op === "list") return { ok: true, rules: this.alerts.all() };
    if (request.op === "create") return this.create(request.rule);
    const found = this.alerts.find(request.name);
    if (found === null) return failure(ErrorCode.NOT_FOUND, `alert '${request.name}' not found`);
    if (request.op === "delete") this.alerts.remove(request.name);
    return { ok: true, rules: [found] };
  }

  private async create(body: Record<string, unknown>): Promise<AlertsOk | Failure> {
    const rule = parseAlertRule(body, Date.now());
    if (typeof rule === "string") return failure(ErrorCode.BAD_REQUEST, rule);
    if (this.alerts.find(rule.name) !== null) return failure(ErrorCode.BAD_REQUEST, `alert '${rule.name}' already exists; delete it first to change it`);
    if (this.alerts.count() >= limits.alertRulesMax) return failure(ErrorCode.BAD_REQUEST, `the cluster has the most alert rules allowed (${limits.alertRulesMax})`);
    this.alerts.insert(rule);
    await this.wakeAt(Date.now()); // evaluated at once
    return { ok: true, rules: [this.alerts.find(rule.name)!] };
  }

  /** The alarm's share: evaluate, deliver, and set the next run. Never throws: a bug is logged and the next run still set. */
  async alarm(): Promise<void> {
    try {
      await this.evaluateAll();
      await this.deliverDue();
    } catch (e) {
      logBug("Controller.alerts", e, { object: "Controller" });
    } finally {
      await this.scheduleNext().catch((e) => logBug("Controller.alerts.schedule", e, { object: "Controller" }));
    }
  }

  /** Measures every rule and steps it, queueing the notices that causes. */
  private async evaluateAll(): Promise<void> {
    const rules = this.alerts.all();
    if (rules.length === 0) return;
    const values = await measure(this.env, this.store, rules, Date.now() + limits.metricsScrapeMs, this.subscriptions);
    const nowMs = Date.now();
    for (const measured of rules) {
      const rule = this.alerts.find(measured.name);
      if (rule === null || rule.createdAtMs !== measured.createdAtMs) continue; // deleted (or made again) meanwhile
      const { next, notice } = evaluate(rule, rule, values.get(rule.name) ?? null, nowMs);
      this.alerts.saveState(rule.name, next);
      if (notice !== null) this.enqueue(notice, rule.webhookUrl, nowMs);
    }
  }

  private enqueue(notice: AlertNotice, webhookUrl: string, nowMs: number): void {
    const queued = this.alerts.enqueue(notice, webhookUrl, nowMs);
    if (queued <= limits.alertDeliveriesQueuedMax) return;
    for (const d of this.alerts.dropOldest(limits.alertDeliveriesQueuedMax)) this.dropped(d, "too many deliveries are queued");
  }

  /** Delivers every notice that is due (each rule's oldest first), again while deliveries succeed. */
  private async deliverDue(): Promise<void> {
    for (let round = 0; round < DELIVERY_ROUNDS_MAX; round++) {
      const due = this.alerts.due(Date.now());
      if (due.length === 0) return;
      const made = await Promise.all(due.map((d) => this.attempt(d)));
      if (!made.some(Boolean)) return;
    }
  }

  /** One attempt of one delivery; true when it was made. */
  private async attempt(d: Delivery): Promise<boolean> {
    const ok = await this.send(d.webhookUrl, d.body);
    const nowMs = Date.now();
    if (ok) {
      this.alerts.delivered(d.id);
      this.counters.add("alert_deliveries_delivered");
      return true;
    }
    const retryAtMs = nextAttemptMs(d.firstAttemptMs, d.attempts + 1, nowMs, {
      firstMs: limits.alertRetryFirstMs,
      pauseMsMax: limits.alertRetryPauseMsMax,
      retryForMs: limits.alertRetryForMs,
    });
    if (retryAtMs === null) {
      this.alerts.delivered(d.id);
      this.dropped(d, `the webhook did not take it for ${limits.alertRetryForMs} ms (${d.attempts + 1} attempts)`);
    } else {
      this.alerts.failed(d.id, retryAtMs);
      this.counters.add("alert_deliveries_failed");
    }
    return false;
  }

  private dropped(d: Delivery, why: string): void {
    this.counters.add("alert_deliveries_dropped");
    console.warn(JSON.stringify({ level: "warn", event: "alert-delivery-dropped", alert: d.alert, webhook: d.webhookUrl, body: d.body, why }));
  }

  /** Next run: the next evaluation while rules exist, or sooner for a delivery due or a pending rule that may fire. */
  private async scheduleNext(): Promise<void> {
    const rules = this.alerts.all();
    const due: number[] = [];
    if (rules.length > 0) due.push(Date.now() + limits.alertEvalIntervalMs);
    for (const r of rules) {
      const fires = firesAtMs(r, r);
      if (fires !== null) due.push(fires);
    }
    const delivery = this.alerts.nextDueMs();
    if (delivery !== null) due.push(delivery);
    if (due.length > 0) await this.wakeAt(Math.min(...due));
  }

  /** Sets the controller's alarm for `atMs` unless it is set sooner (the replica tasks share it). */
  private async wakeAt(atMs: number): Promise<void> {
    await this.alarms.atOrBefore(atMs);
  }
}

/**
 * POSTs `body` as JSON to `url`; true on a 2xx answer within `timeoutMs`
 * (default `limits.alertWebhookTimeoutMs`), false otherwise (then retried):
 * an error status, a redirect (not followed), no answer, or a slow one.
 */
export async function postJson(url: string, body: string, timeoutMs: number = limits.alertWebhookTimeoutMs): Promise<boolean> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "runnel-alerts" },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false; // unreachable, refused or too slow: a failed attempt, retried with backoff and counted
  }
}

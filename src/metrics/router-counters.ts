/**
 * The Worker's own counters, per isolate: requests by route, method and
 * error code with their latency, produce requests by topic and outcome,
 * SSE streams and records, scrape errors. Counting is a map update in
 * memory; the deltas go to the metrics object (router-metrics.ts) at most
 * every `limits.metricsFlushMs`, in the background of a request
 * (`waitUntil`), one batch at a time: a batch that did not go through is
 * sent again as it was (the object applies each batch number once) before
 * anything newer. What an isolate counted and had not sent when it ends
 * is lost — and no scrape ever showed it, so no counter goes down.
 */
import type { Env } from "../env";
import { reach } from "../rpc/call";
import { limits } from "../limits";
import { logBug } from "../rpc/boundary";
import type { Labels } from "./exposition";
import { routerMetricsStub } from "./router-metrics";
import { type DeltaBatch, type GaugeValue, type IsolateReport, type RouterTotals, SeriesTable } from "./router-series";
import { LATENCY_BOUNDS_S } from "./series";

class IsolateCounters {
  /** Made on first use: the global scope may not make random ids. */
  private id: string | null = null;
  private readonly pending = new SeriesTable();
  /** The batch sent and not yet acknowledged; sent again before anything newer. */
  private unacked: DeltaBatch | null = null;
  private seq = 0;
  private readonly gauges = new Map<string, GaugeValue>();
  private lastFlushMs = 0;
  private flushing = false;

  get isolateId(): string {
    this.id ??= crypto.randomUUID();
    return this.id;
  }

  /** Adds `n` to a counter. */
  count(name: string, labels: Labels, n = 1): void {
    if (n > 0) this.pending.addCounter(name, labels, n);
  }

  /** Observes one value (seconds) in a latency histogram. */
  observe(name: string, labels: Labels, seconds: number): void {
    const counts = new Array<number>(LATENCY_BOUNDS_S.length + 1).fill(0);
    const bucket = LATENCY_BOUNDS_S.findIndex((b) => seconds <= b);
    counts[bucket === -1 ? LATENCY_BOUNDS_S.length : bucket]! += 1;
    this.pending.addHistogram(name, labels, counts, seconds);
  }

  /** Moves a gauge of this isolate by `delta` (open SSE streams). */
  moveGauge(name: string, labels: Labels, delta: number): void {
    const key = JSON.stringify([name, labels]);
    const g = this.gauges.get(key) ?? [name, labels, 0];
    g[2] += delta;
    if (g[2] <= 0) this.gauges.delete(key);
    else this.gauges.set(key, g);
  }

  /** The report to send now: the unacknowledged batch again, else what is pending (null if nothing). */
  report(): IsolateReport {
    if (this.unacked === null && this.pending.size > 0) this.unacked = this.pending.drain(++this.seq);
    return { isolateId: this.isolateId, batch: this.unacked, gauges: [...this.gauges.values()] };
  }

  /** The metrics object applied the batch of `report`. */
  acknowledged(report: IsolateReport): void {
    if (report.batch !== null && this.unacked?.seq === report.batch.seq) this.unacked = null;
  }

  /** Whether a flush is due: something to send (or gauges to refresh), none in flight, and the last one long enough ago. */
  due(nowMs: number): boolean {
    if (this.flushing || nowMs - this.lastFlushMs < limits.metricsFlushMs) return false;
    return this.pending.size > 0 || this.unacked !== null || (this.gauges.size > 0 && nowMs - this.lastFlushMs >= limits.metricsIsolateStaleMs / 4);
  }

  /** Sends the report to the metrics object (see the module comment). Never throws. */
  async flush(env: Env): Promise<void> {
    this.flushing = true;
    this.lastFlushMs = Date.now();
    const report = this.report();
    try {
      const callee = { who: "the metrics object", where: "RouterCounters.flush", timeoutMs: limits.metricsAggregatorCallMs, warnUnreachable: true };
      const done = await reach(callee, () => routerMetricsStub(env).record(report));
      if (done.ok) this.acknowledged(report);
    } finally {
      this.flushing = false;
    }
  }

  /** Sends this isolate's report and answers the totals (a scrape); null if the metrics object did not answer in time. */
  async exchange(env: Env, timeoutMs: number): Promise<RouterTotals | null> {
    const report = this.report();
    const callee = { who: "the metrics object", where: "RouterCounters.exchange", timeoutMs };
    const totals = await reach<RouterTotals>(callee, () => routerMetricsStub(env).scrape(report));
    if (!totals.ok) return null;
    this.acknowledged(report);
    return totals;
  }
}

/** This isolate's counters. */
export const routerCounters = new IsolateCounters();

/** Flushes in the background of the request whose context is `ctx`, if a flush is due. */
export function flushIfDue(env: Env, ctx: { waitUntil(p: Promise<unknown>): void } | null): void {
  if (ctx === null || !routerCounters.due(Date.now())) return;
  ctx.waitUntil(routerCounters.flush(env).catch((e) => logBug("RouterCounters.flush", e)));
}

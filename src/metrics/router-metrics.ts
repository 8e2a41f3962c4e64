/**
 * The metrics object: one Durable Object that keeps the Worker's own
 * counters (requests, latencies, produce outcomes, SSE, scrape errors)
 * for the whole cluster. Each Worker isolate counts in memory and sends
 * its deltas here at most every `limits.metricsFlushMs` (router-counters.ts);
 * a batch is written to storage before it is acknowledged and numbered
 * per isolate, so a retried batch is applied once and totals survive any
 * restart. Gauges (open SSE streams) are each isolate's latest report,
 * summed over isolates heard from within `limits.metricsIsolateStaleMs`.
 * It also keeps, in memory, produce outcomes per topic over the last
 * `limits.alertRateWindowMs` for the produce_error_rate alert.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { limits } from "../limits";
import { guardRpc, type LogContext } from "../rpc/boundary";
import { applySchema } from "../rpc/schema-steps";
import { ProduceWindow } from "./produce-window";
import { type GaugeValue, type IsolateReport, type RouterTotals, SeriesTable } from "./router-series";
import { REQUESTS, SCRAPE } from "./series";

const SCHEMA = [
  // 1: counter and histogram totals (histograms: counts per bucket as JSON, value = sum), and what each isolate sent last.
  `CREATE TABLE series (key TEXT PRIMARY KEY, value REAL NOT NULL, counts TEXT);
   CREATE TABLE isolates (isolate_id TEXT PRIMARY KEY, last_seq INTEGER NOT NULL, gauges TEXT NOT NULL, seen_at_ms INTEGER NOT NULL);`,
];

type IsolateRow = { lastSeq: number; gauges: GaugeValue[]; seenAtMs: number };

export class RouterMetrics extends DurableObject<Env> implements LogContext {
  readonly #sql: SqlStorage;
  readonly #totals = new SeriesTable();
  readonly #isolates = new Map<string, IsolateRow>();
  readonly #window = new ProduceWindow();
  #prunedAtMs = 0;
  /** `limits.metricsRouterSeriesMax`; tests lower it to reach it. */
  seriesMax: number = limits.metricsRouterSeriesMax;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    applySchema(this.#sql, SCHEMA);
    for (const row of this.#sql.exec<{ key: string; value: number; counts: string | null }>("SELECT key, value, counts FROM series")) {
      const [name, pairs] = JSON.parse(row.key) as [string, [string, string][]];
      const labels = Object.fromEntries(pairs);
      if (row.counts === null) this.#totals.addCounter(name, labels, row.value);
      else this.#totals.addHistogram(name, labels, JSON.parse(row.counts) as number[], row.value);
    }
    for (const r of this.#sql.exec<{ isolate_id: string; last_seq: number; gauges: string; seen_at_ms: number }>("SELECT * FROM isolates")) {
      this.#isolates.set(r.isolate_id, { lastSeq: r.last_seq, gauges: JSON.parse(r.gauges) as GaugeValue[], seenAtMs: r.seen_at_ms });
    }
  }

  /** Takes an isolate's report: its batch (once, by number) and its gauges. */
  async record(report: IsolateReport): Promise<{ ok: true }> {
    this.#apply(report, Date.now());
    return { ok: true };
  }

  /** Takes the scraping isolate's report, then answers every total and the summed gauges. */
  async scrape(report: IsolateReport): Promise<RouterTotals> {
    const nowMs = Date.now();
    this.#apply(report, nowMs);
    const gauges = new SeriesTable();
    for (const isolate of this.#isolates.values()) {
      if (nowMs - isolate.seenAtMs <= limits.metricsIsolateStaleMs) for (const [name, labels, v] of isolate.gauges) gauges.addCounter(name, labels, v);
    }
    return { ok: true, counters: [...this.#totals.counters.values()], histograms: [...this.#totals.histograms.values()], gauges: [...gauges.counters.values()] };
  }

  /** The fraction of produce requests to `topic` (null: every topic) that failed over the last `limits.alertRateWindowMs`; 0 with none. */
  async produceErrorRate(topic: string | null): Promise<{ ok: true; value: number }> {
    return { ok: true, value: this.#window.rate(topic, Date.now()) };
  }

  logContext(): Record<string, unknown> {
    return { object: "RouterMetrics", series: this.#totals.size, isolates: this.#isolates.size };
  }

  #apply(report: IsolateReport, nowMs: number): void {
    const known = this.#isolates.get(report.isolateId);
    const batch = report.batch !== null && report.batch.seq > (known?.lastSeq ?? 0) ? report.batch : null;
    const lastSeq = batch?.seq ?? known?.lastSeq ?? 0;
    this.ctx.storage.transactionSync(() => {
      if (batch !== null) {
        let dropped = 0;
        for (const [name, labels, n] of batch.counters) {
          if (this.#full(name, labels)) dropped++;
          else this.#saveCounter(this.#totals.addCounter(name, labels, n));
          if (name === REQUESTS.produce.name) this.#window.add(String(labels.topic ?? ""), String(labels.error_code ?? ""), n, nowMs);
        }
        for (const [name, labels, counts, sum] of batch.histograms) {
          if (this.#full(name, labels)) dropped++;
          else this.#saveHistogram(this.#totals.addHistogram(name, labels, counts, sum));
        }
        if (dropped > 0) this.#saveCounter(this.#totals.addCounter(SCRAPE.seriesDropped.name, {}, dropped));
      }
      this.#isolates.set(report.isolateId, { lastSeq, gauges: report.gauges, seenAtMs: nowMs });
      this.#sql.exec(
        "INSERT OR REPLACE INTO isolates (isolate_id, last_seq, gauges, seen_at_ms) VALUES (?, ?, ?, ?)",
        report.isolateId, lastSeq, JSON.stringify(report.gauges), nowMs,
      );
      this.#prune(nowMs);
    });
  }

  /** Whether a new series may not be kept: the table holds `seriesMax` already. */
  #full(name: string, labels: Record<string, string | number>): boolean {
    return this.#totals.size >= this.seriesMax && !this.#totals.has(name, labels);
  }

  #saveCounter(key: string): void {
    this.#sql.exec("INSERT OR REPLACE INTO series (key, value, counts) VALUES (?, ?, NULL)", key, this.#totals.counters.get(key)![2]);
  }

  #saveHistogram(key: string): void {
    const [, , counts, sum] = this.#totals.histograms.get(key)!;
    this.#sql.exec("INSERT OR REPLACE INTO series (key, value, counts) VALUES (?, ?, ?)", key, sum, JSON.stringify(counts));
  }

  /** Forgets isolates long gone, at most once per stale period. */
  #prune(nowMs: number): void {
    if (nowMs - this.#prunedAtMs < limits.metricsIsolateStaleMs) return;
    this.#prunedAtMs = nowMs;
    const before = nowMs - limits.metricsIsolateForgetMs;
    for (const [id, row] of this.#isolates) if (row.seenAtMs < before) this.#isolates.delete(id);
    this.#sql.exec("DELETE FROM isolates WHERE seen_at_ms < ?", before);
  }
}

guardRpc(RouterMetrics, ["record", "scrape", "produceErrorRate"]);

/** The metrics object's stub (there is one, named "router-metrics"). */
export function routerMetricsStub(env: Pick<Env, "ROUTER_METRICS">): DurableObjectStub<RouterMetrics> {
  return env.ROUTER_METRICS.get(env.ROUTER_METRICS.idFromName("router-metrics"));
}

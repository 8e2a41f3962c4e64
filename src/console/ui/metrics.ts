/**
 * Throughput from `GET /metrics` (Prometheus text, docs/monitoring.md):
 * the records in/out counters of every partition replica, summed, and
 * differenced between two scrapes into records per second — as
 * Prometheus's `rate()` would, a counter that went down (a replica that
 * restarted, a topic made again) counts from zero. A series missing from
 * either scrape is left out of that step, never taken as 0.
 */
import type { Http } from "../../client/http";

export const RECORDS_IN = "runnel_partition_records_in_total";
export const RECORDS_OUT = "runnel_partition_records_out_total";

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\S+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/gy;

function unescapeLabel(text: string): string {
  return text.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
}

/** The samples of the families in `names` from Prometheus text (other lines and malformed ones are skipped). */
export function parseExposition(text: string, names: ReadonlySet<string>): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = LINE.exec(line);
    if (m === null || !names.has(m[1]!)) continue;
    const labels: Record<string, string> = {};
    const body = m[2] ?? "";
    LABEL.lastIndex = 0;
    let l: RegExpExecArray | null;
    while ((l = LABEL.exec(body)) !== null) labels[l[1]!] = unescapeLabel(l[2]!);
    const value = Number(m[3]);
    if (Number.isFinite(value)) out.push({ name: m[1]!, labels, value });
  }
  return out;
}

/** One scrape's counters by series identity (name and labels). */
export type Counters = Map<string, { name: string; topic: string; value: number }>;

/** The records in/out counters of a scrape, keyed by series. */
export function countersOf(text: string): Counters {
  const counters: Counters = new Map();
  for (const s of parseExposition(text, new Set([RECORDS_IN, RECORDS_OUT]))) {
    const id = `${s.name}|${s.labels.topic}|${s.labels.partition}|${s.labels.broker}`;
    counters.set(id, { name: s.name, topic: s.labels.topic ?? "", value: s.value });
  }
  return counters;
}

export interface Rates {
  /** Records per second appended, over all topics. */
  in: number;
  /** Records per second read by consumers of every kind. */
  out: number;
  /** The same per topic. */
  topics: Map<string, { in: number; out: number }>;
}

/** Rates between two scrapes `seconds` apart (see the module comment). */
export function ratesBetween(before: Counters, after: Counters, seconds: number): Rates {
  const rates: Rates = { in: 0, out: 0, topics: new Map() };
  for (const [id, now] of after) {
    const then = before.get(id);
    if (then === undefined) continue;
    const delta = (now.value >= then.value ? now.value - then.value : now.value) / seconds;
    const dir = now.name === RECORDS_IN ? "in" : "out";
    rates[dir] += delta;
    const topic = rates.topics.get(now.topic) ?? { in: 0, out: 0 };
    topic[dir] += delta;
    rates.topics.set(now.topic, topic);
  }
  return rates;
}

/** How often the overview scrapes (ms), and how many points of history it keeps (10 minutes). */
export const SCRAPE_EVERY_MS = 5_000;
export const HISTORY_POINTS = 120;

/** Throughput history, kept while the page lives (so leaving the overview and coming back keeps the chart). */
export class Throughput {
  readonly times: number[] = [];
  readonly inRates: (number | null)[] = [];
  readonly outRates: (number | null)[] = [];
  latest: Rates | null = null;
  private last: { at: number; counters: Counters } | null = null;

  /** Scrapes once and adds a point (the first scrape only sets the baseline). Throws the API's error. */
  async scrape(http: Http): Promise<void> {
    const text = await (await http.raw({ path: "/metrics", headers: { accept: "text/plain" }, timeoutMs: 15_000 })).text();
    const at = Date.now();
    const counters = countersOf(text);
    const last = this.last;
    this.last = { at, counters };
    if (last === null) return;
    // More than two periods without a scrape (the page was elsewhere): a gap, not a long average.
    if (at - last.at > 2.5 * SCRAPE_EVERY_MS) this.push(last.at / 1000 + 1, null, null);
    const rates = ratesBetween(last.counters, counters, (at - last.at) / 1000);
    this.latest = rates;
    this.push(at / 1000, rates.in, rates.out);
  }

  private push(t: number, inRate: number | null, outRate: number | null): void {
    this.times.push(t);
    this.inRates.push(inRate);
    this.outRates.push(outRate);
    const extra = this.times.length - HISTORY_POINTS;
    if (extra > 0) {
      this.times.splice(0, extra);
      this.inRates.splice(0, extra);
      this.outRates.splice(0, extra);
    }
  }
}

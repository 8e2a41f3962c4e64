/**
 * The shapes the Worker's isolates send their counters in, and the
 * in-memory series both sides keep. A series is a family name with its
 * labels; its key is both as JSON, labels sorted, so equal series meet.
 */
import type { Labels } from "./exposition";

/** A counter's delta: [family name, labels, amount]. */
export type CounterDelta = [name: string, labels: Labels, n: number];
/** A histogram's delta: [family name, labels, counts per bucket (not cumulative, +Inf last), sum]. */
export type HistogramDelta = [name: string, labels: Labels, counts: number[], sum: number];
/** A gauge's value now: [family name, labels, value]. */
export type GaugeValue = [name: string, labels: Labels, value: number];

/** What one isolate sends at once: its counters' deltas, numbered so a retried batch is applied once. */
export interface DeltaBatch {
  seq: number;
  counters: CounterDelta[];
  histograms: HistogramDelta[];
}

/** One isolate's report: a batch (or none) and its gauges now. */
export interface IsolateReport {
  isolateId: string;
  batch: DeltaBatch | null;
  gauges: GaugeValue[];
}

/** The totals the metrics object answers a scrape with (gauges summed over isolates that reported lately). */
export interface RouterTotals {
  ok: true;
  counters: CounterDelta[];
  histograms: HistogramDelta[];
  gauges: GaugeValue[];
}

/** The key of a series: its name and labels (sorted) as JSON. */
export function seriesKey(name: string, labels: Labels): string {
  return JSON.stringify([name, Object.keys(labels).sort().map((k) => [k, String(labels[k])])]);
}

/** Counter and histogram series by key, adding deltas. */
export class SeriesTable {
  readonly counters = new Map<string, CounterDelta>();
  readonly histograms = new Map<string, HistogramDelta>();

  get size(): number {
    return this.counters.size + this.histograms.size;
  }

  /** Adds to a counter; returns its key. */
  addCounter(name: string, labels: Labels, n: number): string {
    const key = seriesKey(name, labels);
    const s = this.counters.get(key);
    if (s === undefined) this.counters.set(key, [name, labels, n]);
    else s[2] += n;
    return key;
  }

  /** Adds a histogram's counts and sum; returns its key. */
  addHistogram(name: string, labels: Labels, counts: readonly number[], sum: number): string {
    const key = seriesKey(name, labels);
    const s = this.histograms.get(key);
    if (s === undefined) this.histograms.set(key, [name, labels, [...counts], sum]);
    else {
      counts.forEach((n, i) => {
        s[2][i] = (s[2][i] ?? 0) + n;
      });
      s[3] += sum;
    }
    return key;
  }

  has(name: string, labels: Labels): boolean {
    const key = seriesKey(name, labels);
    return this.counters.has(key) || this.histograms.has(key);
  }

  /** Takes everything out, as a batch numbered `seq`. */
  drain(seq: number): DeltaBatch {
    const batch = { seq, counters: [...this.counters.values()], histograms: [...this.histograms.values()] };
    this.counters.clear();
    this.histograms.clear();
    return batch;
  }
}

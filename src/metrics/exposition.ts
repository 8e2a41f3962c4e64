/**
 * Prometheus text exposition, version 0.0.4: per metric family one
 * `# HELP` and one `# TYPE` line, then its samples, one per line, as
 * `name{label="value",…} number`. Label values escape backslash, double
 * quote and newline; help text escapes backslash and newline. Histogram
 * buckets are written cumulative, ending with `le="+Inf"` (equal to
 * `_count`), then `_sum` and `_count`.
 */
import { assert } from "../errors";

export type MetricType = "counter" | "gauge" | "histogram";

/** A metric family: its full name (counters end in `_total`), type and help text. */
export interface Family {
  name: string;
  type: MetricType;
  help: string;
}

export type Labels = Record<string, string | number>;

/** The content type of the exposition. */
export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const NEEDS_ESCAPE = /[\\"\n]/;
/** Label names already checked (a scrape writes the same few on thousands of samples). */
const checkedLabelNames = new Set<string>();

export class Exposition {
  private readonly lines = new Map<Family, string[]>();

  /** Lists `families` first, in this order, so each family is written (HELP and TYPE) even with no samples. */
  constructor(families: readonly Family[] = []) {
    for (const f of families) this.linesOf(f);
  }

  /** One sample of a counter or gauge. */
  sample(family: Family, labels: Labels, value: number): void {
    assert(family.type !== "histogram", `${family.name} is a histogram: use histogram()`);
    this.linesOf(family).push(`${family.name}${labelText(labels)} ${numberText(value)}`);
  }

  /**
   * One histogram: `bounds` are the buckets' upper bounds (ascending,
   * finite), `counts` the observations per bucket, not cumulative, with
   * one more at the end for those above the last bound; `sum` of all.
   */
  histogram(family: Family, labels: Labels, bounds: readonly number[], counts: readonly number[], sum: number): void {
    assert(family.type === "histogram", `${family.name} is not a histogram`);
    assert(counts.length === bounds.length + 1, `${family.name}: ${counts.length} counts for ${bounds.length} bounds`);
    const out = this.linesOf(family);
    let cumulative = 0;
    bounds.forEach((bound, i) => {
      cumulative += counts[i]!;
      out.push(`${family.name}_bucket${labelText({ ...labels, le: numberText(bound) })} ${cumulative}`);
    });
    cumulative += counts[bounds.length]!;
    out.push(`${family.name}_bucket${labelText({ ...labels, le: "+Inf" })} ${cumulative}`);
    out.push(`${family.name}_sum${labelText(labels)} ${numberText(sum)}`);
    out.push(`${family.name}_count${labelText(labels)} ${cumulative}`);
  }

  /** The whole exposition, ending in a newline. */
  text(): string {
    const parts: string[] = [];
    for (const [f, samples] of this.lines) {
      parts.push(`# HELP ${f.name} ${f.help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`, `# TYPE ${f.name} ${f.type}`, ...samples);
    }
    return `${parts.join("\n")}\n`;
  }

  private linesOf(family: Family): string[] {
    let lines = this.lines.get(family);
    if (lines === undefined) {
      assert(NAME.test(family.name), `metric name ${family.name}`);
      assert(family.type !== "counter" || family.name.endsWith("_total"), `counter ${family.name} ends in _total`);
      this.lines.set(family, (lines = []));
    }
    return lines;
  }
}

/** `{a="1",b="x\"y"}`, or "" for no labels. */
function labelText(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return "";
  const parts = entries.map(([k, v]) => {
    if (!checkedLabelNames.has(k)) {
      assert(LABEL_NAME.test(k) && !k.startsWith("__"), `label name ${k}`);
      checkedLabelNames.add(k);
    }
    return `${k}="${escapeLabelValue(String(v))}"`;
  });
  return `{${parts.join(",")}}`;
}

/** A label value with backslash, double quote and newline escaped. */
export function escapeLabelValue(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** A sample value as Prometheus writes it: integers plainly, NaN and infinities by name. */
function numberText(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Number.POSITIVE_INFINITY) return "+Inf";
  if (v === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(v);
}

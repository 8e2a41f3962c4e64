/**
 * A strict parser of Prometheus text exposition 0.0.4, for tests: it
 * throws on anything a Prometheus server would refuse or a client library
 * would not write — a sample before its family's TYPE, a family split in
 * two, HELP or TYPE given twice, a bad name, label or escape, a duplicate
 * series, a counter not named `_total` or going negative, histogram
 * buckets not cumulative or without `le="+Inf"` equal to `_count`.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: string;
  help: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

export class Exposition {
  constructor(readonly families: Map<string, Family>) {}

  /** Every sample of series `name` (a family name, or a histogram's `_bucket`/`_sum`/`_count`) whose labels include `match`. */
  samples(name: string, match: Record<string, string | number> = {}): Sample[] {
    const family = this.families.get(name) ?? this.families.get(name.replace(/_(bucket|sum|count)$/, ""));
    return (family?.samples ?? []).filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === String(v)));
  }

  /** The sum of the matching samples' values (0 when none). */
  sum(name: string, match: Record<string, string | number> = {}): number {
    return this.samples(name, match).reduce((n, s) => n + s.value, 0);
  }

  /** The one matching sample's value; throws unless exactly one matches. */
  value(name: string, match: Record<string, string | number> = {}): number {
    const found = this.samples(name, match);
    if (found.length !== 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(match)}`);
    return found[0]!.value;
  }
}

/** Parses and checks `text`; throws with the line number on the first problem. */
export function parseExposition(text: string): Exposition {
  if (text.length > 0 && !text.endsWith("\n")) throw new Error("the exposition must end with a newline");
  const families = new Map<string, Family>();
  const finished = new Set<string>();
  let current: Family | null = null;
  const seen = new Set<string>();
  text.split("\n").forEach((line, i) => {
    const fail = (why: string): never => {
      throw new Error(`line ${i + 1}: ${why}: ${line}`);
    };
    if (line === "") return;
    if (line.startsWith("#")) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (m === null) return; // a plain comment
      const [, what, name, rest] = m as unknown as [string, string, string, string];
      if (!NAME.test(name)) fail("bad metric name");
      if (finished.has(name) && current?.name !== name) fail("family given twice");
      const family = families.get(name) ?? { name, type: "", help: "", samples: [] };
      if (family.samples.length > 0) fail(`${what} after samples`);
      if (what === "HELP") {
        if (family.help !== "") fail("HELP twice");
        family.help = unescapeHelp(rest, fail);
      } else {
        if (family.type !== "") fail("TYPE twice");
        if (!TYPES.has(rest)) fail("unknown type");
        family.type = rest;
      }
      families.set(name, family);
      if (current !== null && current.name !== name) finished.add(current.name);
      current = family;
      return;
    }
    const sample = parseSample(line, fail);
    const family = current;
    if (family === null || family.type === "" || !belongs(family, sample.name)) fail("sample outside its family (no TYPE before it)");
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seen.has(key)) fail("duplicate series");
    seen.add(key);
    if (family!.type === "counter") {
      if (!family!.name.endsWith("_total")) fail("counter not named _total");
      if (!(sample.value >= 0)) fail("counter below 0");
    }
    family!.samples.push(sample);
  });
  for (const f of families.values()) if (f.type === "histogram") checkHistogram(f);
  return new Exposition(families);
}

function belongs(family: Family, name: string): boolean {
  if (family.type === "histogram") return [`${family.name}_bucket`, `${family.name}_sum`, `${family.name}_count`].includes(name);
  return name === family.name;
}

function parseSample(line: string, fail: (why: string) => never): Sample {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)( -?\d+)?$/.exec(line);
  if (m === null) fail("not a sample line");
  const [, name, labelText, valueText] = m!;
  return { name: name!, labels: labelText === undefined ? {} : parseLabels(labelText, fail), value: parseValue(valueText!, fail) };
}

function parseLabels(text: string, fail: (why: string) => never): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 1;
  while (i < text.length - 1) {
    const eq = text.indexOf("=", i);
    const name = text.slice(i, eq);
    if (eq < 0 || !LABEL_NAME.test(name) || text[eq + 1] !== '"') fail(`bad label at ${i}`);
    if (Object.hasOwn(labels, name)) fail(`label ${name} twice`);
    let value = "";
    let j = eq + 2;
    for (; j < text.length && text[j] !== '"'; j++) {
      if (text[j] === "\n") fail("raw newline in a label value");
      if (text[j] !== "\\") {
        value += text[j];
        continue;
      }
      const next = text[++j];
      if (next === "\\") value += "\\";
      else if (next === '"') value += '"';
      else if (next === "n") value += "\n";
      else fail(`bad escape \\${next}`);
    }
    if (text[j] !== '"') fail("unterminated label value");
    labels[name] = value;
    i = j + 1;
    if (text[i] === ",") i++;
    else if (i !== text.length - 1) fail(`expected , or } at ${i}`);
  }
  return labels;
}

function parseValue(text: string, fail: (why: string) => never): number {
  if (text === "+Inf") return Number.POSITIVE_INFINITY;
  if (text === "-Inf") return Number.NEGATIVE_INFINITY;
  if (text === "NaN") return Number.NaN;
  if (!/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) fail(`bad value ${text}`);
  return Number(text);
}

function unescapeHelp(text: string, fail: (why: string) => never): string {
  return text.replace(/\\(.)/g, (_all, c: string) => (c === "\\" ? "\\" : c === "n" ? "\n" : fail(`bad escape in HELP \\${c}`)));
}

/** Per label set (without `le`): buckets ascending and cumulative, `+Inf` last and equal to `_count`, a `_sum`. */
function checkHistogram(f: Family): void {
  const sets = new Map<string, { buckets: [number, number][]; sum?: number; count?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const set = sets.get(key) ?? { buckets: [] };
    sets.set(key, set);
    if (s.name.endsWith("_bucket")) {
      if (le === undefined) throw new Error(`${f.name}: a bucket without le`);
      set.buckets.push([le === "+Inf" ? Number.POSITIVE_INFINITY : Number(le), s.value]);
    } else if (s.name.endsWith("_sum")) set.sum = s.value;
    else set.count = s.value;
  }
  for (const [key, set] of sets) {
    const where = `${f.name}${key}`;
    if (set.sum === undefined || set.count === undefined) throw new Error(`${where}: _sum and _count are required`);
    const last = set.buckets.at(-1);
    if (last === undefined || last[0] !== Number.POSITIVE_INFINITY) throw new Error(`${where}: the last bucket must be le="+Inf"`);
    if (last[1] !== set.count) throw new Error(`${where}: le="+Inf" (${last[1]}) must equal _count (${set.count})`);
    for (let i = 1; i < set.buckets.length; i++) {
      const [bound, n] = set.buckets[i]!;
      const [prevBound, prevN] = set.buckets[i - 1]!;
      if (!(bound > prevBound)) throw new Error(`${where}: le must ascend`);
      if (n < prevN) throw new Error(`${where}: buckets must be cumulative`);
    }
  }
}

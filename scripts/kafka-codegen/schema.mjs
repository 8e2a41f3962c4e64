// Kafka's message schema language: reading a message file (JSON with //
// comments) into messages, fields and version sets.

/** Removes // comments outside strings (Kafka's files carry them; JSON does not). */
export function stripComments(text) {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === "\\") out += text[++i];
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      out += "\n";
    } else out += c;
  }
  return out;
}

/**
 * A set of versions as sorted, disjoint, inclusive intervals
 * `[lo, hi]` (hi Infinity for "N+").
 */
export class Versions {
  constructor(intervals = []) {
    this.intervals = normalize(intervals);
  }

  /** Kafka's notation: "none", "N", "N-M", "N+". */
  static parse(spec) {
    if (spec === undefined || spec === "none" || spec === "") return new Versions();
    const plus = /^(\d+)\+$/.exec(spec);
    if (plus) return new Versions([[Number(plus[1]), Infinity]]);
    const range = /^(\d+)-(\d+)$/.exec(spec);
    if (range) return new Versions([[Number(range[1]), Number(range[2])]]);
    if (/^\d+$/.test(spec)) return new Versions([[Number(spec), Number(spec)]]);
    throw new Error(`not a version range: ${spec}`);
  }

  get empty() {
    return this.intervals.length === 0;
  }

  has(v) {
    return this.intervals.some(([lo, hi]) => v >= lo && v <= hi);
  }

  intersect(other) {
    const out = [];
    for (const [a, b] of this.intervals) for (const [c, d] of other.intervals) if (Math.max(a, c) <= Math.min(b, d)) out.push([Math.max(a, c), Math.min(b, d)]);
    return new Versions(out);
  }

  union(other) {
    return new Versions([...this.intervals, ...other.intervals]);
  }

  /** The versions from `lo` to `hi` inclusive. */
  static between(lo, hi) {
    return lo > hi ? new Versions() : new Versions([[lo, hi]]);
  }

  min() {
    return this.intervals[0]?.[0];
  }

  max() {
    return this.intervals.at(-1)?.[1];
  }

  equals(other) {
    return JSON.stringify(this.intervals) === JSON.stringify(other.intervals);
  }

  toString() {
    if (this.empty) return "none";
    return this.intervals.map(([lo, hi]) => (hi === Infinity ? `${lo}+` : lo === hi ? `${lo}` : `${lo}-${hi}`)).join(",");
  }
}

function normalize(intervals) {
  const sorted = intervals.filter(([lo, hi]) => lo <= hi).sort((a, b) => a[0] - b[0]);
  const out = [];
  for (const [lo, hi] of sorted) {
    const last = out.at(-1);
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

const PRIMITIVES = new Set(["bool", "int8", "int16", "uint16", "int32", "int64", "float64", "string", "uuid", "bytes", "records"]);

/** One field: its type split into array-ness and element type, its version sets, default, tag. */
function parseField(raw, where) {
  const array = raw.type.startsWith("[]");
  const element = array ? raw.type.slice(2) : raw.type;
  const struct = !PRIMITIVES.has(element);
  if (struct && !/^[A-Z]\w*$/.test(element)) throw new Error(`${where}: unknown type ${raw.type}`);
  if ((raw.tag === undefined) !== (raw.taggedVersions === undefined)) throw new Error(`${where}.${raw.name}: tag and taggedVersions go together`);
  return {
    name: raw.name,
    type: raw.type,
    array,
    element,
    struct,
    versions: Versions.parse(raw.versions),
    nullableVersions: Versions.parse(raw.nullableVersions),
    taggedVersions: Versions.parse(raw.taggedVersions),
    flexibleVersions: raw.flexibleVersions === undefined ? null : Versions.parse(raw.flexibleVersions),
    tag: raw.tag,
    default: raw.default,
    ignorable: raw.ignorable === true,
    about: raw.about ?? "",
    fields: struct ? (raw.fields ?? null)?.map((f) => parseField(f, `${where}.${raw.name}`)) : null,
  };
}

/** A message file's contents. */
export function parseMessage(text, file) {
  const raw = JSON.parse(stripComments(text));
  const where = raw.name ?? file;
  return {
    file,
    name: raw.name,
    type: raw.type,
    apiKey: raw.apiKey,
    validVersions: Versions.parse(raw.validVersions),
    flexibleVersions: Versions.parse(raw.flexibleVersions),
    latestVersionUnstable: raw.latestVersionUnstable === true,
    fields: (raw.fields ?? []).map((f) => parseField(f, where)),
    commonStructs: (raw.commonStructs ?? []).map((s) => ({ name: s.name, versions: Versions.parse(s.versions), fields: s.fields.map((f) => parseField(f, `${where}.${s.name}`)) })),
  };
}

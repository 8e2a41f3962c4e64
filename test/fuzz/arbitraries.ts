// Generators of hostile requests for the fuzz suite. Each generates a
// compact *spec* (what fast-check prints as a counterexample); `bodyOf`
// and friends turn a spec into the bytes that are sent.
import fc from "fast-check";
import type { AccessRule } from "../../src/router/access-rules";

/** `arb` one time in `oneIn`, else null (fc.option's `freq` weighs the other way). */
export function sometimes<T>(arb: fc.Arbitrary<T>, oneIn: number): fc.Arbitrary<T | null> {
  return fc.oneof({ weight: oneIn - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });
}

/** Keys that reach prototypes when code merges objects carelessly. */
export const PROTO_KEYS = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf"] as const;

/** Numbers, and strings that look like numbers, outside what any field accepts. */
const OUT_OF_RANGE = [
  -1, -0, 0.5, 1e308, -1e308, 2 ** 53, 2 ** 63, -(2 ** 63), Number.MAX_SAFE_INTEGER, 8_640_000_000_000_001, 1e21, 4294967296,
  "-1", "1e3", "0x1f", " 1", "1 ", "NaN", "Infinity", "-0", "١٢", "9".repeat(400), "",
];

/** Strings with control characters, lone surrogates and separators. */
const controlText = fc
  .array(fc.constantFrom("\u0000", "\u0001", "\u001f", "\u007f", "\n", "\r", "\t", "\u2028", "\ud800", "\udfff", "\ufeff", "a", "/", "%", ".", " ", "\\", '"'), { minLength: 1, maxLength: 12 })
  .map((cs) => cs.join(""));

/** A long name: `n` copies of one character. */
const longText = fc.record({ char: fc.constantFrom("a", "é", "\u0000", "%", "."), length: fc.constantFrom(256, 300, 1_000, 10_000) }).map(({ char, length }) => char.repeat(length));

/** A hostile string for a field. */
export const hostileString = fc.oneof(
  controlText,
  longText,
  fc.constantFrom(...PROTO_KEYS, "..", ".", "*", "User:*", "kafka-cluster", "%2F", "../..", "runnel.auth.x"),
  fc.string({ maxLength: 20 }),
);

/** A JSON object with an own `__proto__` (or other prototype) key, as JSON.parse makes one. */
const protoObject = fc.record({ key: fc.constantFrom(...PROTO_KEYS), inner: fc.jsonValue({ maxDepth: 1 }) }).map(({ key, inner }) => JSON.parse(`{"${key}":${JSON.stringify(inner) ?? "null"},"polluted":1}`) as unknown);

/** Nesting past the limit: written out only when the body is (so a counterexample prints as `Deep(5000)`). */
class Deep {
  constructor(readonly depth: number) {}
  toJSON(): unknown {
    return JSON.parse("[".repeat(this.depth) + "]".repeat(this.depth));
  }
  [fc.toStringMethod](): string {
    return `Deep(${this.depth})`;
  }
}
const deepValue = fc.constantFrom(200, 5_000).map((depth) => new Deep(depth) as unknown);

/** A value put where a well-formed body has a field. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...OUT_OF_RANGE) },
  { weight: 3, arbitrary: hostileString },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 1, arbitrary: protoObject },
  { weight: 1, arbitrary: deepValue },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}) },
);

/** A well-formed body for each route that takes one (mutations start here, to get past the first checks). */
export function templateFor(rule: AccessRule, topic: string): unknown {
  const p = rule.path;
  const value = { type: "STRING", data: "fz" };
  if (p.endsWith("/topics") && rule.method === "POST") return { topic_name: "fz-made", partitions_count: 1, replication_factor: 1, configs: [{ name: "retention.ms", value: "60000" }] };
  if (p.endsWith("/records")) return { partition_id: 0, key: { type: "STRING", data: "k" }, value, headers: [{ name: "h", value: "aGk=" }], timestamp: "2026-01-01T00:00:00Z" };
  if (p.includes("records:batch")) return { entries: [{ id: "a", partition_id: 0, value, timestamp: 1_700_000_000_000 }] };
  if (p === "/topics/:t" || p === "/topics/:t/partitions/:p") return { records: [{ key: "aGk=", value: "aGk=", partition: 0, timestamp: 1_700_000_000_000 }] };
  if (p.includes("configs:alter")) return { data: [{ name: "retention.ms", value: "60000", operation: "SET" }], validate_only: true };
  if (p.includes("/configs/")) return { value: "60000" };
  if (p.endsWith("/topics/:t")) return { partitions_count: 1 };
  if (p.endsWith("/keys")) return { principal: "User:fz", description: "fuzz" };
  if (p.endsWith("/keys/:k")) return { disabled: false };
  if (p.endsWith("/acls")) return { resource_type: "TOPIC", resource_name: topic, pattern_type: "LITERAL", principal: "User:fz", host: "*", operation: "READ", permission: "DENY" };
  if (p.includes("/quotas/")) return { producer_byte_rate: 1_000_000, consumer_byte_rate: 1_000_000, request_rate: 1_000 };
  if (p === "/consumers/:g") return { name: "fz-made", format: "binary", "auto.offset.reset": "earliest", "auto.commit.enable": "false", "session.timeout.ms": 10_000 };
  if (p.endsWith("/subscription")) return { topics: [topic] };
  if (p.endsWith("/assignments")) return { partitions: [{ topic, partition: 0 }] };
  if (p.endsWith("/offsets") && p.startsWith("/consumers")) return { offsets: [{ topic, partition: 0, offset: 0, metadata: "" }] };
  if (p.endsWith("/positions")) return { timestamps: [{ topic, partition: 0, timestamp: 1_700_000_000_000 }] };
  if (p.includes("/positions/")) return { partitions: [{ topic, partition: 0 }] };
  if (p.includes("offsets:reset")) return { topic, partitions: [0], to: "timestamp", timestamp: 1_700_000_000_000 };
  return {};
}

/** One change to a template: replace the value at the n-th slot, or add a key there. */
export interface Mutation {
  slot: number;
  op: "replace" | "add-key" | "drop";
  key: string;
  value: unknown;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  slot: fc.nat({ max: 40 }),
  op: fc.constantFrom("replace", "replace", "add-key", "drop"),
  key: fc.oneof(fc.constantFrom(...PROTO_KEYS), hostileString),
  value: hostileValue,
});

/** The body of a request, as a spec. */
export type BodySpec =
  | { kind: "none" }
  | { kind: "template"; mutations: Mutation[] }
  | { kind: "json"; value: unknown }
  | { kind: "text"; text: string }
  | { kind: "truncated"; mutations: Mutation[]; cut: number }
  | { kind: "deep"; depth: number; open: "[" | '{"a":' | '{"value":{"type":"JSON","data":' }
  | { kind: "huge"; what: "string" | "array" | "keys" | "records"; size: number }
  | { kind: "bytes"; bytes: number[] };

export const bodySpec: fc.Arbitrary<BodySpec> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ kind: "none" } as const) },
  { weight: 6, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }).map((mutations) => ({ kind: "template", mutations }) as const) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => ({ kind: "json", value }) as const) },
  { weight: 2, arbitrary: fc.oneof(fc.string({ maxLength: 40 }), controlText, fc.constantFrom("{", "[", '{"a":', "}", "nul", "1 2", '"\\u12"', "{}{}{", "\u0000{}")).map((text) => ({ kind: "text", text }) as const) },
  { weight: 1, arbitrary: fc.record({ mutations: fc.array(mutation, { maxLength: 1 }), cut: fc.nat({ max: 200 }) }).map((r) => ({ kind: "truncated", ...r }) as const) },
  { weight: 1, arbitrary: fc.record({ depth: fc.constantFrom(129, 1_000, 100_000), open: fc.constantFrom("[" as const, '{"a":' as const, '{"value":{"type":"JSON","data":' as const) }).map((r) => ({ kind: "deep", ...r }) as const) },
  { weight: 1, arbitrary: fc.record({ what: fc.constantFrom("string" as const, "array" as const, "keys" as const, "records" as const), size: fc.constantFrom(1_100_000, 3_000_000) }).map((r) => ({ kind: "huge", ...r }) as const) },
  { weight: 1, arbitrary: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 64 }).map((bytes) => ({ kind: "bytes", bytes }) as const) },
);

/** A fresh copy of a generated value (fast-check reuses its values), own `__proto__` keys kept. */
function copy(value: unknown): unknown {
  if (value instanceof Deep || typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(copy);
  const out = {};
  for (const key of Object.keys(value)) Object.defineProperty(out, key, { value: copy((value as Record<string, unknown>)[key]), enumerable: true, writable: true, configurable: true });
  return out;
}

/** Applies mutations to a copy of `template`. */
export function mutate(template: unknown, mutations: Mutation[]): unknown {
  const root = { value: JSON.parse(JSON.stringify(template)) as unknown };
  for (const m of mutations) {
    const slots: [Record<string, unknown> | unknown[], string | number][] = [];
    const walk = (holder: Record<string, unknown> | unknown[], key: string | number) => {
      slots.push([holder, key]);
      const v = (holder as Record<string | number, unknown>)[key];
      if (Array.isArray(v)) for (let i = 0; i < v.length; i++) walk(v, i);
      else if (typeof v === "object" && v !== null && !(v instanceof Deep)) for (const k of Object.keys(v)) walk(v as Record<string, unknown>, k);
    };
    walk(root as unknown as Record<string, unknown>, "value");
    const [holder, key] = slots[m.slot % slots.length]!;
    const target = (holder as Record<string | number, unknown>)[key];
    if (m.op === "add-key" && typeof target === "object" && target !== null && !Array.isArray(target)) {
      Object.defineProperty(target, m.key, { value: copy(m.value), enumerable: true, writable: true, configurable: true }); // an own key, even __proto__
    } else if (m.op === "drop" && holder !== root && !Array.isArray(holder)) {
      delete (holder as Record<string, unknown>)[key as string];
    } else {
      Object.defineProperty(holder, key, { value: copy(m.value), enumerable: true, writable: true, configurable: true });
    }
  }
  return root.value;
}

/** JSON text of `value`, keeping own `__proto__` keys (JSON.stringify keeps them: they are own properties). */
function json(value: unknown): string {
  return JSON.stringify(value) ?? "null";
}

/** The bytes (or text) of a body spec for `rule`. */
export function bodyOf(spec: BodySpec, template: unknown): string | Uint8Array | null {
  switch (spec.kind) {
    case "none":
      return null;
    case "template":
      return json(mutate(template, spec.mutations));
    case "json":
      return json(spec.value);
    case "text":
      return spec.text;
    case "truncated":
      return json(mutate(template, spec.mutations)).slice(0, spec.cut);
    case "deep":
      return spec.open.repeat(spec.depth) + "1" + (spec.open === "[" ? "]" : "}").repeat(spec.depth) + (spec.open.length > 5 ? "}}" : "");
    case "huge":
      if (spec.what === "string") return `{"value":{"type":"STRING","data":"${"x".repeat(spec.size)}"}}`;
      if (spec.what === "array") return `{"records":[${"1,".repeat(spec.size / 2)}1]}`;
      if (spec.what === "keys") return `{${Array.from({ length: spec.size / 20 }, (_, i) => `"k${i}":${i}`).join(",")}}`;
      return `{"records":[${'{"value":1},'.repeat(spec.size / 12)}{"value":1}]}`;
    case "bytes":
      return new Uint8Array(spec.bytes);
  }
}

/** Content types: right, wrong, malformed and none. */
export const contentType = fc.constantFrom(
  "application/json", "application/json", "application/vnd.kafka.json.v2+json", "application/vnd.kafka.binary.v2+json", "application/vnd.kafka.v2+json",
  "application/vnd.kafka.avro.v2+json", "application/vnd.kafka.record-batch", "text/plain", "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x", "application/json; charset=utf-16", "application/x-ndjson", "*/*", "json", ";;;", undefined,
);

/** Accept headers: right, wrong, weighted, malformed and none. */
export const accept = fc.constantFrom(
  undefined, undefined, "*/*", "application/json", "application/vnd.kafka.v2+json", "application/vnd.kafka.binary.v2+json",
  "application/vnd.kafka.json.v2+json;q=0", "text/html", "image/png, text/plain;q=0.5", "application/vnd.kafka.record-batch",
  "text/event-stream", "garbage", "*/*;q=nan", "application/*;q=0.1, */*;q=0",
);

/** Query parameters the routes read, with hostile values (never a long wait: timeouts stay short or invalid). */
export const query = fc.dictionary(
  fc.constantFrom("offset", "max_bytes", "max_records", "format", "acks", "timestamp", "replica", "location", "offset_type", "since", "limit", "resource_type", "principal", "permission", "topics", "permits", ...PROTO_KEYS),
  fc.oneof(fc.constantFrom(...OUT_OF_RANGE.map(String), "0", "1", "all", "json", "binary", "string", "avro", "ANY", "TOPIC"), controlText),
  { maxKeys: 3 },
);

/** A short wait, or a bad one (a valid long wait would only slow the suite). */
export const timeoutValue = fc.constantFrom("0", "10", "-1", "abc", "1e3", "30001", "99999999999", "");

/** Path parameters: ordinary, or hostile in one place. */
export const paramOverride = sometimes(
  fc.record({ name: fc.constantFrom("t", "p", "g", "i", "k", "b", "name", "principal"), value: fc.oneof(hostileString, fc.constantFrom("-1", "2147483648", "1e3", "0x0", "%", "%zz", "User:__proto__", "raw:%zz", "raw:%", "raw:%E0%A4%A", "raw:%ED%A0%80", "raw:a%2Fb", "raw:%00")) }),
  3,
);

/** How a body is sent: whole (with a length) or streamed in chunks of these sizes. */
export const streaming = sometimes(fc.array(fc.integer({ min: 1, max: 4096 }), { minLength: 1, maxLength: 4 }), 4);

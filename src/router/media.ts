/**
 * Media types of the Kafka REST-proxy v2 convention, and content
 * negotiation (RFC 9110 §12.5.1): which response type an `Accept` header
 * allows, and which embedded format a request's `Content-Type` names.
 *
 * Type grammar: `application/vnd.kafka[.{embedded}][.{version}]+json`,
 * where the embedded format and the version may each be left out.
 */

/** The type every v2 endpoint answers with unless an embedded format was negotiated. */
export const V2_JSON = "application/vnd.kafka.v2+json";

/** The embedded formats Runnel reads and writes (`string` is Runnel's own). */
export type EmbeddedFormat = "binary" | "json" | "string";

/** The response type of records in embedded format `format`. */
export function embeddedType(format: EmbeddedFormat): string {
  return `application/vnd.kafka.${format}.v2+json`;
}

/** Response types a plain (no embedded data) v2 endpoint offers, best first. */
export const V2_OFFERS: readonly string[] = [V2_JSON, "application/vnd.kafka+json", "application/vnd.kafka.v1+json", "application/json"];

/**
 * Response types a v2 records endpoint offers, best first: the embedded
 * types, then the format-less ones (which mean binary, as in Confluent's).
 */
export const V2_RECORD_OFFERS: readonly string[] = [
  embeddedType("binary"),
  embeddedType("json"),
  embeddedType("string"),
  ...V2_OFFERS,
  // v1 clients (kafka-rest 0.0.x) ask for their records in these.
  "application/vnd.kafka.binary.v1+json",
  "application/vnd.kafka.json.v1+json",
];

interface Range {
  type: string;
  subtype: string;
  q: number;
}

/** Parses an Accept header into media ranges; malformed entries are skipped. */
function parseAccept(header: string): Range[] {
  const out: Range[] = [];
  for (const part of header.split(",")) {
    const [range, ...params] = part.split(";");
    const m = /^\s*([\w.+*-]+)\/([\w.+*-]+)\s*$/.exec(range ?? "");
    if (m === null) continue;
    let q = 1;
    for (const p of params) {
      const kv = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
      if (kv !== null) q = Math.min(1, Number(kv[1]));
    }
    if (!Number.isFinite(q)) continue;
    out.push({ type: m[1]!.toLowerCase(), subtype: m[2]!.toLowerCase(), q });
  }
  return out;
}

/** How specifically `r` matches `type/subtype`: 3 exact, 2 type/*, 1 *\/subtype, 0 *\/*; -1 no match. */
function specificity(r: Range, type: string, subtype: string): number {
  const t = r.type === type, s = r.subtype === subtype;
  if (t && s) return 3;
  if (t && r.subtype === "*") return 2;
  if (r.type === "*" && s) return 1;
  if (r.type === "*" && r.subtype === "*") return 0;
  return -1;
}

/**
 * The best of `offers` (listed in the server's order of preference) that
 * `accept` allows, or null when it allows none. Each offer takes the q of
 * the most specific range that matches it; the highest q wins, then the
 * offer the client named more specifically (as JAX-RS servers such as
 * Confluent's choose: json.v2 beside a full wildcard means json), then the earlier offer.
 * An absent or empty header allows everything.
 */
export function negotiate(accept: string | null | undefined, offers: readonly string[]): string | null {
  if (accept === undefined || accept === null || accept.trim() === "") return offers[0] ?? null;
  const ranges = parseAccept(accept);
  if (ranges.length === 0) return null;
  let best: string | null = null;
  let bestQ = 0;
  let bestSpec = -1;
  for (const offer of offers) {
    const [type = "", subtype = ""] = offer.split("/");
    let q = -1;
    let spec = -1;
    for (const r of ranges) {
      const s = specificity(r, type, subtype);
      if (s > spec) {
        spec = s;
        q = r.q;
      }
    }
    if (q > bestQ || (q === bestQ && q > 0 && spec > bestSpec)) {
      best = offer;
      bestQ = q;
      bestSpec = spec;
    }
  }
  return best;
}

/** The embedded format a negotiated response type stands for (format-less types mean binary). */
export function formatOfType(type: string): EmbeddedFormat {
  const m = /^application\/vnd\.kafka\.(binary|json|string)\.v[12]\+json$/.exec(type);
  return (m?.[1] as EmbeddedFormat | undefined) ?? "binary";
}

/** What a v2 request's Content-Type says about its body. */
export type RequestFormat = EmbeddedFormat | "avro" | "jsonschema" | "protobuf";

const V2_REQUEST = /^application\/vnd\.kafka(?:\.(binary|json|avro|jsonschema|protobuf))?(?:\.(v1|v2))?\+json$/;

/**
 * The embedded format a v2 request body is in, from its Content-Type:
 * `vnd.kafka[.format][.v1|.v2]+json`, `application/json` (json), or
 * `application/octet-stream` (binary, a Confluent leftover). A type
 * without a format means binary. Null for anything else, an absent type
 * too (a 415): guessing would store base64 text as JSON strings, or JSON
 * as bytes, and Confluent's guess (binary) differs from a JSON client's.
 */
export function requestFormat(contentType: string | null | undefined): RequestFormat | null {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "application/json") return "json";
  if (type === "application/octet-stream") return "binary";
  const m = V2_REQUEST.exec(type);
  if (m === null) return null;
  return (m[1] as RequestFormat | undefined) ?? "binary";
}

/** Whether a Content-Type is JSON of any kind (for bodies without embedded data). */
export function isJsonType(contentType: string | null | undefined): boolean {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "" || type === "application/octet-stream") return true;
  return type === "application/json" || type === "application/x-ndjson" || /^application\/[\w.+-]*\+json$/.test(type);
}

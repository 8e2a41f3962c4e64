/**
 * kcat's output format strings for `runnel consume --format`: %s value,
 * %k key, %t topic, %p partition, %o offset, %T timestamp (epoch ms), %h
 * headers (name=value pairs joined by commas), %S value size, %K key size
 * (-1 for null), %% a percent sign; \n \t \r \\ escapes. Keys, values and
 * header values are written as their raw bytes.
 */
import type { ConsumerRecord } from "../client/serde";
import { UsageError } from "./context";
import { concatBytes } from "../bytes/concat";

const utf8 = new TextEncoder();
type Part = string | ((r: ConsumerRecord) => Uint8Array | string);

const bytesOf = (v: unknown): Uint8Array => (v === null || v === undefined ? new Uint8Array(0) : v instanceof Uint8Array ? v : utf8.encode(String(v)));

const CODES: Record<string, (r: ConsumerRecord) => Uint8Array | string> = {
  s: (r) => bytesOf(r.value),
  k: (r) => bytesOf(r.key),
  t: (r) => r.topic,
  p: (r) => String(r.partition),
  o: (r) => String(r.offset),
  T: (r) => String(r.timestamp),
  S: (r) => String(r.value === null ? -1 : bytesOf(r.value).length),
  K: (r) => String(r.key === null ? -1 : bytesOf(r.key).length),
  h: (r) => r.headers.map((h) => `${h.name}=${h.value === null ? "" : new TextDecoder().decode(bytesOf(h.value))}`).join(","),
};

const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "0": "\0" };

/** Compiles a format into a function that renders one record as bytes. */
export function compileFormat(format: string): (r: ConsumerRecord) => Uint8Array {
  const parts: Part[] = [];
  let text = "";
  for (let i = 0; i < format.length; i++) {
    const ch = format[i]!;
    const next = format[i + 1];
    if (ch === "\\" && next !== undefined && ESCAPES[next] !== undefined) {
      text += ESCAPES[next];
      i++;
    } else if (ch === "%" && next === "%") {
      text += "%";
      i++;
    } else if (ch === "%") {
      const code = next === undefined ? undefined : CODES[next];
      if (code === undefined) throw new UsageError(`unknown format code '%${next ?? ""}' (use %s %k %t %p %o %T %h %S %K %%)`);
      if (text !== "") parts.push(text);
      text = "";
      parts.push(code);
      i++;
    } else text += ch;
  }
  if (text !== "") parts.push(text);
  const fixed = parts.map((p) => (typeof p === "string" ? utf8.encode(p) : p));
  return (r) => {
    return concatBytes(fixed.map((p) => (p instanceof Uint8Array ? p : toBytes(p(r)))));
  };
}

const toBytes = (v: Uint8Array | string): Uint8Array => (typeof v === "string" ? utf8.encode(v) : v);

/** A record as one JSON line for --json: key, value and header values as UTF-8 text. */
export function jsonLine(r: ConsumerRecord): string {
  const text = (v: unknown) => (v === null || v === undefined ? null : new TextDecoder().decode(bytesOf(v)));
  return `${JSON.stringify({ topic: r.topic, partition: r.partition, offset: r.offset, timestamp: r.timestamp, key: text(r.key), value: text(r.value), headers: r.headers.map((h) => ({ name: h.name, value: text(h.value) })) })}\n`;
}

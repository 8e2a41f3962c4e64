/**
 * Turning the JSON fields of a produce request (key, value, headers,
 * timestamp) into record bytes. Each returns bytes or a problem string.
 */
import { fromBase64 } from "../bytes/base64";
import type { Header } from "../record/record-batch";
import { parseTimestamp } from "./timestamps";

const utf8 = new TextEncoder();

/** How a key or value is given: base64 bytes, a UTF-8 string, or any JSON value. */
export type DataType = "BINARY" | "STRING" | "JSON";

export type Field<T> = { ok: true; value: T } | { ok: false; problem: string };

const ok = <T>(value: T): Field<T> => ({ ok: true, value });
const bad = <T>(problem: string): Field<T> => ({ ok: false, problem });

/** Bytes of `data` given as `type`; null data is a null key or value. */
export function dataBytes(field: string, type: DataType, data: unknown): Field<Uint8Array | null> {
  if (data === null || data === undefined) return ok(null);
  if (type === "JSON") return ok(utf8.encode(JSON.stringify(data)));
  if (typeof data !== "string") return bad(`${field} data of type ${type} must be a string`);
  if (type === "STRING") return ok(utf8.encode(data));
  try {
    return ok(fromBase64(data));
  } catch {
    return bad(`${field} is not valid base64`);
  }
}

/** A v3 `{"type", "data"}` key or value; `type` defaults to JSON. */
export function typedData(field: string, spec: unknown): Field<Uint8Array | null> {
  if (spec === undefined || spec === null) return ok(null);
  if (typeof spec !== "object" || Array.isArray(spec)) return bad(`${field} must be an object {"type", "data"}`);
  for (const name in spec) {
    if (name !== "type" && name !== "data") return bad(`unknown field '${name}' in ${field} (expected type, data; Runnel has no schema registry)`);
  }
  const { type = "JSON", data } = spec as { type?: unknown; data?: unknown };
  if (type !== "BINARY" && type !== "STRING" && type !== "JSON") return bad(`${field}.type must be BINARY, STRING or JSON`);
  return dataBytes(field, type, data);
}

/** `[{"name", "value": base64 | null}]` headers. */
export function headersOf(spec: unknown): Field<Header[]> {
  if (spec === undefined || spec === null) return ok([]);
  if (!Array.isArray(spec)) return bad("headers must be an array of {name, value}");
  const out: Header[] = [];
  for (const h of spec as unknown[]) {
    if (typeof h !== "object" || h === null || Array.isArray(h)) return bad("headers must be an array of {name, value}");
    // A misspelt field ("valu") must not turn into a header with a null value.
    for (const field in h) {
      if (field !== "name" && field !== "value") return bad(`unknown field '${field.slice(0, 64)}' in a header (expected name, value)`);
    }
    const { name, value } = h as { name?: unknown; value?: unknown };
    if (typeof name !== "string" || name.length === 0) return bad("every header needs a non-empty string name");
    const bytes = dataBytes(`header '${name}'`, "BINARY", value);
    if (!bytes.ok) return bytes;
    out.push({ name, value: bytes.value });
  }
  return ok(out);
}

/** A timestamp as epoch ms or RFC 3339, within [0, limits.timestampMsMax]; `nowMs` when absent. */
export function timestampOf(spec: unknown, nowMs: number): Field<number> {
  if (spec === undefined || spec === null) return ok(nowMs);
  const ms = parseTimestamp(spec);
  return typeof ms === "string" ? bad(ms) : ok(ms);
}

/** An optional partition number field: a non-negative integer, or (`anyInteger`) any integer, a negative one being no partition's. */
export function partitionOf(field: string, spec: unknown, anyInteger = false): Field<number | undefined> {
  if (spec === undefined || spec === null) return ok(undefined);
  if (typeof spec !== "number" || !Number.isInteger(spec) || (spec < 0 && !anyInteger)) return bad(`${field} must be a non-negative integer`);
  return ok(spec);
}

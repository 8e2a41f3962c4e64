/** Rendering decoded records as the JSON clients get. */
import { toBase64 } from "../bytes/base64";
import { ErrorCode, RunnelError } from "../errors";
import type { DecodedRecord } from "../log/record-batch";

/** How keys and values are shown: base64, UTF-8 text, or parsed JSON. */
export type RecordFormat = "binary" | "string" | "json";

/** Parses `?format=` (default binary). */
export function parseFormat(value: string | undefined): RecordFormat {
  if (value === undefined || value === "binary" || value === "string" || value === "json") return value ?? "binary";
  throw new RunnelError(ErrorCode.BAD_REQUEST, `format must be binary, string or json, got '${value}'`);
}

const utf8 = new TextDecoder();

function data(bytes: Uint8Array | null, format: RecordFormat, offset: number): unknown {
  if (bytes === null) return null;
  if (format === "binary") return toBase64(bytes);
  const text = utf8.decode(bytes);
  if (format === "string") return text;
  try {
    return JSON.parse(text);
  } catch {
    throw new RunnelError(ErrorCode.INVALID_PAYLOAD, `record at offset ${offset} is not JSON; fetch it with format=binary or format=string`);
  }
}

/** The client view of one record. Header values are always base64. */
export interface RecordView {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: unknown;
  value: unknown;
  headers: { name: string; value: string | null }[];
}

/** Renders one record in `format`. */
export function viewOf(topic: string, partition: number, r: DecodedRecord, format: RecordFormat): RecordView {
  return {
    topic,
    partition,
    offset: r.offset,
    timestamp: r.timestampMs,
    key: data(r.key, format, r.offset),
    value: data(r.value, format, r.offset),
    headers: r.headers.map((h) => ({ name: h.name, value: h.value === null ? null : toBase64(h.value) })),
  };
}

function dataJson(bytes: Uint8Array | null, format: RecordFormat, offset: number): string {
  if (bytes === null) return "null";
  if (format === "binary") return `"${toBase64(bytes)}"`; // base64 needs no escaping
  return JSON.stringify(data(bytes, format, offset));
}

/**
 * The JSON text of records in `format`, as `viewOf` would give them, built
 * by hand: the fetch path's largest cost was serialising record objects.
 */
export function recordsJson(topic: string, partition: number, records: DecodedRecord[], format: RecordFormat): string {
  const prefix = `{"topic":${JSON.stringify(topic)},"partition":${partition},"offset":`;
  const parts = new Array<string>(records.length);
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    let headers = "[]";
    if (r.headers.length > 0) {
      headers = `[${r.headers.map((h) => `{"name":${JSON.stringify(h.name)},"value":${h.value === null ? "null" : `"${toBase64(h.value)}"`}}`).join(",")}]`;
    }
    parts[i] = `${prefix}${r.offset},"timestamp":${r.timestampMs},"key":${dataJson(r.key, format, r.offset)},"value":${dataJson(r.value, format, r.offset)},"headers":${headers}}`;
  }
  return `[${parts.join(",")}]`;
}

/**
 * Records as another Worker hands them to `RunnelService.produce`: keys
 * and values as text (UTF-8), bytes (Uint8Array or ArrayBuffer), null, or
 * any other JSON value (written as JSON text); headers as
 * `{name: value}` or `[{name, value}]` (values text or bytes); an optional
 * partition and timestamp (epoch ms). Checked whole before anything is
 * produced: the first problem refuses the call, naming the record.
 */
import { ErrorCode, RunnelError } from "../errors";
import { limits } from "../limits";
import type { Entry } from "../produce/produce-run";
import type { Header } from "../record/record-batch";

/** One record to produce. */
export interface ServiceRecord {
  key?: unknown;
  value?: unknown;
  headers?: Record<string, string | Uint8Array> | { name: string; value: string | Uint8Array | null }[];
  partition?: number;
  timestamp?: number;
}

const utf8 = new TextEncoder();

/** The records as produce entries (every record checked), and their bytes (for the producer byte quota); 400 naming the first bad one. */
export function entriesOf(records: unknown, nowMs: number): { entries: Entry[]; bytes: number } {
  if (!Array.isArray(records)) throw bad("records must be an array of records");
  if (records.length === 0) throw bad("records must hold at least one record");
  if (records.length > limits.produceRecordsMax) throw new RunnelError(ErrorCode.PAYLOAD_TOO_LARGE, `${records.length} records is over the ${limits.produceRecordsMax}-record limit`);
  let bytes = 0;
  const entries = records.map((r, i): Entry => {
    if (typeof r !== "object" || r === null || Array.isArray(r)) throw bad(`records[${i}] must be an object {key?, value?, headers?, partition?, timestamp?}`);
    const rec = r as ServiceRecord;
    const key = bytesOf(rec.key, `records[${i}].key`);
    const value = bytesOf(rec.value, `records[${i}].value`);
    const headers = headersOf(rec.headers, i);
    const partition = rec.partition;
    if (partition !== undefined && (!Number.isSafeInteger(partition) || partition < 0)) throw bad(`records[${i}].partition must be a partition number`);
    const timestamp = rec.timestamp;
    if (timestamp !== undefined && (!Number.isSafeInteger(timestamp) || timestamp < 0 || timestamp > limits.timestampMsMax)) throw bad(`records[${i}].timestamp must be epoch milliseconds`);
    bytes += (key?.length ?? 0) + (value?.length ?? 0) + headers.reduce((n, h) => n + h.name.length + (h.value?.length ?? 0), 0);
    const record = { key, value, headers, timestampMs: timestamp ?? nowMs };
    return { ok: true, value: { partition, record, timestampGiven: timestamp !== undefined } };
  });
  return { entries, bytes };
}

function bytesOf(v: unknown, where: string): Uint8Array | null {
  if (v === undefined || v === null) return null;
  if (typeof v === "string") return utf8.encode(v);
  if (v instanceof Uint8Array) return v;
  if (v instanceof ArrayBuffer) return new Uint8Array(v);
  try {
    return utf8.encode(JSON.stringify(v));
  } catch {
    throw bad(`${where} must be text, bytes, null or a JSON value`);
  }
}

function headersOf(h: ServiceRecord["headers"], i: number): Header[] {
  if (h === undefined) return [];
  const pairs = Array.isArray(h) ? h.map((x) => [x?.name, x?.value] as const) : typeof h === "object" && h !== null ? Object.entries(h) : null;
  if (pairs === null) throw bad(`records[${i}].headers must be {name: value} or [{name, value}]`);
  return pairs.map(([name, value], j) => {
    if (typeof name !== "string") throw bad(`records[${i}].headers[${j}].name must be a string`);
    if (value !== null && typeof value !== "string" && !(value instanceof Uint8Array)) throw bad(`records[${i}].headers[${j}].value must be text, bytes or null`);
    return { name, value: typeof value === "string" ? utf8.encode(value) : value };
  });
}

function bad(message: string): RunnelError {
  return new RunnelError(ErrorCode.BAD_REQUEST, message);
}

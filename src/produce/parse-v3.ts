/** Parsing produce records: the v3 object form, and the fields v2 shares with it. */
import type { RecordInput } from "../record/record-batch";
import { headersOf, partitionOf, timestampOf, typedData, type DataType, type Field } from "./record-fields";

/** A record to produce, with the partition the client asked for, if any. */
export interface ParsedRecord {
  partition: number | undefined;
  record: RecordInput;
  /** Whether the client set the timestamp (else it is the request's time). */
  timestampGiven: boolean;
  /** v3 only: the type each key and value was given in (absent when the field was), as its receipt reports it. */
  types?: { key?: DataType; value?: DataType };
}

/** How one request format reads a key or value field. */
export type DataReader = (field: string, spec: unknown) => Field<Uint8Array | null>;

/**
 * Parses a record object whose partition is in `partitionField` and whose
 * key and value are read by `data`; any field not in `fields` is refused.
 * The problem names the field that is wrong.
 */
export function parseRecord(obj: unknown, partitionField: string, data: DataReader, nowMs: number, fields: ReadonlySet<string>, anyPartition = false): Field<ParsedRecord> {
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) return { ok: false, problem: "a record must be a JSON object" };
  const r = obj as Record<string, unknown>;
  // A misspelt field ("valur") must not turn into a record with a null value.
  for (const name in r) {
    if (!fields.has(name)) return { ok: false, problem: `unknown record field '${name}' (expected ${[...fields].join(", ")})` };
  }
  const partition = partitionOf(partitionField, r[partitionField], anyPartition);
  if (!partition.ok) return partition;
  const key = data("key", r.key);
  if (!key.ok) return key;
  const value = data("value", r.value);
  if (!value.ok) return value;
  const headers = headersOf(r.headers);
  if (!headers.ok) return headers;
  const timestamp = timestampOf(r.timestamp, nowMs);
  if (!timestamp.ok) return timestamp;
  return {
    ok: true,
    value: {
      partition: partition.value,
      record: { key: key.value, value: value.value, headers: headers.value, timestampMs: timestamp.value },
      timestampGiven: r.timestamp !== undefined && r.timestamp !== null,
    },
  };
}

const V3_FIELDS: ReadonlySet<string> = new Set(["partition_id", "key", "value", "headers", "timestamp"]);
const V3_ENTRY_FIELDS: ReadonlySet<string> = new Set(["id", ...V3_FIELDS]);

/**
 * Parses a v3 record `{"partition_id"?, "key"?: {type, data}, "value"?,
 * "headers"?, "timestamp"?}`; a `records:batch` entry (`entry`) also has
 * an `id`. A negative `partition_id` is taken as given: placing it is the
 * 40402 Confluent answers (no partition has that number).
 */
export function parseV3Record(obj: unknown, nowMs: number, entry = false): Field<ParsedRecord> {
  const parsed = parseRecord(obj, "partition_id", typedData, nowMs, entry ? V3_ENTRY_FIELDS : V3_FIELDS, true);
  if (!parsed.ok) return parsed;
  const r = obj as { key?: unknown; value?: unknown };
  return { ok: true, value: { ...parsed.value, types: { key: givenType(r.key), value: givenType(r.value) } } };
}

/** The type a v3 key or value was given in (JSON when it names none, as `typedData` reads it); undefined when it was not given. */
function givenType(spec: unknown): DataType | undefined {
  if (spec === undefined || spec === null) return undefined;
  return ((spec as { type?: DataType }).type ?? "JSON");
}

/** Parsing one v3 produce record `{"partition_id"?, "key"?, "value"?, "headers"?, "timestamp"?}`. */
import type { RecordInput } from "../log/record-batch";
import { headersOf, partitionOf, timestampOf, typedData, type Field } from "./record-fields";

/** A record to produce, with the partition the client asked for, if any. */
export interface ParsedRecord {
  partition: number | undefined;
  record: RecordInput;
}

/** Parses a v3 record object; the problem names the field that is wrong. */
export function parseV3Record(obj: unknown, nowMs: number): Field<ParsedRecord> {
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) return { ok: false, problem: "a record must be a JSON object" };
  const r = obj as Record<string, unknown>;
  const partition = partitionOf("partition_id", r.partition_id);
  if (!partition.ok) return partition;
  const key = typedData("key", r.key);
  if (!key.ok) return key;
  const value = typedData("value", r.value);
  if (!value.ok) return value;
  const headers = headersOf(r.headers);
  if (!headers.ok) return headers;
  const timestamp = timestampOf(r.timestamp, nowMs);
  if (!timestamp.ok) return timestamp;
  return {
    ok: true,
    value: { partition: partition.value, record: { key: key.value, value: value.value, headers: headers.value, timestampMs: timestamp.value } },
  };
}

/**
 * Parsing a v2 produce body `{"records": [{key?, value, partition?,
 * headers?, timestamp?}]}`. v2 is atomic: the first bad record refuses
 * the whole request.
 */
import { ErrorCode, RunnelError } from "../errors";
import { limits } from "../limits";
import type { ParsedRecord } from "./parse-v3";
import { dataBytes, headersOf, partitionOf, timestampOf, type Field } from "./record-fields";

/** The embedded format of a v2 request, from its content type. */
export type V2Format = "binary" | "json";

/** The v2 format named by a Content-Type; null for one Runnel does not take. */
export function v2FormatOf(contentType: string | null | undefined): V2Format | null {
  const type = (contentType ?? "application/json").split(";")[0]!.trim().toLowerCase();
  if (type === "application/vnd.kafka.binary.v2+json") return "binary";
  if (type === "application/vnd.kafka.json.v2+json" || type === "application/json" || type === "") return "json";
  return null;
}

/** Parses every record or throws 42206 naming the first bad one. */
export function parseV2Records(body: Record<string, unknown>, format: V2Format, nowMs: number): ParsedRecord[] {
  const records = body.records;
  if (!Array.isArray(records) || records.length === 0) {
    throw new RunnelError(ErrorCode.INVALID_PAYLOAD, "body needs a non-empty \"records\" array");
  }
  if (records.length > limits.produceRecordsMax) {
    throw new RunnelError(ErrorCode.PAYLOAD_TOO_LARGE, `${records.length} records is over the ${limits.produceRecordsMax}-record limit`);
  }
  const type = format === "binary" ? "BINARY" : "JSON";
  return records.map((r: unknown, i) => {
    const parsed = parseOne(r, type, nowMs);
    if (!parsed.ok) throw new RunnelError(ErrorCode.INVALID_PAYLOAD, `records[${i}]: ${parsed.problem}`);
    return parsed.value;
  });
}

function parseOne(obj: unknown, type: "BINARY" | "JSON", nowMs: number): Field<ParsedRecord> {
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) return { ok: false, problem: "must be a JSON object" };
  const r = obj as Record<string, unknown>;
  const partition = partitionOf("partition", r.partition);
  if (!partition.ok) return partition;
  const key = dataBytes("key", type, r.key);
  if (!key.ok) return key;
  const value = dataBytes("value", type, r.value);
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

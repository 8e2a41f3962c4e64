/**
 * Parsing a v2 produce body `{"records": [{key?, value, partition?,
 * headers?, timestamp?}]}`. v2 is atomic: the first bad record refuses
 * the whole request.
 */
import { ErrorCode, RunnelError } from "../errors";
import { limits } from "../limits";
import { parseRecord, type DataReader, type ParsedRecord } from "./parse-v3";
import { dataBytes } from "./record-fields";

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
  const data: DataReader = (field, spec) => dataBytes(field, type, spec);
  return records.map((r: unknown, i) => {
    const parsed = parseRecord(r, "partition", data, nowMs);
    if (!parsed.ok) throw new RunnelError(ErrorCode.INVALID_PAYLOAD, `records[${i}]: ${parsed.problem}`);
    return parsed.value;
  });
}

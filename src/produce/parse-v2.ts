/**
 * Parsing a v2 produce body `{"records": [{key?, value, partition?,
 * headers?, timestamp?}]}`. v2 is atomic: the first bad record refuses
 * the whole request, and nothing is appended.
 */
import { ErrorCode, RunnelError } from "../errors";
import { limits } from "../limits";
import { parseRecord, type DataReader, type ParsedRecord } from "./parse-v3";
import { dataBytes } from "./record-fields";

/** The embedded format of a v2 request body. */
export type V2Format = "binary" | "json";

const RECORD_FIELDS: ReadonlySet<string> = new Set(["key", "value", "partition", "headers", "timestamp"]);
/** Confluent's schema fields mean nothing for binary and JSON bodies, which it ignores them for too. */
const BODY_FIELDS: ReadonlySet<string> = new Set(["records", "key_schema", "value_schema", "key_schema_id", "value_schema_id"]);

/** A 42206: INVALID_RECORD for a record Kafka would refuse, INVALID_REQUEST for the body around the records. */
function invalid(message: string, errorName: "INVALID_RECORD" | "INVALID_REQUEST" = "INVALID_REQUEST"): RunnelError {
  return new RunnelError(ErrorCode.INVALID_PAYLOAD, message, undefined, errorName);
}

/** Parses every record or throws 42206 naming the first bad one (413 past the record-count limit). */
export function parseV2Records(body: unknown, format: V2Format, nowMs: number): ParsedRecord[] {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw invalid('the body must be a JSON object {"records": [...]}');
  for (const name in body) {
    if (!BODY_FIELDS.has(name)) throw invalid(`unknown field '${name}' (expected "records")`);
  }
  const records = (body as { records?: unknown }).records;
  if (!Array.isArray(records) || records.length === 0) throw invalid('body needs a non-empty "records" array');
  if (records.length > limits.produceRecordsMax) {
    throw new RunnelError(ErrorCode.PAYLOAD_TOO_LARGE, `${records.length} records is over the ${limits.produceRecordsMax}-record limit`);
  }
  const type = format === "binary" ? "BINARY" : "JSON";
  const data: DataReader = (field, spec) => dataBytes(field, type, spec);
  return records.map((r: unknown, i) => {
    const parsed = parseRecord(r, "partition", data, nowMs, RECORD_FIELDS);
    if (!parsed.ok) throw invalid(`records[${i}]: ${parsed.problem}`, "INVALID_RECORD");
    return parsed.value;
  });
}

/** The record formats clients ask for (keys and values; header values are always base64). */
import { ErrorCode, RunnelError } from "../errors";

/** How keys and values are shown: base64, UTF-8 text, or parsed JSON. */
export type RecordFormat = "binary" | "string" | "json";

/** Parses `?format=` (default binary). */
export function parseFormat(value: string | undefined): RecordFormat {
  if (value === undefined || value === "binary" || value === "string" || value === "json") return value ?? "binary";
  throw new RunnelError(ErrorCode.BAD_REQUEST, `format must be binary, string or json, got '${value}'`);
}

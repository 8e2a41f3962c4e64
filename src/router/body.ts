/** Reading request bodies within a byte limit, and parsing them as JSON. */
import type { MiddlewareHandler } from "hono";
import { drainUnread, readBounded } from "../bytes/read-bounded";
import { ErrorCode, RunnelError } from "../errors";
import { parseJson } from "../bytes/json-text";

// JSON text itself (parsing within the limits, splitting a stream of values) is json-text.ts's.
export { JsonValueSplitter, parseJson, splitJsonValues } from "../bytes/json-text";

/**
 * Middleware: once the answer is ready, drains (bounded) a request body
 * no route read — a request refused before its body was looked at — so
 * a client still sending hears the answer instead of a reset connection.
 */
export const drainUnreadBody: MiddlewareHandler = async (c, next) => {
  const request = c.req.raw; // routes may replace c.req.raw; the connection's body is this one
  await next();
  if (c.res.status !== 101) await drainUnread(request);
};

/** The body as text; 413 past `bytesMax` (checked while reading, not trusted from headers). */
export async function readText(request: Request, bytesMax: number): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > bytesMax) throw tooLarge(bytesMax);
  if (request.body === null) return "";
  // A declared length is exact HTTP framing: let the runtime read it natively.
  // (Bytes, then UTF-8: .text() warns about bodies whose type it does not call text.)
  if (request.headers.has("content-length")) return decoder.decode(await request.arrayBuffer());
  const bytes = await readBounded(request.body, bytesMax);
  if (bytes === null) throw tooLarge(bytesMax);
  return decoder.decode(bytes);
}

const decoder = new TextDecoder();

function tooLarge(bytesMax: number): RunnelError {
  return new RunnelError(ErrorCode.PAYLOAD_TOO_LARGE, `request body is over the ${bytesMax}-byte limit`);
}

/** The body as a JSON object; 422 / 42206 when it is empty (as Confluent's), 400 when it is anything else. */
export async function readJsonObject(request: Request, bytesMax: number): Promise<Record<string, unknown>> {
  const text = await readText(request, bytesMax);
  if (text.trim() === "") throw new RunnelError(ErrorCode.INVALID_PAYLOAD, "the request body is empty; it must be a JSON object", undefined, "INVALID_REQUEST");
  const value = parseJson(text);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new RunnelError(ErrorCode.BAD_REQUEST, "request body must be a JSON object");
  }
  return value as Record<string, unknown>;
}

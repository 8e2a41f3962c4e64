/** Reading request bodies within a byte limit, and parsing them as JSON. */
import { readBounded } from "../bytes/read-bounded";
import { ErrorCode, RunnelError } from "../errors";

/** The body as text; 413 past `bytesMax` (checked while reading, not trusted from headers). */
export async function readText(request: Request, bytesMax: number): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > bytesMax) throw tooLarge(bytesMax);
  if (request.body === null) return "";
  // A declared length is exact HTTP framing: let the runtime read it natively.
  if (request.headers.has("content-length")) return request.text();
  const bytes = await readBounded(request.body, bytesMax);
  if (bytes === null) throw tooLarge(bytesMax);
  return decoder.decode(bytes);
}

const decoder = new TextDecoder();

function tooLarge(bytesMax: number): RunnelError {
  return new RunnelError(ErrorCode.PAYLOAD_TOO_LARGE, `request body is over the ${bytesMax}-byte limit`);
}

/** Parses JSON text; a 400 naming the problem when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new RunnelError(ErrorCode.BAD_REQUEST, `malformed JSON: ${(e as Error).message}`);
  }
}

/** The body as a JSON object; 400 when it is anything else. */
export async function readJsonObject(request: Request, bytesMax: number): Promise<Record<string, unknown>> {
  const value = parseJson(await readText(request, bytesMax));
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new RunnelError(ErrorCode.BAD_REQUEST, "request body must be a JSON object");
  }
  return value as Record<string, unknown>;
}

/**
 * Splits a body of one or more concatenated JSON values (whitespace or
 * newlines between them allowed) into their texts.
 */
export function splitJsonValues(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let inString = false;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 92) i++; // backslash: skip the escaped character
      else if (ch === 34) inString = false;
      continue;
    }
    if (ch === 34) inString = true;
    if (start < 0) {
      if (ch === 32 || ch === 10 || ch === 13 || ch === 9) continue;
      start = i;
    }
    if (ch === 123 || ch === 91) depth++;
    else if (ch === 125 || ch === 93) depth--;
    if (depth === 0 && !inString && (ch === 125 || ch === 93)) {
      out.push(text.slice(start, i + 1));
      start = -1;
    }
  }
  if (start >= 0) out.push(text.slice(start));
  return out;
}

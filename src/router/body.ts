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

/** The body as a JSON object; 422 / 42206 when it is empty (as Confluent's), 400 when it is anything else. */
export async function readJsonObject(request: Request, bytesMax: number): Promise<Record<string, unknown>> {
  const text = await readText(request, bytesMax);
  if (text.trim() === "") throw new RunnelError(ErrorCode.INVALID_PAYLOAD, "the request body is empty; it must be a JSON object");
  const value = parseJson(text);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new RunnelError(ErrorCode.BAD_REQUEST, "request body must be a JSON object");
  }
  return value as Record<string, unknown>;
}

/**
 * Splits a stream of concatenated JSON values (whitespace or newlines
 * between them allowed) into the text of each value as soon as it is
 * complete. Feed text with `push`; `end` returns an unfinished tail, if any.
 * It only finds value boundaries; parsing is the caller's.
 */
export class JsonValueSplitter {
  private buffer = "";
  private pos = 0;
  private start = -1;
  private depth = 0;
  private inString = false;
  private escaped = false;

  /** Adds text; returns the values it completed, in order. */
  push(text: string): string[] {
    this.buffer += text;
    const out: string[] = [];
    const b = this.buffer;
    for (let i = this.pos; i < b.length; i++) {
      const ch = b.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (ch === 92) this.escaped = true; // backslash: the next character is escaped
        else if (ch === 34) this.inString = false;
        continue;
      }
      if (this.start < 0) {
        if (ch === 32 || ch === 10 || ch === 13 || ch === 9) continue;
        this.start = i;
      }
      if (ch === 34) this.inString = true;
      else if (ch === 123 || ch === 91) this.depth++;
      else if (ch === 125 || ch === 93) this.depth--;
      if (this.depth <= 0 && (ch === 125 || ch === 93)) {
        out.push(b.slice(this.start, i + 1));
        this.start = -1;
        this.depth = 0;
      }
    }
    // Keep only the unfinished value, so the buffer never holds finished ones.
    const keep = this.start < 0 ? b.length : this.start;
    this.buffer = b.slice(keep);
    if (this.start >= 0) this.start = 0;
    this.pos = this.buffer.length;
    return out;
  }

  /** The text of an unfinished value at the end ("" when there is none). */
  end(): string {
    return this.start < 0 ? "" : this.buffer;
  }
}

/**
 * Splits a body of one or more concatenated JSON values (whitespace or
 * newlines between them allowed) into their texts.
 */
export function splitJsonValues(text: string): string[] {
  const splitter = new JsonValueSplitter();
  const out = splitter.push(text);
  const tail = splitter.end();
  if (tail !== "") out.push(tail);
  return out;
}

/** Reading request bodies within a byte limit, and parsing them as JSON. */
import type { MiddlewareHandler } from "hono";
import { drainUnread, readBounded } from "../bytes/read-bounded";
import { ErrorCode, RunnelError } from "../errors";
import { limits } from "../limits";

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

/**
 * Parses JSON text; a 400 naming the problem when it is not JSON, or when
 * it nests deeper than `limits.jsonDepthMax` (checked first, unless the
 * text came from a `JsonValueSplitter`, which checks it while splitting).
 */
export function parseJson(text: string, depthChecked = false): unknown {
  if (!depthChecked && jsonDepthOver(text, limits.jsonDepthMax)) throw tooDeep();
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new RunnelError(ErrorCode.BAD_REQUEST, `malformed JSON: ${(e as Error).message}`);
  }
}

function tooDeep(): RunnelError {
  return new RunnelError(ErrorCode.BAD_REQUEST, `malformed JSON: nested deeper than ${limits.jsonDepthMax} levels`);
}

/**
 * Whether JSON text opens more than `depthMax` arrays and objects inside
 * one another. Strings are skipped with `indexOf` (a closing quote is one
 * after an even run of backslashes), so the scan costs about a tenth of
 * JSON.parse on record-heavy bodies and almost nothing on long strings.
 */
export function jsonDepthOver(text: string, depthMax: number): boolean {
  let depth = 0;
  let i = 0;
  while (i < text.length) {
    const ch = text.charCodeAt(i++);
    if (ch === 34) {
      for (;;) {
        const quote = text.indexOf('"', i);
        if (quote < 0) return false; // an unterminated string: JSON.parse says so
        let before = quote - 1;
        while (text.charCodeAt(before) === 92) before--;
        i = quote + 1;
        if ((quote - 1 - before) % 2 === 0) break;
      }
    } else if (ch === 123 || ch === 91) {
      if (++depth > depthMax) return true;
    } else if (ch === 125 || ch === 93) depth--;
  }
  return false;
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
 * It only finds value boundaries (parsing is the caller's). Each character
 * is looked at once, however the text is cut into pieces. A value nested
 * deeper than `limits.jsonDepthMax` stops the splitter: `push` returns
 * the values completed before it, and the next `push` or `end` throws a 400.
 */
export class JsonValueSplitter {
  /** Pieces of the unfinished value, joined once it completes. */
  private pending: string[] = [];
  private inValue = false;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private failure: RunnelError | null = null;

  /** Adds text; returns the values it completed, in order. */
  push(text: string): string[] {
    if (this.failure !== null) throw this.failure;
    const out: string[] = [];
    let from = 0; // where the current value starts in `text` (0 when it began in an earlier piece)
    for (let i = 0; i < text.length; i++) {
      if (this.inString) {
        i = this.skipString(text, i) - 1;
        continue;
      }
      const ch = text.charCodeAt(i);
      if (!this.inValue) {
        if (ch === 32 || ch === 10 || ch === 13 || ch === 9) continue;
        this.inValue = true;
        from = i;
      }
      if (ch === 34) this.inString = true;
      else if (ch === 123 || ch === 91) {
        if (++this.depth > limits.jsonDepthMax) {
          this.failure = tooDeep();
          return out;
        }
      } else if (ch === 125 || ch === 93) this.depth--;
      if (this.depth <= 0 && (ch === 125 || ch === 93)) {
        const piece = text.slice(from, i + 1);
        out.push(this.pending.length === 0 ? piece : this.pending.join("") + piece);
        this.pending = [];
        this.inValue = false;
        this.depth = 0;
      }
    }
    if (this.inValue && from < text.length) this.pending.push(text.slice(from));
    return out;
  }

  /**
   * From `i` inside a string: the index just past its closing quote, or
   * the end of `text` when the string goes on into the next piece. A quote
   * closes the string after an even run of backslashes; a piece that ends
   * in an odd run leaves the next piece's first character escaped.
   */
  private skipString(text: string, i: number): number {
    if (this.escaped) {
      this.escaped = false;
      i++;
    }
    for (;;) {
      const quote = text.indexOf('"', i);
      const stop = quote < 0 ? text.length : quote;
      let before = stop - 1;
      while (before >= i && text.charCodeAt(before) === 92) before--;
      const odd = (stop - 1 - before) % 2 === 1;
      if (quote < 0) {
        this.escaped = odd;
        return text.length;
      }
      i = quote + 1;
      if (!odd) {
        this.inString = false;
        return i;
      }
    }
  }

  /** The text of an unfinished value at the end ("" when there is none). */
  end(): string {
    if (this.failure !== null) throw this.failure;
    return this.inValue ? this.pending.join("") : "";
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

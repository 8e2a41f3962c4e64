/**
 * HTTP to Runnel through `fetch` (the runtime's, or one passed in): the
 * key as `Authorization: Bearer`, JSON in and out, and every error answer
 * turned into a `RunnelError` with the API's `error_code`.
 */
import { RunnelError, unanswered } from "./errors";

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface HttpOptions {
  /** The server's base URL, e.g. http://127.0.0.1:8787 (a trailing slash is ignored). */
  url: string;
  /** `{key_id}.{secret}`; none: the server must be serving open. */
  key?: string;
  fetch?: FetchLike;
  /** Give up on a request after this long (default 60,000 ms; long polls add their own wait). */
  timeoutMs?: number;
  /**
   * Ask for compressed answers (default false: `Accept-Encoding: identity`,
   * where the runtime lets a client say so). Fetched records compress
   * well, but compressing and inflating them costs both ends more CPU
   * than the bytes cost on a fast network.
   */
  compressedResponses?: boolean;
}

export interface Call {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Path from the base URL, with its query. */
  path: string;
  /** Sent as JSON unless it is bytes or a string (then `contentType` says what it is). */
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** One connection's worth of settings: base URL, key, fetch. */
export class Http {
  readonly base: string;
  readonly key: string | undefined;
  private readonly fetchFn: FetchLike;
  private readonly timeoutMs: number;
  private readonly baseHeaders: Record<string, string>;

  constructor(options: HttpOptions) {
    this.base = options.url.replace(/\/+$/, "");
    if (!/^https?:\/\//.test(this.base)) throw new RunnelError(400, `url must start with http:// or https://, got '${options.url}'`);
    this.key = options.key === undefined || options.key === "" ? undefined : options.key;
    const f = options.fetch ?? globalThis.fetch;
    if (typeof f !== "function") throw new RunnelError(400, "this runtime has no fetch(); pass one as the fetch option");
    this.fetchFn = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.baseHeaders = options.compressedResponses ? {} : { "accept-encoding": "identity" };
  }

  /** The raw answer of a call; throws `RunnelError` for error answers and for no answer. */
  async raw(call: Call): Promise<Response> {
    const headers: Record<string, string> = { ...this.baseHeaders, ...call.headers };
    if (this.key !== undefined) headers.authorization = `Bearer ${this.key}`;
    let body: BodyInit | undefined;
    if (call.body !== undefined) {
      if (call.body instanceof Uint8Array || typeof call.body === "string") body = call.body as BodyInit;
      else body = JSON.stringify(call.body);
      headers["content-type"] = call.contentType ?? "application/json";
    }
    const method = call.method ?? "GET";
    let res: Response;
    try {
      res = await this.fetchFn(this.base + call.path, { method, headers, body, signal: AbortSignal.timeout(call.timeoutMs ?? this.timeoutMs) });
    } catch (e) {
      throw unanswered(`${method} ${call.path}`, e);
    }
    if (res.status >= 400) throw await errorOf(res);
    return res;
  }

  /** A call answered with JSON (null for an empty answer, such as 204). */
  async json<T = unknown>(call: Call): Promise<T> {
    const res = await this.raw(call);
    const text = await res.text();
    return (text === "" ? null : JSON.parse(text)) as T;
  }
}

/** The `RunnelError` of an error answer (its JSON body, or its status when the body is not one). */
export async function errorOf(res: Response): Promise<RunnelError> {
  const text = await res.text().catch(() => "");
  let code = res.status;
  let message = text.trim() === "" ? `HTTP ${res.status}` : text.slice(0, 1000);
  let name: string | null = null;
  let logEndOffset: number | null = null;
  try {
    const body = JSON.parse(text) as { error_code?: unknown; message?: unknown; error_name?: unknown; log_end_offset?: unknown };
    if (typeof body.error_code === "number") code = body.error_code;
    if (typeof body.message === "string") message = body.message;
    if (typeof body.error_name === "string") name = body.error_name;
    if (typeof body.log_end_offset === "number") logEndOffset = body.log_end_offset;
  } catch {
    // not JSON: the status and the text say it
  }
  const retryAfter = Number(res.headers.get("retry-after"));
  const wait = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null;
  return new RunnelError(code, message, res.status, res.headers.get("runnel-request-id"), wait, name, logEndOffset);
}

/** `value` made safe for a path segment. */
export const seg = (value: string | number) => encodeURIComponent(String(value));

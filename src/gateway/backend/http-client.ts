/**
 * The front door's one way to the Worker: HTTP/1.1 with keep-alive
 * connections (node:http) shared by every client connection, and a
 * timeout on every call. Which key a call carries is the caller's
 * business (`RunnelApi`). Answers come back as status,
 * headers and raw bytes; turning error bodies into Kafka codes is the
 * caller's business (`BackendError`).
 */
import http from "node:http";
import https from "node:https";

export interface HttpReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface HttpCall {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Path and query, starting with "/". */
  path: string;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
  /** Give up after this long (ms). */
  timeoutMs: number;
  /** Abandons the call (it then rejects with `UnreachableError`). */
  signal?: AbortSignal;
}

/** An HTTP call that got no answer (refused, reset, timed out). */
export class UnreachableError extends Error {
  override name = "UnreachableError";
}

/** A reused keep-alive connection was reset before any answer. */
class StaleSocketError extends Error {}

export interface HttpClientOptions {
  /** The Worker's base URL, e.g. http://127.0.0.1:8787. */
  url: string;
  /** Keep-alive connections kept per Worker origin (default 64). */
  socketsMax?: number;
}

export class HttpClient {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly transport: typeof http | typeof https;

  constructor(options: HttpClientOptions) {
    this.base = new URL(options.url);
    if (this.base.protocol !== "http:" && this.base.protocol !== "https:") throw new Error(`--url must be http or https, got ${options.url}`);
    this.transport = this.base.protocol === "https:" ? https : http;
    const agentOptions = { keepAlive: true, maxSockets: options.socketsMax ?? 64, maxFreeSockets: options.socketsMax ?? 64 };
    this.agent = this.base.protocol === "https:" ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  }

  /**
   * Performs one call; rejects with `UnreachableError` when no answer
   * came. A GET that meets a kept-alive connection the Worker had just
   * closed is sent once more on a fresh one (nothing was read, so nothing
   * repeats); other methods are left to the Kafka client's own retries.
   */
  async request(call: HttpCall): Promise<HttpReply> {
    try {
      return await this.once(call);
    } catch (e) {
      if (!(e instanceof StaleSocketError) || call.method !== "GET") throw e instanceof StaleSocketError ? new UnreachableError(e.message) : e;
      return this.once(call);
    }
  }

  private once(call: HttpCall): Promise<HttpReply> {
    return new Promise((resolve, reject) => {
      const body = typeof call.body === "string" ? Buffer.from(call.body) : call.body;
      const headers: Record<string, string> = { ...call.headers };
      if (body !== undefined) headers["content-length"] = String(body.length);
      const req = this.transport.request(
        {
          protocol: this.base.protocol,
          hostname: this.base.hostname,
          port: this.base.port,
          method: call.method,
          path: this.base.pathname.replace(/\/$/, "") + call.path,
          headers,
          agent: this.agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) });
          });
          res.on("error", (e) => fail(e));
        },
      );
      const fail = (e: Error) => {
        clearTimeout(timer);
        const stale = req.reusedSocket && (e as NodeJS.ErrnoException).code === "ECONNRESET";
        reject(new (stale ? StaleSocketError : UnreachableError)(`${call.method} ${call.path}: ${e.message}`));
      };
      const timer = setTimeout(() => req.destroy(new Error(`no answer in ${call.timeoutMs} ms`)), call.timeoutMs);
      req.on("error", fail);
      if (call.signal !== undefined) {
        if (call.signal.aborted) req.destroy(new Error("abandoned"));
        else call.signal.addEventListener("abort", () => req.destroy(new Error("abandoned")), { once: true });
      }
      req.end(body);
    });
  }

  /** Closes idle keep-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}

/**
 * Opening a WebSocket wherever the client runs: a constructor passed in;
 * in Cloudflare Workers, a fetch() upgrade (through the `fetch` given, so
 * a service binding works); in Node, the `ws` package (imported when first
 * needed under a name bundlers do not follow, so browser bundles never
 * contain it), with permessage-deflate only when asked for: Node's global
 * WebSocket always negotiates it, and inflating every frame was the
 * consumer's largest cost; elsewhere (browsers, Deno, Bun), the runtime's
 * global WebSocket.
 */
import { concatBytes } from "../bytes/concat";
import { RunnelError } from "./errors";
import type { FetchLike } from "./http";

/** The part of a WebSocket the consumer uses (the WHATWG shape). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  /** Drops the connection without a closing handshake (the ws package has it). */
  terminate?(): void;
  addEventListener(type: "open" | "message" | "close" | "error", listener: (event: any) => void): void;
}

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => SocketLike;

export interface SocketOptions {
  WebSocket?: WebSocketConstructor;
  fetch?: FetchLike;
  /** Offer permessage-deflate where the client chooses (the ws package in Node); default false. */
  compressedFrames?: boolean;
}

/** Opens `url` (http or https; the ws scheme is derived) offering `protocols`; resolves once it is open. */
export async function openSocket(url: string, protocols: string[], options: SocketOptions): Promise<SocketLike> {
  if (options.WebSocket === undefined && isWorkers()) return workersSocket(url, protocols, options.fetch ?? ((u, i) => fetch(u, i)));
  const Ctor = options.WebSocket ?? (await nodeWs(options.compressedFrames ?? false)) ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (Ctor === undefined) throw new RunnelError(400, "this runtime has no WebSocket; pass one as the WebSocket option");
  const ws = new Ctor(url.replace(/^http/, "ws"), protocols);
  // Listening from the start: the ws package can hand over the first frame in the same tick as "open".
  const held = new HeldSocket(ws);
  await new Promise<void>((resolve, reject) => {
    refusalOf(ws, reject);
    ws.addEventListener("open", () => resolve());
    ws.addEventListener("error", (e: { message?: string; error?: Error }) => reject(new RunnelError(0, `WebSocket to ${redact(url)} failed: ${e?.message ?? e?.error?.message ?? "no connection"}`)));
    ws.addEventListener("close", (e: { code: number; reason: string }) => reject(closeError(e.code, e.reason)));
  });
  return held;
}

/** The error codes of close codes that mean one thing: a refused authentication (4401) or authorization (4403). */
const CLOSE_ERROR_CODES: Readonly<Record<number, number>> = { 4401: 40101, 4403: 40301 };

/**
 * The `RunnelError` of a close code: 4xxx codes follow the HTTP status
 * (4404 → status 404); 4401 and 4403 are error codes 40101 and 40301.
 */
export function closeError(code: number, reason: string): RunnelError {
  const status = code >= 4000 && code < 5000 ? code - 4000 : 0;
  return new RunnelError(CLOSE_ERROR_CODES[code] ?? status, reason || `WebSocket closed (${code})`, status);
}

/** The `RunnelError` of a refused upgrade: its JSON error body (code, message, Kafka name), or its status. */
function refusedUpgrade(status: number, text: string): RunnelError {
  let body: { error_code?: unknown; message?: unknown; error_name?: unknown } = {};
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: the status says it
  }
  return new RunnelError(
    typeof body.error_code === "number" ? body.error_code : status,
    typeof body.message === "string" ? body.message : `WebSocket upgrade refused (HTTP ${status})`,
    status,
    null,
    null,
    typeof body.error_name === "string" ? body.error_name : null,
  );
}

interface UpgradeReply {
  statusCode?: number;
  on(event: "data", listener: (chunk: Uint8Array) => void): void;
  on(event: "end", listener: () => void): void;
}

/**
 * The ws package tells why an upgrade was refused (the answer's status
 * and JSON body) through its `unexpected-response` event; other
 * WebSockets say only that it failed.
 */
function refusalOf(ws: SocketLike, reject: (e: RunnelError) => void): void {
  const emitter = ws as unknown as { on?: (event: string, listener: (req: { destroy(): void }, res: UpgradeReply) => void) => void };
  if (typeof emitter.on !== "function") return;
  emitter.on("unexpected-response", (req, res) => {
    const chunks: Uint8Array[] = [];
    res.on("data", (chunk) => chunks.push(chunk));
    res.on("end", () => {
      req.destroy();
      const text = new TextDecoder().decode(concatBytes(chunks));
      reject(refusedUpgrade(res.statusCode ?? 0, text));
    });
  });
}

function isWorkers(): boolean {
  return (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent === "Cloudflare-Workers";
}

async function workersSocket(url: string, protocols: string[], fetchFn: FetchLike): Promise<SocketLike> {
  const res = (await fetchFn(url, { headers: { upgrade: "websocket", "sec-websocket-protocol": protocols.join(", ") } })) as Response & { webSocket?: SocketLike & { accept(): void } };
  const ws = res.webSocket;
  if (ws === undefined || ws === null) {
    throw refusedUpgrade(res.status, await res.text());
  }
  const held = new HeldSocket(ws);
  ws.accept();
  return held;
}

/** In Node, the ws package's WebSocket with permessage-deflate as `compressed` says; undefined elsewhere, or when it cannot be imported (a bundle without it). */
function nodeWs(compressed: boolean): Promise<WebSocketConstructor | undefined> {
  let found = nodeWsFound.get(compressed);
  if (found === undefined) nodeWsFound.set(compressed, (found = importNodeWs(compressed)));
  return found;
}

/** Imported once per setting, not per socket. */
const nodeWsFound = new Map<boolean, Promise<WebSocketConstructor | undefined>>();

async function importNodeWs(compressed: boolean): Promise<WebSocketConstructor | undefined> {
  const isNode = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === "string";
  if (!isNode) return undefined;
  const name = "ws"; // a variable, so bundlers leave it to Node
  const mod = (await import(/* @vite-ignore */ /* webpackIgnore: true */ name).catch(() => null)) as { WebSocket?: WsConstructor; default?: WsConstructor } | null;
  const Ws = mod?.WebSocket ?? mod?.default;
  if (Ws === undefined) return undefined;
  return class extends Ws {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { perMessageDeflate: compressed });
    }
  };
}

type WsConstructor = new (url: string, protocols?: string | string[], options?: { perMessageDeflate?: boolean }) => SocketLike;

/** `url` without an access_token. */
function redact(url: string): string {
  return url.replace(/access_token=[^&]*/, "access_token=…");
}

/**
 * A socket whose messages and close are held until someone listens for
 * them, then handed over in order: whoever opened it may start listening
 * a few ticks after "open", and a frame that came in between (the
 * group's first assignment) must not be lost. What is held is bounded by
 * the records of credit the subscription granted.
 */
class HeldSocket implements SocketLike {
  private readonly listeners = new Map<string, ((event: any) => void)[]>();
  private readonly held = new Map<string, unknown[]>();

  constructor(private readonly ws: SocketLike) {
    for (const type of HELD_TYPES) ws.addEventListener(type, (event) => this.dispatch(type, event));
  }

  get readyState(): number {
    return this.ws.readyState;
  }

  send(data: string): void {
    this.ws.send(data);
  }

  close(code?: number, reason?: string): void {
    this.ws.close(code, reason);
  }

  /** Drops the connection without a closing handshake, where the socket can (the ws package). */
  terminate(): void {
    this.ws.terminate?.();
  }

  addEventListener(type: "open" | "message" | "close" | "error", listener: (event: any) => void): void {
    if (type !== "message" && type !== "close") {
      this.ws.addEventListener(type, listener);
      return;
    }
    const list = this.listeners.get(type) ?? [];
    list.push(listener);
    this.listeners.set(type, list);
    const waiting = this.held.get(type);
    this.held.delete(type);
    for (const event of waiting ?? []) listener(event);
  }

  private dispatch(type: string, event: unknown): void {
    const list = this.listeners.get(type);
    if (list !== undefined) {
      for (const listener of list) listener(event);
      return;
    }
    const waiting = this.held.get(type) ?? [];
    waiting.push(event);
    this.held.set(type, waiting);
  }
}

const HELD_TYPES = ["message", "close"] as const;

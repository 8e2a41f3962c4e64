/**
 * The Kafka front door: a TCP server (node:net) speaking Kafka's binary
 * protocol to clients and Runnel's HTTP API to the Worker. It holds no
 * state that matters — kill it, start another, nothing is lost — so any
 * number may run side by side. Built by `scripts/build.mjs` into
 * `.runnel/build/gateway.mjs`; `npm start` runs one beside the Worker and
 * `npm run gateway` runs one anywhere.
 *
 * With SASL required (the Worker has authentication on), each client
 * authenticates with SASL/PLAIN and every call made for its connection
 * carries its own key; the front door's own key (`key`) is then used for
 * nothing, and never lent to a client. With SASL off, every call carries
 * `key` when one is given.
 */
import { createServer, type Server, type Socket } from "node:net";
import { HttpClient } from "./backend/http-client";
import { RunnelApi } from "./backend/runnel-api";
import { logInfo } from "./log";
import { Connection } from "./server/connection";
import type { SaslMode } from "./server/sasl-session";

export type { SaslMode } from "./server/sasl-session";

export interface GatewayOptions {
  /** The Worker's base URL, e.g. http://127.0.0.1:8787. */
  url: string;
  /** `{key_id}.{secret}` sent to the Worker as a bearer token with SASL off; none by default. */
  key?: string;
  /** "required": clients authenticate with SASL/PLAIN (Runnel keys); "off" (the default): they do not. */
  sasl?: SaslMode;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Port to listen on (default 9092; 0 picks a free one). */
  port?: number;
  /** `host` or `host:port` to name in Metadata; default: the address each client connected to. */
  advertisedHost?: string;
  /** The broker id the front door gives itself (default 0). */
  nodeId?: number;
  /** No start line. */
  quiet?: boolean;
}

export interface RunningGateway {
  host: string;
  port: number;
  stop(): Promise<void>;
}

/** Starts listening; resolves once the port is bound. */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const http = new HttpClient({ url: options.url, socketsMax: 256 });
  const sasl = options.sasl ?? "off";
  const api = new RunnelApi(http, sasl === "off" ? options.key : undefined);
  const advertised = parseAdvertised(options.advertisedHost);
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    new Connection(socket, { api, sasl, nodeId: options.nodeId ?? 0, ...advertised });
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 9092, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : (options.port ?? 9092);
  logInfo(`Kafka protocol front door on ${host}:${port} → ${options.url} (SASL/PLAIN ${sasl})`, options.quiet);
  return {
    host,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        http.close();
        server.close(() => resolve());
      }),
  };
}

/** `host` or `host:port` (`[v6]:port` for IPv6) from `--advertised-host`. */
export function parseAdvertised(value: string | undefined): { advertisedHost?: string; advertisedPort?: number } {
  if (value === undefined || value === "") return {};
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value);
  if (m === null) return { advertisedHost: value.replace(/^\[|\]$/g, "") };
  const port = Number(m[3]);
  if (port < 1 || port > 65535) throw new Error(`--advertised-host port must be 1–65535, got ${m[3]}`);
  return { advertisedHost: m[1] ?? m[2]!, advertisedPort: port };
}

/**
 * Whether the Worker at `url` requires authentication, so the front door
 * must require SASL: asks it without a key. 401 (authentication on) or 503
 * (production without an admin key, which refuses everyone) → "required";
 * any other answer → "off". Rejects when the Worker does not answer within
 * `timeoutMs` (default 10 s).
 */
export async function saslModeOf(url: string, timeoutMs = 10_000): Promise<SaslMode> {
  const http = new HttpClient({ url, socketsMax: 1 });
  try {
    const reply = await http.request({ method: "GET", path: "/v3/clusters", timeoutMs });
    return reply.status === 401 || reply.status === 503 ? "required" : "off";
  } finally {
    http.close();
  }
}

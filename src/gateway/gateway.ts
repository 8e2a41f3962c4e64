/**
 * The Kafka front door: a TCP server (node:net) speaking Kafka's binary
 * protocol to clients and Runnel's HTTP API to the Worker. It holds no
 * state that matters — kill it, start another, nothing is lost — so any
 * number may run side by side. Built by `scripts/build.mjs` into
 * `.runnel/build/gateway.mjs`; `npm start` runs one beside the Worker and
 * `npm run gateway` runs one anywhere.
 */
import { createServer, type Server, type Socket } from "node:net";
import { HttpClient } from "./backend/http-client";
import { RunnelApi } from "./backend/runnel-api";
import { logInfo } from "./log";
import { Connection } from "./server/connection";

export interface GatewayOptions {
  /** The Worker's base URL, e.g. http://127.0.0.1:8787. */
  url: string;
  /** `{key_id}.{secret}` sent to the Worker as a bearer token; none by default. */
  key?: string;
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
  const http = new HttpClient({ url: options.url, ...(options.key === undefined ? {} : { key: options.key }), socketsMax: 256 });
  const api = new RunnelApi(http);
  const advertised = parseAdvertised(options.advertisedHost);
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    new Connection(socket, { api, nodeId: options.nodeId ?? 0, ...advertised });
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
  logInfo(`Kafka protocol front door on ${host}:${port} → ${options.url}`, options.quiet);
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

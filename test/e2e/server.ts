// Starts `scripts/serve.mjs` (what `npm start` runs) as a child process on
// a free port, and stops it again.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      srv.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export interface RunningServer {
  url: string;
  /** Where the Kafka protocol is served, when it was asked for. */
  kafka: { host: string; port: number } | null;
  /** Everything the server printed so far (stdout and stderr). */
  output(): string;
  stop(): Promise<void>;
  /** A crash: SIGKILL to the server and its workerd (the process group `ServerOptions.crashable` gave them); resolves once they are gone. */
  crash(): Promise<void>;
}

/** How to start the server, as a user would (all optional). */
export interface ServerOptions {
  /** `--mode` (serve.mjs's default, development, when absent). */
  mode?: "development" | "production";
  /** `--admin-key`: turns authentication on. */
  adminKey?: string;
  /** Extra environment variables (e.g. RUNNEL_ADMIN_KEY); RUNNEL_ADMIN_KEY is removed from the inherited ones unless given here. */
  env?: Record<string, string>;
  /** `--auth-off`: serve open even over a state that holds keys or ACLs. */
  authOff?: boolean;
  /** Runs the server in a process group of its own, so that `crash()` can kill it with its workerd at once. */
  crashable?: boolean;
}

/**
 * Runs the server on `port` with state in `persistTo`, and the Kafka
 * protocol on `kafkaPort` (0, the default, serves none); the fourth
 * argument is the admin key (authentication on) or `ServerOptions`.
 * Resolves once it serves.
 */
export async function startServer(port: number, persistTo: string, kafkaPort = 0, adminKeyOrOptions: string | ServerOptions = {}): Promise<RunningServer> {
  const options: ServerOptions = typeof adminKeyOrOptions === "string" ? { adminKey: adminKeyOrOptions } : adminKeyOrOptions;
  const args = ["scripts/serve.mjs", "--port", String(port), "--persist-to", persistTo, "--kafka-port", String(kafkaPort)];
  if (options.mode !== undefined) args.push("--mode", options.mode);
  if (options.adminKey !== undefined) args.push("--admin-key", options.adminKey);
  if (options.authOff === true) args.push("--auth-off");
  const ready = kafkaPort === 0 ? "Runnel is serving on" : "Kafka protocol on";
  const { RUNNEL_ADMIN_KEY: _inherited, ...inherited } = process.env;
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: root,
    env: { ...inherited, WRANGLER_SEND_METRICS: "false", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: options.crashable === true,
  });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(ready)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    kafka: kafkaPort === 0 ? null : { host: "127.0.0.1", port: kafkaPort },
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.on("exit", () => resolve());
        child.kill("SIGTERM");
      }),
    crash: () =>
      new Promise<void>((resolve, reject) => {
        if (options.crashable !== true || child.pid === undefined) return reject(new Error("crash() needs a server started with crashable: true"));
        child.on("exit", () => resolve());
        process.kill(-child.pid, "SIGKILL"); // the group: node and the workerd it started
      }),
  };
}

/** A JSON request to `url` with the admin key `secret` (authentication on): its status, and its body parsed (null when empty). */
export async function adminCall(secret: string, method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method,
    headers: { "content-type": "application/json", authorization: `Bearer admin.${secret}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === "" ? null : JSON.parse(text) };
}

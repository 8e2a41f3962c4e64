// Starts Runnel in workerd through Miniflare's API (no wrangler dev proxy
// in front, which costs a lot of throughput), with on-disk state, and
// optionally the Kafka protocol front door beside it.
import { pathToFileURL } from "node:url";
import { Miniflare, Log, LogLevel, convertV4MiniflareOptions } from "miniflare";
import { buildExample, buildGateway, buildWorker, root } from "./build.mjs";

process.env.WRANGLER_SEND_METRICS = "false";

/**
 * Starts the server. Options: port (default 8787), host (default
 * 127.0.0.1), persistTo (default .runnel/state), quiet, inspectorPort
 * (for profiling; none by default), adminKey (the RUNNEL_ADMIN_KEY secret:
 * authentication on; none by default), mode ("development", the
 * default, allows fault injection and serves open without an admin key;
 * "production" refuses faults and, without an admin key, every request —
 * wrangler.toml ships production, so this asks for development itself),
 * kafkaPort (the Kafka front door's port on `host`; 0, the default here,
 * runs none; with an admin key its clients must authenticate with
 * SASL/PLAIN), authOff (development without an admin key over a state
 * that holds keys or ACLs: serve open anyway; without it such a start
 * throws, saying why — see openOverKeys in src/access/authenticate.ts).
 * Returns { url, kafka: { host, port, sasl } | null, stop() }.
 */
export async function startServer({ port = 8787, host = "127.0.0.1", persistTo = `${root}.runnel/state`, quiet = false, inspectorPort, mode = "development", adminKey, kafkaPort = 0, authOff = false } = {}) {
  const { unstable_getMiniflareWorkerOptions } = await import("wrangler");
  const { workerOptions } = unstable_getMiniflareWorkerOptions(`${root}wrangler.toml`);
  workerOptions.bindings = { ...workerOptions.bindings, MODE: mode, ...(adminKey ? { RUNNEL_ADMIN_KEY: adminKey } : {}), ...(authOff ? { AUTH_OFF: "true" } : {}) };
  // Development mode runs the development build: the deployed Worker plus faults on demand (src/dev.ts).
  const development = mode === "development";
  if (development) workerOptions.durableObjects = { ...workerOptions.durableObjects, FAULTS: { className: "Faults", useSQLite: true } };
  const scriptPath = await buildWorker({ development });
  // Beside Runnel, the example consumer Worker (examples/consumer-worker): bound as CONSUMER, a subscription's
  // worker target; it binds Runnel's RunnelService back as User:example-consumer.
  workerOptions.serviceBindings = { ...workerOptions.serviceBindings, CONSUMER: EXAMPLE_NAME };
  const example = { name: EXAMPLE_NAME, modules: true, scriptPath: await buildExample(), compatibilityDate: workerOptions.compatibilityDate, serviceBindings: { RUNNEL: EXAMPLE_BINDING } };
  // wrangler still speaks Miniflare 4's option shape; Miniflare 5 converts it.
  const options = convertV4MiniflareOptions({
    host,
    port,
    cf: false,
    log: new Log(quiet ? LogLevel.WARN : LogLevel.INFO),
    workers: [{ ...withoutModuleRules(workerOptions), name: "runnel", modules: true, scriptPath, modulesRoot: `${root}.runnel/build` }, example],
  });
  // Per-request logging costs throughput; storage lives under persistTo.
  const mf = new Miniflare({ ...options, resourcePersistencePath: persistTo, logRequests: false, ...(inspectorPort ? { inspectorPort } : {}) });
  const url = (await mf.ready).toString().replace(/\/$/, "");
  if (mode === "development" && !adminKey) {
    // The Worker refuses every request when serving this state open is not fine; one request learns whether it does.
    const refusal = await refusedOpen(url);
    if (refusal !== null) {
      await mf.dispose();
      throw new Error(`refusing to serve ${persistTo} without authentication: ${refusal}`);
    }
  }
  let gateway = null;
  if (kafkaPort !== 0) {
    try {
      const { startGateway } = await import(pathToFileURL(await buildGateway()).href);
      // With authentication on, Kafka clients bring their own keys (SASL/PLAIN); the front door gets none.
      gateway = await startGateway({ url, host, port: kafkaPort, quiet: true, sasl: adminKey ? "required" : "off" });
    } catch (e) {
      await mf.dispose();
      throw new Error(`could not serve the Kafka protocol on ${host}:${kafkaPort} (${e.message}); pick another --kafka-port, or 0 for none`);
    }
  }
  return {
    url,
    mf,
    kafka: gateway === null ? null : { host: gateway.host, port: gateway.port, sasl: adminKey ? "required" : "off" },
    stop: async () => {
      await gateway?.stop();
      await mf.dispose();
    },
  };
}

/** The example consumer Worker's name, and its binding to Runnel (as in examples/consumer-worker/wrangler.toml). */
export const EXAMPLE_NAME = "runnel-example-consumer";
export const EXAMPLE_BINDING = { name: "runnel", entrypoint: "RunnelService", props: { principal: "User:example-consumer" } };

/** The Worker's reason for refusing to serve open (503 / 50301), or null when it serves. */
async function refusedOpen(url) {
  const res = await fetch(`${url}/v3/clusters`);
  const text = await res.text();
  if (res.status !== 503) return null;
  const body = JSON.parse(text);
  if (body.error_code !== 50301) throw new Error(`the server answered its first request ${res.status}: ${text}`);
  return body.message;
}

// The bundle is one file, so wrangler's module rules have nothing to match.
function withoutModuleRules({ modulesRules: _rules, rootPath: _root, ...rest }) {
  return rest;
}

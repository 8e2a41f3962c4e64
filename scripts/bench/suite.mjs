// The benchmark's scenarios, and the server they run on. A server belongs
// to an "arm": the code being measured ({ name, startServer, client }) —
// this checkout, or a baseline's worktree (bench/baseline.mjs).
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { batchesPath } from "./batches-path.mjs";
import { cleanerScenario } from "./cleaner-scenario.mjs";
import { onExit } from "./cleanup.mjs";
import { httpClient } from "./http.mjs";
import { kafkaScenario } from "./kafka-scenario.mjs";
import { watchServerMemory } from "./memory.mjs";
import { clientPath, rawPath } from "./paths.mjs";
import { produceConsume } from "./produce-consume.mjs";
import { pushScenario } from "./push-scenario.mjs";
import { scrapeScenario } from "./scrape-scenario.mjs";
import { tieredScenario } from "./tiered-scenario.mjs";
import { wsScenario } from "./ws-scenario.mjs";

const CLUSTER = "runnel-local";
const ADMIN_SECRET = "bench-admin-secret";

/** The path named `via` (client, raw or batches) to `url` with `key` (null: none), through `arm`'s client. */
export function pathTo(arm, via, url, key, recordBytes) {
  return { client: clientPath, raw: rawPath, batches: batchesPath }[via](url, key, recordBytes, arm.client);
}

/** A TCP port free on 127.0.0.1 now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
    probe.on("error", reject);
  });
}

/** A key of User:bench with CREATE, WRITE and READ on topics and READ on groups named bench-…, made by the admin. */
async function benchKey(url) {
  const admin = httpClient(url, { authorization: `Bearer admin.${ADMIN_SECRET}` });
  const key = await admin.post(`/v3/clusters/${CLUSTER}/keys`, JSON.stringify({ principal: "User:bench" }));
  const grants = [["TOPIC", "CREATE"], ["TOPIC", "WRITE"], ["TOPIC", "READ"], ["GROUP", "READ"]];
  for (const [resource_type, operation] of grants) {
    const acl = { resource_type, resource_name: "bench-", pattern_type: "PREFIXED", principal: "User:bench", host: "*", operation, permission: "ALLOW" };
    await admin.post(`/v3/clusters/${CLUSTER}/acls`, JSON.stringify(acl));
  }
  return `${key.key_id}.${key.secret}`;
}

/** `arm`'s server in `mode` on a fresh state directory under cfg.stateDir; the directory goes when it stops. */
async function startOn(arm, cfg, options) {
  const dir = mkdtempSync(join(cfg.stateDir ?? tmpdir(), "runnel-bench-"));
  const removeDir = onExit(() => rmSync(dir, { recursive: true, force: true }));
  try {
    const server = await arm.startServer({ port: cfg.port, persistTo: dir, quiet: true, ...options });
    return {
      ...server,
      dir,
      stop: async () => {
        await server.stop();
        removeDir();
      },
    };
  } catch (e) {
    removeDir();
    throw e;
  }
}

/**
 * Starts `arm`'s server as a deployment runs it (production mode,
 * authentication on), with the Kafka front door when `kafka`, and opens
 * the paths cfg.via with the key of User:bench. Resolves to the context
 * scenarios run in; its close() stops the server and resolves to the
 * server's peak resident memory (MiB) and CPU seconds.
 */
export async function openServer(arm, cfg, { kafka, inspectorPort }) {
  const kafkaPort = kafka ? await freePort() : 0;
  const server = await startOn(arm, cfg, { inspectorPort, mode: "production", adminKey: ADMIN_SECRET, kafkaPort });
  try {
    const memory = watchServerMemory();
    const key = await benchKey(server.url);
    const paths = await Promise.all(cfg.via.map((via) => pathTo(arm, via, server.url, key, cfg.recordBytes)));
    return {
      arm,
      url: server.url,
      kafka: server.kafka,
      key,
      memory,
      paths,
      async close() {
        for (const path of paths) await path.close();
        const figures = { server_peak_rss_mib: Math.round(memory.stop() / 1024 / 1024), server_cpu_s: memory.cpuSeconds() };
        await server.stop();
        return figures;
      },
    };
  } catch (e) {
    await server.stop();
    throw e;
  }
}

/**
 * The scenarios cfg selects, in the order they run. Each is { name, run };
 * run(ctx) takes a server from openServer, except where ownServers is set:
 * then run(arm) starts servers of its own. kafka: the server needs the
 * Kafka front door.
 */
export function scenarios(cfg) {
  const list = [];
  /** Figures of the first path as they are; of another, prefixed with its name. */
  const named = (via, key) => (via === cfg.via[0] ? key : `${via}_${key}`);
  const run = (ctx, path, rf, topic) => produceConsume({ ...cfg, path, topic, rf, memory: ctx.memory });
  for (const rf of cfg.rfs) {
    list.push({
      name: `rf${rf}`,
      run: async (ctx) => {
        const out = {};
        for (const path of ctx.paths) {
          const figures = await run(ctx, path, rf, `bench-rf${rf}-${path.name}`);
          for (const [k, v] of Object.entries(figures)) out[named(path.name, rf === 1 ? k : `rf${rf}_${k}`)] = v;
        }
        return out;
      },
    });
  }
  for (const via of cfg.compare.filter((v) => !cfg.via.includes(v))) {
    list.push({
      name: `compare-${via}`,
      run: async (ctx) => {
        const path = await pathTo(ctx.arm, via, ctx.url, ctx.key, cfg.recordBytes);
        const figures = await run(ctx, path, 1, `bench-compare-${via}`);
        await path.close();
        return Object.fromEntries(Object.entries(figures).map(([k, v]) => [`${via}_${k}`, v]));
      },
    });
  }
  if (cfg.scrape) list.push({ name: "scrape", run: (ctx) => scrape(ctx, cfg, run) });
  if (cfg.ws) list.push({ name: "ws", run: (ctx) => ws(ctx, cfg, named) });
  if (cfg.kafka) list.push({ name: "kafka", kafka: true, run: (ctx) => kafkaOn(ctx, cfg) });
  if (cfg.cleaner) list.push({ name: "cleaner", run: (ctx) => cleanerOn(ctx, cfg) });
  if (cfg.auth) list.push({ name: "auth", ownServers: true, run: (arm) => authScenarios(arm, cfg) });
  if (cfg.tiered) list.push({ name: "tiered", ownServers: true, run: (arm) => tieredScenario(() => tieredServer(arm, cfg), cfg) });
  if (cfg.push) list.push({ name: "push", ownServers: true, run: (arm) => pushOn(arm, cfg) });
  return list;
}

/** What scraping /metrics costs (bench/scrape-scenario.mjs), on the first path. */
function scrape(ctx, cfg, run) {
  const admin = httpClient(ctx.url, { authorization: `Bearer admin.${ADMIN_SECRET}` }); // the scraper: DESCRIBE on the cluster
  return scrapeScenario({ run: (topic) => run(ctx, ctx.paths[0], 1, topic), http: admin.http, cpuSeconds: () => ctx.memory.cpuSeconds(), records: cfg.records });
}

/** A server of `arm` for the tiered-storage scenario (bench/tiered-scenario.mjs): as deployed, driven with the admin's key. */
async function tieredServer(arm, cfg) {
  const s = await startOn(arm, cfg, { mode: "production", adminKey: ADMIN_SECRET });
  const key = `admin.${ADMIN_SECRET}`;
  const path = await pathTo(arm, "client", s.url, key, cfg.tieredRecordBytes);
  const stop = async () => {
    await path.close();
    await s.stop();
  };
  return { url: s.url, dir: s.dir, key, path, stop };
}

/** Two WebSocket subscribers per path: flat out, then paced at cfg.latencyRate with smaller batches. */
async function ws(ctx, cfg, named) {
  const out = {};
  const common = { records: cfg.records, producers: cfg.producers, partitions: cfg.partitions, batch: cfg.batch };
  for (const path of ctx.paths) {
    const full = await wsScenario({ ...common, path, topic: `bench-ws-${path.name}` });
    const half = await wsScenario({ ...common, path, batch: cfg.latencyBatch, producers: cfg.latencyProducers, topic: `bench-ws-half-${path.name}`, ratePerS: cfg.latencyRate });
    const figures = {
      ws_delivered_records_per_s: full.delivered_records_per_s,
      ws_e2e_p99_ms: full.e2e_p99_ms,
      ws_records_verified: full.records_verified,
      ws_half_load_batch_records: cfg.latencyBatch,
      ws_half_load_producers: cfg.latencyProducers,
      ws_half_load_records_per_s: half.delivered_records_per_s,
      ws_half_load_e2e_p50_ms: half.e2e_p50_ms,
      ws_half_load_e2e_p99_ms: half.e2e_p99_ms,
      ws_half_load_records_verified: half.records_verified,
    };
    for (const [k, v] of Object.entries(figures)) out[named(path.name, k)] = v;
  }
  return out;
}

/** kcat through the Kafka front door (bench/kafka-scenario.mjs). */
function kafkaOn(ctx, cfg) {
  const createTopic = (topic, partitions, rf) => ctx.paths[0].createTopic(topic, partitions, rf);
  return kafkaScenario({ kafka: ctx.kafka, key: ctx.key, createTopic, topic: "bench-kafka", records: cfg.records, recordBytes: cfg.recordBytes, partitions: cfg.partitions });
}

/** The log cleaner's throughput on a compacted partition (bench/cleaner-scenario.mjs). */
function cleanerOn(ctx, cfg) {
  const records = cfg.cleanerRecords;
  const keys = cfg.cleanerKeys ?? Math.max(1, Math.round(records / 10));
  return cleanerScenario({ url: ctx.url, adminKey: `admin.${ADMIN_SECRET}`, key: ctx.key, client: ctx.arm.client, records, keys, recordBytes: cfg.recordBytes, batch: cfg.batch });
}

/**
 * What authentication costs: the replication-factor-1 run on a server of
 * `arm` in development mode serving open, then on one with authentication
 * on (User:bench through ACLs). Same mode both times, so only
 * authentication differs; compare the two in one run.
 */
async function authScenarios(arm, cfg) {
  const out = {};
  for (const auth of ["off", "on"]) {
    const s = await startOn(arm, cfg, { mode: "development", adminKey: auth === "on" ? ADMIN_SECRET : undefined });
    try {
      const key = auth === "on" ? await benchKey(s.url) : null;
      const path = await pathTo(arm, cfg.via[0], s.url, key, cfg.recordBytes);
      // These runs report throughput only: a watcher that samples when asked, not every 250 ms.
      const memory = watchServerMemory();
      memory.stop();
      const figures = await produceConsume({ ...cfg, path, topic: `bench-auth-${auth}`, rf: 1, memory });
      await path.close();
      out[`auth_${auth}_produce_records_per_s`] = figures.produce_records_per_s;
      out[`auth_${auth}_consume_records_per_s`] = figures.consume_records_per_s;
    } finally {
      await s.stop();
    }
  }
  return out;
}

/**
 * Push subscriptions to a webhook receiver (bench/push-scenario.mjs) on a
 * server of `arm` in development mode serving open: production refuses
 * webhooks on the loopback, where the receiver listens.
 */
async function pushOn(arm, cfg) {
  const s = await startOn(arm, cfg, { mode: "development" });
  try {
    const path = await pathTo(arm, cfg.via[0], s.url, null, cfg.recordBytes);
    try {
      const common = { producers: cfg.producers, partitions: cfg.partitions, batch: cfg.batch, latencyBatch: cfg.latencyBatch };
      return await pushScenario({ ...common, path, server: s.url, records: cfg.pushRecords });
    } finally {
      await path.close();
    }
  } finally {
    await s.stop();
  }
}

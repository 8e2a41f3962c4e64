// `npm run bench`: starts the local server on a fresh directory and,
// through the TypeScript client (runnel/client: what a user of the client
// gets), produces records in batches from concurrent producers to a
// 4-partition topic while consumers fetch them back at the same time —
// once with replication factor 1 and once with 3 (acks=all). Checks every
// record came back exactly once and in order per producer within its
// partition. Then two WebSocket subscribers in one group consume a topic
// while producers write, flat out and at half that load. Prints one JSON
// line: the replication-factor-1 figures, the same with an rf3_ prefix,
// and ws_ figures.
//
// Options: --records N (1000000) --record-bytes N (100) --partitions N (4)
// --producers N (8) --batch N (records per request, 2000) --fetch-bytes N
// (max_bytes per fetch, 1048576) --rf LIST (1,3; none skips) --ws true|false (the
// WebSocket runs: flat out, then at half that load) --latency-batch N
// (records per request in the half-load run, 500) --latency-producers N
// (producers in the half-load run, 16) --latency-rate N (records/s of the
// half-load run: half the 250,000 target, 125000) --state-dir DIR (where
// the server's state goes: the system temp dir on disk by default;
// /dev/shm takes the disk's flush latency out) --port N
// --profile FILE (CPU-profile workerd) --auth true|false (true: what
// authentication costs — the replication-factor-1 run on two more servers
// in development mode, one serving open and one with authentication on:
// auth_off_ and auth_on_ figures) --via LIST (client, the default, and/or
// raw: the hand-written path of v2 JSON over node:http and raw WebSocket
// frames; batches: record batches both ways — the client's producer, and
// fetches of the stored batches as bytes, decoded by the benchmark; figures
// of a path other than the first are prefixed with its name, so `--via
// batches,raw` compares record batches with JSON in one run) --compare
// LIST (batches,raw; none skips: the replication-factor-1 run once more
// through each of these paths, its figures prefixed with the path's name
// — record batches both ways against v2 JSON both ways, with the server's
// CPU per record of each) --scrape
// true|false (true: what scraping costs — the replication-factor-1 run of
// the first path four more times, plain and while GET /metrics is scraped
// every second: scrape_ figures; see bench/scrape-scenario.mjs) --kafka
// true|false (true, the default when kcat is installed: the same records
// through the Kafka front door, produced by kcat -P — librdkafka, acks=all,
// idempotent, SASL/PLAIN — while kcat -C reads them back: kafka_ figures;
// the front door runs in the benchmark's process, so its CPU counts as the
// client's; see bench/kafka-scenario.mjs)
//
// The main server runs as a deployment would: production mode (no fault
// checks) with authentication on; every request carries the key of
// User:bench, whose rights come from ACLs (not the admin's shortcut).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { parseArgs } from "node:util";
import { buildClient } from "./build-client.mjs";
import { httpClient } from "./bench/http.mjs";
import { kafkaScenario } from "./bench/kafka-scenario.mjs";
import { pct, produce, Verifier } from "./bench/load.mjs";
import { batchesPath } from "./bench/batches-path.mjs";
import { clientPath, rawPath } from "./bench/paths.mjs";
import { watchServerMemory } from "./bench/memory.mjs";
import { startProfiler } from "./bench/profiler.mjs";
import { scrapeScenario } from "./bench/scrape-scenario.mjs";
import { wsScenario } from "./bench/ws-scenario.mjs";
import { startServer } from "./server.mjs";

const { values: opts } = parseArgs({
  options: {
    records: { type: "string", default: "1000000" },
    "record-bytes": { type: "string", default: "100" },
    partitions: { type: "string", default: "4" },
    producers: { type: "string", default: "8" },
    batch: { type: "string", default: "2000" },
    "fetch-bytes": { type: "string", default: "1048576" },
    rf: { type: "string", default: "1,3" },
    ws: { type: "string", default: "true" },
    "latency-batch": { type: "string", default: "500" },
    "latency-producers": { type: "string", default: "16" },
    "latency-rate": { type: "string", default: "125000" },
    port: { type: "string", default: "0" },
    "state-dir": { type: "string" },
    profile: { type: "string" },
    auth: { type: "string", default: "true" },
    via: { type: "string", default: "client" },
    scrape: { type: "string", default: "true" },
    compare: { type: "string", default: "batches,raw" },
    kafka: { type: "string", default: spawnSync("kcat", ["-V"]).status === 0 ? "true" : "false" },
    help: { type: "boolean", default: false },
  },
});
if (opts.help) {
  // The comment at the top of this file is the help: print it.
  const { readFileSync } = await import("node:fs");
  const text = readFileSync(new URL(import.meta.url), "utf8").split("\n");
  console.log(text.slice(0, text.findIndex((l) => !l.startsWith("//"))).map((l) => l.replace(/^\/\/ ?/, "")).join("\n"));
  process.exit(0);
}
const RECORDS = Number(opts.records);
const RECORD_BYTES = Number(opts["record-bytes"]);
const PARTITIONS = Number(opts.partitions);
const PRODUCERS = Number(opts.producers);
const BATCH = Number(opts.batch);
const FETCH_BYTES = Number(opts["fetch-bytes"]);
const CLUSTER = "runnel-local";

const dir = mkdtempSync(join(opts["state-dir"] ?? tmpdir(), "runnel-bench-"));
const ADMIN_SECRET = "bench-admin-secret";
const kafkaPort = opts.kafka === "false" ? 0 : await freePort();
const server = await startServer({ port: Number(opts.port), persistTo: dir, quiet: true, inspectorPort: opts.profile ? 9229 : undefined, mode: "production", adminKey: ADMIN_SECRET, kafkaPort });
const profiler = opts.profile ? await startProfiler(9229) : null;
const memory = watchServerMemory();
const BENCH_KEY = await benchKey(server.url);
const VIA = opts.via.split(",").filter((v) => v !== "");
for (const v of VIA) if (!["client", "raw", "batches"].includes(v)) throw new Error(`--via takes client, raw and/or batches, got '${v}'`);
await buildClient(); // the bench imports runnel/client: build it from the source being measured
/** The path named `via` to `url` with `key` (null: none). */
const pathTo = (via, url, key) => ({ client: clientPath, raw: rawPath, batches: batchesPath })[via](url, key, RECORD_BYTES);
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

/**
 * Produces and consumes RECORDS records on a fresh topic of replication
 * factor `rf` through `path`; returns its figures.
 */
async function scenario(rf, path, topic) {
  await path.createTopic(topic, PARTITIONS, rf);
  const verifier = new Verifier(PARTITIONS);
  let consumeDoneMs = 0;

  async function consumer(partition) {
    let offset = 0;
    while (verifier.count < RECORDS) {
      const fetched = await path.fetch(topic, partition, offset, FETCH_BYTES);
      const nowMs = Date.now();
      for (const r of fetched.records) {
        if (r.offset !== offset) throw new Error(`partition ${partition}: offset ${r.offset}, expected ${offset}`);
        verifier.check(partition, r.value, nowMs);
        offset++;
      }
    }
    consumeDoneMs = performance.now();
  }

  const startedMs = performance.now();
  const cpuBefore = process.cpuUsage();
  const serverCpuBeforeS = memory.cpuSeconds();
  const consumers = Array.from({ length: PARTITIONS }, (_, p) => consumer(p));
  const produceLatenciesMs = await produce({ path, topic, records: RECORDS, producers: PRODUCERS, partitions: PARTITIONS, batch: BATCH });
  const produceDoneMs = performance.now();
  const stall = new Promise((_, reject) => setTimeout(() => reject(new Error(`consumers stalled at ${verifier.count}`)), 60_000));
  await Promise.race([Promise.all(consumers), stall]);
  const cpu = process.cpuUsage(cpuBefore);
  return {
    produce_records_per_s: Math.round(RECORDS / ((produceDoneMs - startedMs) / 1000)),
    consume_records_per_s: Math.round(RECORDS / ((consumeDoneMs - startedMs) / 1000)),
    produce_p50_ms: pct(produceLatenciesMs, 0.5),
    produce_p99_ms: pct(produceLatenciesMs, 0.99),
    e2e_p99_ms: pct(verifier.e2eMs, 0.99),
    records_verified: verifier.count,
    // The server's CPU per record produced and consumed, while the scenario ran.
    server_cpu_us_per_record: Math.round(((memory.cpuSeconds() - serverCpuBeforeS) * 1e6) / RECORDS * 100) / 100,
    // The benchmark's own CPU (producers, consumers, checks) while the scenario ran: what the path costs a client.
    scenario_client_cpu_s: Math.round((cpu.user + cpu.system) / 1e5) / 10,
  };
}

const result = { records: RECORDS, record_bytes: RECORD_BYTES, partitions: PARTITIONS, producers: PRODUCERS, batch_records: BATCH, acks: "all", via: VIA.join(",") };
/** Figures of the first path as they are; of another, prefixed with its name. */
const named = (via, key) => (via === VIA[0] ? key : `${via}_${key}`);
const paths = await Promise.all(VIA.map((via) => pathTo(via, server.url, BENCH_KEY)));
for (const rf of opts.rf.split(",").filter((r) => r !== "" && r !== "none").map(Number)) {
  for (const path of paths) {
    const figures = await scenario(rf, path, `bench-rf${rf}-${path.name}`);
    for (const [k, v] of Object.entries(figures)) result[named(path.name, rf === 1 ? k : `rf${rf}_${k}`)] = v;
  }
}
for (const via of opts.compare.split(",").filter((v) => v !== "" && v !== "none" && !VIA.includes(v))) {
  const path = await pathTo(via, server.url, BENCH_KEY);
  const figures = await scenario(1, path, `bench-compare-${via}`);
  await path.close();
  for (const [k, v] of Object.entries(figures)) result[`${via}_${k}`] = v;
}
if (opts.scrape !== "false") {
  const admin = httpClient(server.url, { authorization: `Bearer admin.${ADMIN_SECRET}` }); // the scraper: DESCRIBE on the cluster
  Object.assign(result, await scrapeScenario({ run: (topic) => scenario(1, paths[0], topic), http: admin.http, cpuSeconds: () => memory.cpuSeconds(), records: RECORDS }));
}
if (opts.ws !== "false") {
  const common = { records: RECORDS, producers: PRODUCERS, partitions: PARTITIONS, batch: BATCH };
  // Half the 250,000 records/s target, paced; producers send small requests, as a latency-minded producer would.
  const halfBatch = Number(opts["latency-batch"]);
  const halfProducers = Number(opts["latency-producers"]);
  for (const path of paths) {
    const full = await wsScenario({ ...common, path, topic: `bench-ws-${path.name}` });
    const half = await wsScenario({ ...common, path, batch: halfBatch, producers: halfProducers, topic: `bench-ws-half-${path.name}`, ratePerS: Number(opts["latency-rate"]) });
    const figures = {
      ws_delivered_records_per_s: full.delivered_records_per_s,
      ws_e2e_p99_ms: full.e2e_p99_ms,
      ws_records_verified: full.records_verified,
      ws_half_load_batch_records: halfBatch,
      ws_half_load_producers: halfProducers,
      ws_half_load_records_per_s: half.delivered_records_per_s,
      ws_half_load_e2e_p50_ms: half.e2e_p50_ms,
      ws_half_load_e2e_p99_ms: half.e2e_p99_ms,
      ws_half_load_records_verified: half.records_verified,
    };
    for (const [k, v] of Object.entries(figures)) result[named(path.name, k)] = v;
  }
}
if (server.kafka !== null) {
  const createTopic = (topic, partitions, rf) => paths[0].createTopic(topic, partitions, rf);
  Object.assign(result, await kafkaScenario({ kafka: server.kafka, key: BENCH_KEY, createTopic, topic: "bench-kafka", records: RECORDS, recordBytes: RECORD_BYTES, partitions: PARTITIONS }));
}
for (const path of paths) await path.close();
/**
 * What authentication costs: the replication-factor-1 run on a server in
 * development mode serving open, then on one with authentication on
 * (User:bench through ACLs). Same mode both times, so only authentication
 * differs; compare the two in one run.
 */
async function authScenarios() {
  const out = {};
  for (const auth of ["off", "on"]) {
    const authDir = mkdtempSync(join(opts["state-dir"] ?? tmpdir(), `runnel-bench-auth-${auth}-`));
    const s = await startServer({ port: 0, persistTo: authDir, quiet: true, mode: "development", adminKey: auth === "on" ? ADMIN_SECRET : undefined });
    try {
      const key = auth === "on" ? await benchKey(s.url) : null;
      const path = await pathTo(VIA[0], s.url, key);
      const figures = await scenario(1, path, `bench-auth-${auth}`);
      await path.close();
      out[`auth_${auth}_produce_records_per_s`] = figures.produce_records_per_s;
      out[`auth_${auth}_consume_records_per_s`] = figures.consume_records_per_s;
    } finally {
      await s.stop();
      rmSync(authDir, { recursive: true, force: true });
    }
  }
  return out;
}

if (profiler) await profiler.stop(opts.profile);
Object.assign(result, {
  server_peak_rss_mib: Math.round(memory.stop() / 1024 / 1024),
  server_cpu_s: memory.cpuSeconds(),
  client_cpu_s: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1e5) / 10,
});
await server.stop();
rmSync(dir, { recursive: true, force: true });
// After the main server's CPU and memory are read: these start servers of their own.
if (opts.auth !== "false") Object.assign(result, await authScenarios());
console.log(JSON.stringify(result));
process.exit(0); // the bundler's service would keep the process alive

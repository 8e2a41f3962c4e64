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
// idempotent, SASL/PLAIN — while kcat -C reads them back: kafka_ figures,
// then through @platformatic/kafka (flexible versions): kafka_platformatic_;
// the front door runs in the benchmark's process, so its CPU counts as the
// client's; see bench/kafka-scenario.mjs) --push true|false (true: push
// subscriptions to a webhook receiver in the benchmark's process, on a
// server of its own in development mode — records delivered per second
// flat out, then produce-to-delivery p50/p99 at half that rate: push_
// figures; see bench/push-scenario.mjs) --push-records N (records of each
// push run, 200000) --baseline REF (compare with
// the code at git ref REF — main, HEAD~3, a hash — in the same run: its
// server and client are built from a temporary git worktree of REF, with
// its own scripts/server.mjs, and every selected scenario runs on REF's
// server and on this checkout's (its work tree, uncommitted changes
// included) in turns, each turn on a fresh server and state directory;
// the line gives this checkout's figures as usual, REF's with a base_
// prefix, and a _change_pct (this checkout against REF, in percent) for
// throughput produced, consumed and delivered, the server's CPU per
// record and p99 latencies; see bench/turns.mjs) --rounds N (with
// --baseline: turns of each arm per scenario, 2: base, current, current,
// base, so a machine that warms up favours neither) --tiered true|false
// (false, the default: it writes gigabytes; true: tiered storage on a
// server of its own — produce with tiering on and off in turns, a
// partition written to --tiered-bytes N (1073741824) read from the bucket
// and from its local tail, and its SQLite file against
// --tiered-local-bytes N (134217728, local.retention.bytes) plus one
// --tiered-segment-bytes N (33554432) segment: tiered_ figures; see
// bench/tiered-scenario.mjs) --tiered-produce-bytes N (each of the four
// produce turns, 268435456) --tiered-record-bytes N (1000)
// --cleaner true|false
// (true: the log cleaner's throughput — a compacted partition filled with
// --cleaner-records N keyed records (1000000) over --cleaner-keys N keys
// (a tenth of them), then cleaned while a producer appends: cleaner_
// figures, offsets cleaned per second and the appends' p99; see
// bench/cleaner-scenario.mjs)
//
// The main server runs as a deployment would: production mode (no fault
// checks) with authentication on; every request carries the key of
// User:bench, whose rights come from ACLs (not the admin's shortcut).
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import { buildClient } from "./build-client.mjs";
import { root } from "./build.mjs";
import { describeCheckout, prepareBaseline, UsageError } from "./bench/baseline.mjs";
import { startProfiler } from "./bench/profiler.mjs";
import { openServer, scenarios } from "./bench/suite.mjs";
import { compareTurns } from "./bench/turns.mjs";
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
    push: { type: "string", default: "true" },
    "push-records": { type: "string", default: "200000" },
    baseline: { type: "string" },
    rounds: { type: "string", default: "2" },
    tiered: { type: "string", default: "false" },
    "tiered-bytes": { type: "string", default: String(1024 ** 3) },
    "tiered-produce-bytes": { type: "string", default: String(256 * 1024 ** 2) },
    "tiered-segment-bytes": { type: "string", default: String(32 * 1024 ** 2) },
    "tiered-local-bytes": { type: "string", default: String(128 * 1024 ** 2) },
    "tiered-record-bytes": { type: "string", default: "1000" },
    cleaner: { type: "string", default: "true" },
    "cleaner-records": { type: "string", default: "1000000" },
    "cleaner-keys": { type: "string" },
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
/** A list option: its comma-separated values, "none" and empty ones dropped. */
const list = (value) => value.split(",").filter((v) => v !== "" && v !== "none");
const cfg = {
  records: Number(opts.records),
  recordBytes: Number(opts["record-bytes"]),
  partitions: Number(opts.partitions),
  producers: Number(opts.producers),
  batch: Number(opts.batch),
  fetchBytes: Number(opts["fetch-bytes"]),
  rfs: list(opts.rf).map(Number),
  via: opts.via.split(",").filter((v) => v !== ""),
  compare: list(opts.compare),
  scrape: opts.scrape !== "false",
  ws: opts.ws !== "false",
  kafka: opts.kafka !== "false",
  auth: opts.auth !== "false",
  push: opts.push !== "false",
  pushRecords: Number(opts["push-records"]),
  latencyBatch: Number(opts["latency-batch"]),
  latencyProducers: Number(opts["latency-producers"]),
  latencyRate: Number(opts["latency-rate"]),
  port: Number(opts.port),
  stateDir: opts["state-dir"],
  tiered: opts.tiered === "true",
  tieredBytes: Number(opts["tiered-bytes"]),
  tieredProduceBytes: Number(opts["tiered-produce-bytes"]),
  tieredSegmentBytes: Number(opts["tiered-segment-bytes"]),
  tieredLocalBytes: Number(opts["tiered-local-bytes"]),
  tieredRecordBytes: Number(opts["tiered-record-bytes"]),
  cleaner: opts.cleaner !== "false",
  cleanerRecords: Number(opts["cleaner-records"]),
  cleanerKeys: opts["cleaner-keys"] === undefined ? undefined : Number(opts["cleaner-keys"]),
};
/** Stops the run with `message` (a mistake in the options): one line, no stack trace. */
function usage(message) {
  console.error(`bench: ${message}`);
  process.exit(2);
}
for (const v of [...cfg.via, ...cfg.compare]) if (!["client", "raw", "batches"].includes(v)) usage(`--via and --compare take client, raw and/or batches, got '${v}'`);
const rounds = Number(opts.rounds);
if (!Number.isInteger(rounds) || rounds < 1) usage(`--rounds takes a whole number from 1, got '${opts.rounds}'`);
if (opts.baseline !== undefined && opts.profile !== undefined) usage("--profile profiles one server; it cannot be used with --baseline");

const result = { records: cfg.records, record_bytes: cfg.recordBytes, partitions: cfg.partitions, producers: cfg.producers, batch_records: cfg.batch, acks: "all", via: cfg.via.join(",") };
await buildClient(); // the bench imports runnel/client: build it from the source being measured
const current = { name: "current", startServer, client: "runnel/client" };
const selected = scenarios(cfg);
if (opts.baseline === undefined) await runOnce();
else await runAgainst(opts.baseline);
console.log(JSON.stringify(result));
process.exit(0); // the bundler's service would keep the process alive

/** The benchmark as it always ran: every scenario on one server of this checkout, then the ones with servers of their own. */
async function runOnce() {
  const ctx = await openServer(current, cfg, { kafka: cfg.kafka, inspectorPort: opts.profile ? 9229 : undefined });
  const profiler = opts.profile ? await startProfiler(9229) : null;
  for (const s of selected.filter((s) => !s.ownServers)) Object.assign(result, await s.run(ctx));
  if (profiler) await profiler.stop(opts.profile);
  const cpu = process.cpuUsage();
  Object.assign(result, await ctx.close(), { client_cpu_s: Math.round((cpu.user + cpu.system) / 1e5) / 10 });
  // After the main server's CPU and memory are read: these start servers of their own.
  for (const s of selected.filter((s) => s.ownServers)) Object.assign(result, await s.run(current));
}

/** Every scenario in turns on `ref`'s code and this checkout's (bench/turns.mjs); the worktree is removed afterwards. */
async function runAgainst(ref) {
  let base;
  try {
    base = await prepareBaseline(root, ref);
  } catch (e) {
    if (e instanceof UsageError) usage(e.message);
    throw e;
  }
  Object.assign(result, { baseline: ref, baseline_commit: base.commit, current_commit: describeCheckout(root), rounds });
  try {
    Object.assign(result, await compareTurns({ base, current, list: selected, rounds, open: (arm, { kafka }) => openServer(arm, cfg, { kafka }) }));
  } finally {
    base.remove();
  }
}

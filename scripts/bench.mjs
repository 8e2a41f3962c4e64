// `npm run bench`: starts the local server on a fresh directory and, over
// the HTTP API, produces records in batches from concurrent producers to a
// 4-partition topic while consumers fetch them back at the same time —
// once with replication factor 1 and once with 3 (acks=all). Checks every
// record came back exactly once and in order per producer within its
// partition, then prints one JSON line: the replication-factor-1 figures,
// and the same with an rf3_ prefix.
//
// Options: --records N (1000000) --record-bytes N (100) --partitions N (4)
// --producers N (8) --batch N (records per request, 2000) --fetch-bytes N
// (max_bytes per fetch, 1048576) --rf LIST (1,3) --port N
// --profile FILE (CPU-profile workerd)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { httpClient } from "./bench/http.mjs";
import { watchServerMemory } from "./bench/memory.mjs";
import { startProfiler } from "./bench/profiler.mjs";
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
    port: { type: "string", default: "0" },
    profile: { type: "string" },
  },
});
const RECORDS = Number(opts.records);
const RECORD_BYTES = Number(opts["record-bytes"]);
const PARTITIONS = Number(opts.partitions);
const PRODUCERS = Number(opts.producers);
const BATCH = Number(opts.batch);
const FETCH_BYTES = Number(opts["fetch-bytes"]);
const CLUSTER = "runnel-local";

const dir = mkdtempSync(join(tmpdir(), "runnel-bench-"));
const server = await startServer({ port: Number(opts.port), persistTo: dir, quiet: true, inspectorPort: opts.profile ? 9229 : undefined });
const profiler = opts.profile ? await startProfiler(9229) : null;
const memory = watchServerMemory();
const { http, post } = httpClient(server.url);

// A record's value: a 36-byte head "p<producer>-s<seq>-<send ms>-" padded
// with '.', then 'x' up to RECORD_BYTES. 36 bytes is a whole number of
// base64 groups, so the tail's base64 is computed once and appended.
const HEAD_BYTES = 36;
const TAIL_B64 = Buffer.from("x".repeat(Math.max(0, RECORD_BYTES - HEAD_BYTES))).toString("base64");
function value(producer, seq, sentMs) {
  const head = `p${producer}-s${seq}-${sentMs}-`.padEnd(HEAD_BYTES, ".");
  return Buffer.from(head, "latin1").toString("base64") + TAIL_B64;
}

const pct = (xs, q) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 10) / 10;
};

/** Produces and consumes RECORDS records on a fresh topic of replication factor `rf`; returns its figures. */
async function scenario(rf) {
  const topic = `bench-rf${rf}`;
  await post(`/v3/clusters/${CLUSTER}/topics`, JSON.stringify({ topic_name: topic, partitions_count: PARTITIONS, replication_factor: rf }));
  const produceLatenciesMs = [];
  const e2eLatenciesMs = [];
  const nextSeq = new Map(); // producer -> next expected seq
  const perProducer = Math.ceil(RECORDS / PRODUCERS);
  let consumed = 0;
  let consumeDoneMs = 0;

  async function producer(id) {
    const partition = id % PARTITIONS;
    for (let seq = 0; seq < perProducer && id * perProducer + seq < RECORDS; ) {
      const count = Math.min(BATCH, perProducer - seq, RECORDS - id * perProducer - seq);
      const sentMs = Date.now();
      const records = [];
      for (let i = 0; i < count; i++) records.push(`{"value":"${value(id, seq + i, sentMs)}"}`);
      const started = performance.now();
      const res = await post(`/topics/${topic}/partitions/${partition}?acks=all`, `{"records":[${records.join(",")}]}`, "application/vnd.kafka.binary.v2+json");
      produceLatenciesMs.push(performance.now() - started);
      if (res.offsets.length !== count || res.offsets.some((o) => o.error_code !== null)) throw new Error(`produce failed: ${JSON.stringify(res.offsets[0])}`);
      seq += count;
    }
  }

  async function consumer(partition) {
    let offset = 0;
    while (consumed < RECORDS) {
      const path = `/v3/clusters/${CLUSTER}/topics/${topic}/partitions/${partition}/records?offset=${offset}&timeout_ms=500&max_bytes=${FETCH_BYTES}&format=string`;
      const res = await http("GET", path);
      if (res.status !== 200) throw new Error(`fetch ${partition}@${offset}: ${res.status} ${res.text.slice(0, 300)}`);
      const body = JSON.parse(res.text);
      const nowMs = Date.now();
      for (const r of body.records) {
        if (r.offset !== offset) throw new Error(`partition ${partition}: offset ${r.offset}, expected ${offset}`);
        const [p, s, sent] = r.value.split("-", 3); // the head: producer, sequence, send time
        const producerId = Number(p.slice(1));
        const seq = Number(s.slice(1));
        if (producerId % PARTITIONS !== partition) throw new Error(`record of producer ${producerId} on partition ${partition}`);
        const expected = nextSeq.get(producerId) ?? 0;
        if (seq !== expected) throw new Error(`producer ${producerId}: seq ${seq}, expected ${expected} (lost, duplicated or reordered)`);
        nextSeq.set(producerId, seq + 1);
        if (consumed % 97 === 0) e2eLatenciesMs.push(nowMs - Number(sent));
        offset++;
        consumed++;
      }
    }
    consumeDoneMs = performance.now();
  }

  const startedMs = performance.now();
  const consumers = Array.from({ length: PARTITIONS }, (_, p) => consumer(p));
  await Promise.all(Array.from({ length: PRODUCERS }, (_, id) => producer(id)));
  const produceDoneMs = performance.now();
  const stall = new Promise((_, reject) => setTimeout(() => reject(new Error(`consumers stalled at ${consumed}`)), 60_000));
  await Promise.race([Promise.all(consumers), stall]);
  return {
    produce_records_per_s: Math.round(RECORDS / ((produceDoneMs - startedMs) / 1000)),
    consume_records_per_s: Math.round(RECORDS / ((consumeDoneMs - startedMs) / 1000)),
    produce_p50_ms: pct(produceLatenciesMs, 0.5),
    produce_p99_ms: pct(produceLatenciesMs, 0.99),
    e2e_p99_ms: pct(e2eLatenciesMs, 0.99),
    records_verified: consumed,
  };
}

const result = { records: RECORDS, record_bytes: RECORD_BYTES, partitions: PARTITIONS, producers: PRODUCERS, batch_records: BATCH, acks: "all" };
for (const rf of opts.rf.split(",").map(Number)) {
  const figures = await scenario(rf);
  for (const [k, v] of Object.entries(figures)) result[rf === 1 ? k : `rf${rf}_${k}`] = v;
}
if (profiler) await profiler.stop(opts.profile);
Object.assign(result, {
  server_peak_rss_mib: Math.round(memory.stop() / 1024 / 1024),
  server_cpu_s: memory.cpuSeconds(),
  client_cpu_s: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1e5) / 10,
});
await server.stop();
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify(result));
process.exit(0); // the bundler's service would keep the process alive

// `npm run bench`: starts the local server on a fresh directory, creates a
// 4-partition topic and, over the HTTP API, produces records in batches
// from concurrent producers while consumers fetch them back at the same
// time. Checks every record came back exactly once and in order per
// producer within its partition, then prints one JSON line of figures.
//
// Options: --records N (1000000) --record-bytes N (100) --partitions N (4)
// --producers N (8) --batch N (records per request, 2000) --fetch-bytes N
// (max_bytes per fetch, 1048576) --port N --profile FILE (CPU-profile workerd)
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, request } from "node:http";
import { parseArgs } from "node:util";
import { startServer } from "./server.mjs";

const { values: opts } = parseArgs({
  options: {
    records: { type: "string", default: "1000000" },
    "record-bytes": { type: "string", default: "100" },
    partitions: { type: "string", default: "4" },
    producers: { type: "string", default: "8" },
    batch: { type: "string", default: "2000" },
    "fetch-bytes": { type: "string", default: "1048576" },
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
const TOPIC = "bench";

const dir = mkdtempSync(join(tmpdir(), "runnel-bench-"));
const server = await startServer({ port: Number(opts.port), persistTo: dir, quiet: true, inspectorPort: opts.profile ? 9229 : undefined });
const profiler = opts.profile ? await startProfiler(9229) : null;
const base = server.url;
const memory = watchServerMemory();

// node:http with keep-alive: much less client CPU per byte than fetch(),
// so the two cores go to the server rather than to the benchmark.
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const { hostname, port: serverPort } = new URL(base);

/** One HTTP exchange; resolves to { status, text }. */
function http(method, path, body, contentType) {
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { "content-type": contentType, "content-length": Buffer.byteLength(body) };
    const req = request({ agent, hostname, port: serverPort, method, path, headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function post(path, body, contentType = "application/json") {
  const res = await http("POST", path, body, contentType);
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${res.text.slice(0, 300)}`);
  return JSON.parse(res.text);
}

await post(`/v3/clusters/${CLUSTER}/topics`, JSON.stringify({ topic_name: TOPIC, partitions_count: PARTITIONS }));

// A record's value: a 36-byte head "p<producer>-s<seq>-<send ms>-" padded
// with '.', then 'x' up to RECORD_BYTES. 36 bytes is a whole number of
// base64 groups, so the tail's base64 is computed once and appended.
const HEAD_BYTES = 36;
const TAIL_B64 = Buffer.from("x".repeat(Math.max(0, RECORD_BYTES - HEAD_BYTES))).toString("base64");
function value(producer, seq, sentMs) {
  const head = `p${producer}-s${seq}-${sentMs}-`.padEnd(HEAD_BYTES, ".");
  return Buffer.from(head, "latin1").toString("base64") + TAIL_B64;
}

const produceLatenciesMs = [];
const perProducer = Math.ceil(RECORDS / PRODUCERS);

async function producer(id) {
  const partition = id % PARTITIONS;
  for (let seq = 0; seq < perProducer && id * perProducer + seq < RECORDS; ) {
    const count = Math.min(BATCH, perProducer - seq, RECORDS - id * perProducer - seq);
    const sentMs = Date.now();
    const records = [];
    for (let i = 0; i < count; i++) records.push(`{"value":"${value(id, seq + i, sentMs)}"}`);
    const body = `{"records":[${records.join(",")}]}`;
    const started = performance.now();
    const res = await post(`/topics/${TOPIC}/partitions/${partition}`, body, "application/vnd.kafka.binary.v2+json");
    produceLatenciesMs.push(performance.now() - started);
    if (res.offsets.length !== count || res.offsets.some((o) => o.error_code !== null)) throw new Error("produce failed");
    seq += count;
  }
}

const e2eLatenciesMs = [];
const nextSeq = new Map(); // producer -> next expected seq
let consumed = 0;
let consumeDoneMs = 0;

async function consumer(partition) {
  let offset = 0;
  while (consumed < RECORDS) {
    const res = await http("GET", `/v3/clusters/${CLUSTER}/topics/${TOPIC}/partitions/${partition}/records?offset=${offset}&timeout_ms=500&max_bytes=${FETCH_BYTES}&format=string`);
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
await Promise.race([Promise.all(consumers), new Promise((_, reject) => setTimeout(() => reject(new Error(`consumers stalled at ${consumed}`)), 60_000))]);

if (profiler) await profiler.stop(opts.profile);
const pct = (xs, q) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 10) / 10;
};
const result = {
  records: RECORDS,
  record_bytes: RECORD_BYTES,
  partitions: PARTITIONS,
  producers: PRODUCERS,
  batch_records: BATCH,
  produce_records_per_s: Math.round(RECORDS / ((produceDoneMs - startedMs) / 1000)),
  consume_records_per_s: Math.round(RECORDS / ((consumeDoneMs - startedMs) / 1000)),
  produce_p50_ms: pct(produceLatenciesMs, 0.5),
  produce_p99_ms: pct(produceLatenciesMs, 0.99),
  e2e_p99_ms: pct(e2eLatenciesMs, 0.99),
  records_verified: consumed,
  server_peak_rss_mib: Math.round(memory.stop() / 1024 / 1024),
  server_cpu_s: memory.cpuSeconds(),
  client_cpu_s: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1e5) / 10,
};
await server.stop();
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify(result));
process.exit(0); // the bundler's service would keep the process alive

/** Polls the workerd process's resident memory; stop() returns the peak in bytes. */
function watchServerMemory() {
  let peak = 0;
  // workerd is started by Miniflare as a child of this process.
  const pids = () =>
    readdirSync("/proc").filter((d) => /^\d+$/.test(d)).filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        return stat.includes("(workerd)") && Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === process.pid;
      } catch {
        return false;
      }
    });
  let cpuTicks = 0;
  const sample = () => {
    for (const pid of pids()) {
      try {
        const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
        if (rss) peak = Math.max(peak, Number(rss[1]) * 1024);
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        cpuTicks = Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (1/100 s)
      } catch {
        /* process gone */
      }
    }
  };
  const timer = setInterval(sample, 250);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return peak;
    },
    /** CPU seconds workerd has used so far. */
    cpuSeconds: () => cpuTicks / 100,
  };
}

/** CPU-profiles workerd over CDP (--profile FILE): writes the .cpuprofile and prints the top self-time functions. */
async function startProfiler(port) {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
  const target = targets.find((t) => t.title?.includes("runnel")) ?? targets[0];
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((r) => ws.addEventListener("open", r, { once: true }));
  let id = 0;
  const pending = new Map();
  ws.addEventListener("message", (e) => {
    const msg = JSON.parse(e.data);
    if (msg.id !== undefined) pending.get(msg.id)?.(msg);
  });
  const send = (method, params = {}) => new Promise((r) => { pending.set(++id, r); ws.send(JSON.stringify({ id, method, params })); });
  await send("Profiler.enable");
  await send("Profiler.setSamplingInterval", { interval: 200 });
  await send("Profiler.start");
  return {
    async stop(file) {
      const { result } = await send("Profiler.stop");
      const { writeFileSync } = await import("node:fs");
      writeFileSync(file, JSON.stringify(result.profile));
      const self = new Map();
      const byId = new Map(result.profile.nodes.map((n) => [n.id, n]));
      const counts = new Map();
      for (const s of result.profile.samples) counts.set(s, (counts.get(s) ?? 0) + 1);
      for (const [nid, n] of counts) {
        const node = byId.get(nid);
        const key = `${node.callFrame.functionName || "(anon)"} ${node.callFrame.url.split("/").pop()}:${node.callFrame.lineNumber}`;
        self.set(key, (self.get(key) ?? 0) + n);
      }
      const total = result.profile.samples.length;
      console.error([...self].sort((a, b) => b[1] - a[1]).slice(0, 40).map(([k, v]) => `${((100 * v) / total).toFixed(1)}% ${k}`).join("\n"));
      ws.close();
    },
  };
}

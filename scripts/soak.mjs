// `npm run soak [-- --seed N] [--duration-s S] [--history PATH]`: a
// seeded, bounded fault-injection run against the real local server
// (docs/soak.md). Idempotent producers, consumers in groups that
// rebalance and conditional appenders work while brokers go down, slow
// down and restart and the whole server is SIGKILLed and started again;
// every operation and its outcome goes to a history file, which is then
// checked (scripts/soak/checker.mjs). Exits 0 when every property holds.
// `--check PATH` checks a history file again without running anything.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { checkHistory } from "./soak/checker.mjs";
import { healAll, runFaults } from "./soak/faults.mjs";
import { readAll } from "./soak/final-read.mjs";
import { History, readHistory } from "./soak/history.mjs";
import { request, sleep } from "./soak/http.mjs";
import { rngFor } from "./soak/rng.mjs";
import { startServer } from "./soak/server.mjs";
import { GROUPS, PLAN, WORKLOAD_KINDS } from "./soak/workloads/index.mjs";

const TOPICS = { records: "soak-records", cond: "soak-cond" };
const PARTITIONS = 3;
/** Longest the workloads may take to stop once told (ms). */
const WIND_DOWN_MS = 60_000;

const { values } = parseArgs({ options: { seed: { type: "string" }, "duration-s": { type: "string", default: "60" }, history: { type: "string" }, check: { type: "string" } } });

if (values.check !== undefined) process.exit(report(checkHistory(readHistory(values.check))));

const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 32) : Number(values.seed);
const durationS = Number(values["duration-s"]);
if (!Number.isSafeInteger(seed) || seed < 0 || seed >= 2 ** 32) fail(`--seed must be an integer from 0 to 2^32 - 1, got '${values.seed}'`);
if (!Number.isFinite(durationS) || durationS < 10 || durationS > 86_400) fail(`--duration-s must be from 10 to 86400, got '${values["duration-s"]}'`);
const historyPath = resolve(values.history ?? `.runnel/soak/soak-${seed}.jsonl`);
console.log(`soak: seed ${seed}, ${durationS} s (replay the same plan: npm run soak -- --seed ${seed} --duration-s ${durationS})`);
console.log(`soak: history in ${historyPath}`);

const rng = rngFor(seed);
const history = new History(historyPath);
history.record({ type: "run", seed, durationS });
const persistTo = mkdtempSync(join(tmpdir(), "runnel-soak-"));
const [port, kafkaPort] = [await freePort(), await freePort()];
let server = await startServer({ port, kafkaPort, persistTo });
let code = 1;
try {
  await createTopics(server.url);
  code = await run();
} finally {
  history.flush();
  await server.stop();
  rmSync(persistTo, { recursive: true, force: true });
}
process.exit(code);

/** The run itself: workloads and faults until the deadline, then the final read and the check. */
async function run() {
  let stopping = false;
  const stopAt = Date.now() + durationS * 1000;
  const pause = (ms) => sleep(Math.max(0, Math.min(ms, stopAt - Date.now())));
  const base = { history, url: () => server.url, kafkaBrokers: [`127.0.0.1:${kafkaPort}`], topics: TOPICS, partitions: PARTITIONS, groups: Object.values(GROUPS), stopping: () => stopping, pause };
  const crashAndRestart = async () => {
    await server.crash();
    server = await startServer({ port, kafkaPort, persistTo });
  };
  const broken = [];
  const tasks = [
    runFaults({ ...base, rng: rng.fork("faults"), durationMs: durationS * 1000, crashAndRestart }),
    ...PLAN.map((w) => WORKLOAD_KINDS[w.kind].run({ ...base, ...w, rng: rng.fork(w.name) })),
  ].map((t, i) => t.catch((e) => broken.push(`${i === 0 ? "faults" : PLAN[i - 1].name}: ${e?.stack ?? e}`)));
  await sleep(Math.max(0, stopAt - Date.now()));
  stopping = true;
  const wound = await Promise.race([Promise.all(tasks).then(() => true), sleep(WIND_DOWN_MS).then(() => false)]);
  if (!wound) broken.push(`the workloads did not stop within ${WIND_DOWN_MS} ms`);
  await healAll(base);
  await readAll(server.url, history, TOPICS.records, PARTITIONS);
  await readAll(server.url, history, TOPICS.cond, 1);
  for (const b of broken) console.error(`soak: a workload broke: ${b}`);
  history.flush();
  summary(history.events);
  return report(checkHistory(history.events)) || (broken.length > 0 ? 1 : 0);
}

async function createTopics(url) {
  const configs = [{ name: "replica.lag.time.max.ms", value: "2000" }];
  for (const [topic, partitions] of [[TOPICS.records, PARTITIONS], [TOPICS.cond, 1]]) {
    const res = await request("POST", `${url}/v3/clusters/runnel-local/topics`, { topic_name: topic, partitions_count: partitions, replication_factor: 3, configs });
    if (res.status !== 201) throw new Error(`creating ${topic}: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

/** One line of counts: what the run did. */
function summary(events) {
  const count = (type, f = () => true) => events.filter((e) => e.type === type && f(e)).length;
  console.log(
    `soak: ${count("produce.ack")} records acknowledged, ${count("produce.unknown")} unknown; ${count("consume")} consumed; ` +
      `${new Set(events.filter((e) => e.type === "cond.result").map((e) => e.race)).size} races (${count("cond.result", (e) => e.outcome === "won")} won); ` +
      `${count("fault")} faults (${count("fault", (e) => e.action === "server-sigkill")} SIGKILL); ${count("consumer.killed")} consumers killed mid-batch; ${count("log.read")} records in the final log`,
  );
}

/** Prints each property's verdict (and its first violations); 0 when all hold, else 1. */
function report(results) {
  let failed = 0;
  for (const [name, violations] of Object.entries(results)) {
    if (violations.length === 0) {
      console.log(`soak: ✓ ${name}`);
      continue;
    }
    failed++;
    console.log(`soak: ✗ ${name}: ${violations.length} violations`);
    for (const v of violations.slice(0, 10)) console.log(`    ${v}`);
  }
  console.log(failed === 0 ? "soak: every property holds" : `soak: ${failed} properties violated`);
  return failed === 0 ? 0 : 1;
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port: p } = srv.address();
      srv.close(() => resolvePort(p));
    });
    srv.on("error", reject);
  });
}

function fail(message) {
  console.error(message);
  process.exit(2);
}

// Push subscriptions, to a webhook receiver (a node:http server in the
// benchmark's process) and to a Worker bound to Runnel's (bench/
// push-worker.js, run by the bench's server beside Runnel, reporting each
// batch back over HTTP): for each target, records delivered per second
// flat out, then the end-to-end latency from produce to delivery at half
// that rate. Every record is checked to arrive once and in order per
// producer within its partition. The server runs in development mode
// serving open, as a production server refuses webhooks on the loopback
// (docs/subscriptions.md).
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { pct, produce, Verifier } from "./load.mjs";

const CLUSTER = "runnel-local";
/** How long a run waits for its last record after the producers finish before it fails (ms). */
const STALL_MS = 120_000;

/**
 * The benchmark's Worker for the bench's server to run beside Runnel
 * (startServer's `workers`), reporting to `reportUrl`: Runnel's Worker
 * binds it as BENCH_CONSUMER.
 */
export function benchWorker(reportUrl) {
  return { name: "runnel-bench-consumer", binding: "BENCH_CONSUMER", scriptPath: fileURLToPath(new URL("./push-worker.js", import.meta.url)), bindings: { REPORT_URL: reportUrl } };
}

/** The body of a POST as parsed JSON. */
function jsonBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => resolve(JSON.parse(Buffer.concat(chunks).toString())));
    req.on("error", reject);
  });
}

/**
 * The receiver on 127.0.0.1, opened before the server (the Worker's report
 * URL is one of its bindings): POST /webhook takes a pushed batch, POST
 * /report the bench Worker's report of one, handed on in the order of its
 * `seq`. listen(onRecords, onError) routes each batch to the run going on
 * as onRecords(topic, partition, values, receivedMs); what it throws goes
 * to onError. A batch outside any run, or a request that fails outside
 * one, counts in `strays`. Resolves to {
 * webhookUrl, reportUrl, listen, strays(), close() }.
 */
export function openPushReceiver() {
  let run = null;
  let strays = 0;
  const early = new Map(); // reports that overtook one still on its way, by seq
  let nextSeq = 0;
  const hand = (topic, partition, values, receivedMs) => {
    if (run === null) strays++;
    else run.onRecords(topic, partition, values, receivedMs);
  };
  const onReport = (report) => {
    if (report.seq < nextSeq || early.has(report.seq)) throw new Error(`the bench Worker reported batch ${report.seq} twice (did its isolate restart?)`);
    early.set(report.seq, report);
    for (let r = early.get(nextSeq); r !== undefined; r = early.get(nextSeq)) {
      early.delete(nextSeq++);
      hand(r.topic, r.partition, r.values, r.received_ms);
    }
  };
  const server = createServer(async (req, res) => {
    try {
      const body = await jsonBody(req);
      if (req.url === "/webhook") hand(body.topic, body.partition, body.records.map((r) => r.value), Date.now());
      else if (req.url === "/report") onReport(body);
      else throw new Error(`the receiver got a POST to ${req.url}`);
    } catch (e) {
      if (run === null) strays++; // no run to fail: the scenario's end reports it
      else run.onError(e);
    }
    res.writeHead(204).end();
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const base = `http://127.0.0.1:${server.address().port}`;
      resolve({
        webhookUrl: `${base}/webhook`,
        reportUrl: `${base}/report`,
        listen: (onRecords, onError) => (run = onRecords === null ? null : { onRecords, onError }),
        strays: () => strays,
        close: () => new Promise((r) => server.close(r)),
      });
    });
  });
}

/**
 * One run on topic `topic` (created here) through `path`, `server` the
 * Runnel server's URL: a subscription pushing every record to `target`
 * (its body's target) while producers write; with `ratePerS` they are
 * paced. Resolves to { delivered_records_per_s, produce_p50_ms (of each
 * produce request), e2e_p50_ms, e2e_p99_ms, records_verified }, or null
 * when the server has no subscriptions (a baseline from before them).
 */
async function pushRun({ path, server, receiver, target, topic, records, producers, partitions, batch, ratePerS = null }) {
  await path.createTopic(topic, partitions, 1);
  const verifier = new Verifier(partitions);
  let doneAt = 0; // when the last record arrived at the target (ms since the epoch): for the Worker, before its report came
  let resolveDone;
  let fail;
  const done = new Promise((resolve, reject) => {
    resolveDone = resolve;
    fail = reject;
  });
  done.catch(() => {}); // awaited below; a failure before then must not count as unhandled
  receiver.listen((t, partition, values, receivedMs) => {
    if (t !== topic) throw new Error(`a batch of ${t} during the run on ${topic}`);
    for (const v of values) verifier.check(partition, v, receivedMs);
    if (verifier.count === records && doneAt === 0) {
      doneAt = receivedMs;
      resolveDone();
    }
  }, fail);
  let timer;
  try {
    const body = { name: topic, topics: [topic], target, format: "string", batch_records: 1000, max_wait_ms: 0 };
    const made = await fetch(`${server}/v3/clusters/${CLUSTER}/subscriptions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    if (made.status === 404) return null;
    if (made.status !== 201) throw new Error(`subscription: ${made.status} ${await made.text()}`);
    const started = Date.now(); // the wall clock, as the receipts' times: the Worker's are stamped in workerd
    const producing = produce({ path, topic, records, producers, partitions, batch, ratePerS });
    producing.catch(() => {}); // when a check fails first, that failure is the one reported
    await Promise.race([done, producing]);
    const produceMs = await producing;
    const stalled = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`the ${target.type} target stalled at ${verifier.count} of ${records} records`)), STALL_MS)));
    await Promise.race([done, stalled]);
    return {
      delivered_records_per_s: Math.round(records / (Math.max(1, doneAt - started) / 1000)),
      produce_p50_ms: pct(produceMs, 0.5),
      e2e_p50_ms: pct(verifier.e2eMs, 0.5),
      e2e_p99_ms: pct(verifier.e2eMs, 0.99),
      records_verified: verifier.count,
    };
  } finally {
    clearTimeout(timer);
    receiver.listen(null);
  }
}

/**
 * Flat out, then at half the rate it reached, to `target` on topics named
 * after `topic`: the figures with `prefix`, or none when the server has no
 * subscriptions. The half-load run has `latencyProducers` producers of
 * `latencyBatch`-record produces, as the WebSocket's: with fewer, each
 * waiting for its acknowledgement, the rate was out of reach on a busy
 * machine. Its produce p50 is there too: end-to-end latency counts from
 * before the produce request, so on a busy machine much of it is the wait
 * for the produce's acknowledgement.
 */
async function pushTarget({ prefix, topic, target, common, batch, latencyBatch, latencyProducers }) {
  const full = await pushRun({ ...common, target, batch, topic });
  if (full === null) return {};
  const ratePerS = Math.max(1, Math.round(full.delivered_records_per_s / 2));
  const half = await pushRun({ ...common, target, batch: latencyBatch, producers: latencyProducers, topic: `${topic}-half`, ratePerS });
  return {
    [`${prefix}delivered_records_per_s`]: full.delivered_records_per_s,
    [`${prefix}e2e_p99_ms`]: full.e2e_p99_ms,
    [`${prefix}records_verified`]: full.records_verified,
    [`${prefix}half_load_records_per_s`]: half.delivered_records_per_s,
    [`${prefix}half_load_produce_p50_ms`]: half.produce_p50_ms,
    [`${prefix}half_load_e2e_p50_ms`]: half.e2e_p50_ms,
    [`${prefix}half_load_e2e_p99_ms`]: half.e2e_p99_ms,
    [`${prefix}half_load_records_verified`]: half.records_verified,
  };
}

/**
 * The webhook (push_ figures), then, when `workerBinding` names the bench
 * Worker's binding on the server (null: a server without it, a baseline's
 * say), the Worker (push_worker_ figures); `receiver` from
 * openPushReceiver, `path` and `server` as pushRun's. First a tenth of
 * `records` goes to each target unmeasured: a fresh server delivers its
 * first records slower: without this, the first target's flat-out run
 * measured a third to a half below the second's in most runs here,
 * whichever target went first.
 */
export async function pushScenario({ path, server, receiver, workerBinding, records, producers, partitions, batch, latencyBatch, latencyProducers }) {
  const common = { path, server, receiver, producers, partitions };
  const targets = [{ prefix: "push_", topic: "bench-push", target: { type: "webhook", url: receiver.webhookUrl } }];
  if (workerBinding !== null) targets.push({ prefix: "push_worker_", topic: "bench-push-worker", target: { type: "worker", service: workerBinding } });
  const warmUpRecords = Math.max(1, Math.round(records / 10));
  for (const { topic, target } of targets) {
    if ((await pushRun({ ...common, records: warmUpRecords, target, batch, topic: `${topic}-warm-up` })) === null) return {};
  }
  const out = {};
  for (const t of targets) Object.assign(out, await pushTarget({ ...t, common: { ...common, records }, batch, latencyBatch, latencyProducers }));
  if (receiver.strays() > 0) throw new Error(`${receiver.strays()} batches or failed requests came outside any run (delivered more than once?)`);
  return out;
}

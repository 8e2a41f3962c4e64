// Push subscriptions to a webhook receiver (a node:http server in the
// benchmark's process): records delivered per second flat out, then the
// end-to-end latency from produce to delivery at half that rate. Every
// record is checked to arrive once and in order per producer within its
// partition. The server runs in development mode serving open, as a
// production server refuses webhooks on the loopback (docs/subscriptions.md).
import { createServer } from "node:http";
import { pct, produce, Verifier } from "./load.mjs";

const CLUSTER = "runnel-local";

/** A webhook receiver on 127.0.0.1 feeding each pushed batch's records to `onRecords(partition, values)`; resolves to { url, close }. */
function receiver(onRecords) {
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const batch = JSON.parse(Buffer.concat(chunks).toString());
      onRecords(batch.partition, batch.records.map((r) => r.value));
      res.writeHead(204).end();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => resolve({ url: `http://127.0.0.1:${server.address().port}/push`, close: () => new Promise((r) => server.close(r)) }));
  });
}

/**
 * One run on topic `topic` (created here) through `path`, `server` the
 * Runnel server's URL: a subscription pushing every record to the
 * receiver while producers write; with `ratePerS` they are paced.
 * Resolves to { delivered_records_per_s, e2e_p50_ms, e2e_p99_ms,
 * records_verified }, or null when the server has no subscriptions (a
 * baseline from before them).
 */
async function pushRun({ path, server, topic, records, producers, partitions, batch, ratePerS = null }) {
  await path.createTopic(topic, partitions, 1);
  const verifier = new Verifier(partitions);
  let doneAt = 0;
  let resolveDone;
  const done = new Promise((r) => (resolveDone = r));
  const hook = await receiver((partition, values) => {
    const nowMs = Date.now();
    for (const v of values) verifier.check(partition, v, nowMs);
    if (verifier.count === records && doneAt === 0) {
      doneAt = performance.now();
      resolveDone();
    }
  });
  try {
    const body = { name: topic, topics: [topic], target: { type: "webhook", url: hook.url }, format: "string", batch_records: 1000, max_wait_ms: 0 };
    const made = await fetch(`${server}/v3/clusters/${CLUSTER}/subscriptions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    if (made.status === 404) return null;
    if (made.status !== 201) throw new Error(`subscription: ${made.status} ${await made.text()}`);
    const started = performance.now();
    await produce({ path, topic, records, producers, partitions, batch, ratePerS });
    await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error(`the webhook stalled at ${verifier.count} records`)), 120_000))]);
    return {
      delivered_records_per_s: Math.round(records / ((doneAt - started) / 1000)),
      e2e_p50_ms: pct(verifier.e2eMs, 0.5),
      e2e_p99_ms: pct(verifier.e2eMs, 0.99),
      records_verified: verifier.count,
    };
  } finally {
    await hook.close();
  }
}

/**
 * Flat out, then at half the rate it reached (with `latencyBatch`-record
 * produces): push_ figures. `path` and `server` as pushRun's.
 */
export async function pushScenario({ path, server, records, producers, partitions, batch, latencyBatch }) {
  const common = { path, server, records, producers, partitions };
  const full = await pushRun({ ...common, batch, topic: "bench-push" });
  if (full === null) return {};
  const ratePerS = Math.max(1, Math.round(full.delivered_records_per_s / 2));
  const half = await pushRun({ ...common, batch: latencyBatch, topic: "bench-push-half", ratePerS });
  return {
    push_delivered_records_per_s: full.delivered_records_per_s,
    push_e2e_p99_ms: full.e2e_p99_ms,
    push_records_verified: full.records_verified,
    push_half_load_records_per_s: half.delivered_records_per_s,
    push_half_load_e2e_p50_ms: half.e2e_p50_ms,
    push_half_load_e2e_p99_ms: half.e2e_p99_ms,
    push_half_load_records_verified: half.records_verified,
  };
}

// Two WebSocket subscribers in one group consume a topic while producers
// write to it: records/s delivered, and end-to-end latency.
import { pct, produce, Verifier } from "./load.mjs";

/**
 * Runs the scenario on topic `topic` (created here) through `path`. With
 * `ratePerS` the producers are paced. Resolves to {
 * delivered_records_per_s, e2e_p50_ms, e2e_p99_ms, records_verified }.
 */
export async function wsScenario({ path, topic, records, producers, partitions, batch, ratePerS = null }) {
  await path.createTopic(topic, partitions, 1);
  const verifier = new Verifier(partitions);
  let doneAt = 0;
  let resolveDone;
  const done = new Promise((r) => (resolveDone = r));
  const onRecords = (partition, rs) => {
    const nowMs = Date.now();
    for (const r of rs) verifier.check(partition, r.value, nowMs);
    if (verifier.count === records && doneAt === 0) {
      doneAt = performance.now();
      resolveDone();
    }
  };
  const subscribers = [path.subscribe(topic, `${topic}-group`, onRecords), path.subscribe(topic, `${topic}-group`, onRecords)];
  // Start producing once the two subscribers have split the partitions.
  const deadline = Date.now() + 15_000;
  while (!subscribers.every((s) => s.assigned() === partitions / 2) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const started = performance.now();
  await produce({ path, topic, records, producers, partitions, batch, ratePerS });
  await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error(`subscribers stalled at ${verifier.count}`)), 60_000))]);
  await Promise.all(subscribers.map((s) => s.close()));
  return {
    delivered_records_per_s: Math.round(records / ((doneAt - started) / 1000)),
    e2e_p50_ms: pct(verifier.e2eMs, 0.5),
    e2e_p99_ms: pct(verifier.e2eMs, 0.99),
    records_verified: verifier.count,
  };
}

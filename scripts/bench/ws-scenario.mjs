// Two WebSocket subscribers in one group consume a topic while producers
// write to it: records/s delivered, and end-to-end latency.
import { produce, pct, Verifier } from "./load.mjs";

/**
 * Runs the scenario on topic `topic` (created here). With `ratePerS` the
 * producers are paced. Resolves to { delivered_records_per_s, e2e_p50_ms,
 * e2e_p99_ms, records_verified }.
 */
export async function wsScenario({ base, post, topic, records, producers, partitions, batch, value, ratePerS = null, key = null }) {
  await post(`/v3/clusters/runnel-local/topics`, JSON.stringify({ topic_name: topic, partitions_count: partitions }));
  const verifier = new Verifier(partitions);
  const group = `${topic}-group`;
  const permitsBatch = 50_000;
  let doneAt = 0;
  let resolveDone;
  const done = new Promise((r) => (resolveDone = r));
  const sockets = [];
  for (let i = 0; i < 2; i++) {
    // A key rides as the runnel.auth subprotocol, as a WebSocket client without headers would send it.
    const protocols = key === null ? ["runnel.v1"] : ["runnel.v1", `runnel.auth.${Buffer.from(key).toString("base64url")}`];
    const ws = new WebSocket(`${base.replace("http", "ws")}/ws/v1/consumer/${group}?topics=${topic}&auto_offset_reset=earliest&permits=${permitsBatch}&format=string`, protocols);
    let received = 0;
    const assigned = [];
    ws.addEventListener("message", (e) => {
      const frame = JSON.parse(String(e.data));
      if (frame.type === "assignment") assigned.push(frame.partitions.length);
      if (frame.type !== "records") return;
      const nowMs = Date.now();
      for (const r of frame.records) verifier.check(frame.partition, r.value, nowMs);
      received += frame.records.length;
      // Keep credit ahead of delivery, as a fast client would.
      if (received >= permitsBatch / 2) {
        ws.send(JSON.stringify({ type: "permit", records: received }));
        received = 0;
      }
      if (verifier.count === records) {
        doneAt = performance.now();
        resolveDone();
      }
    });
    await new Promise((resolve, reject) => {
      ws.addEventListener("open", resolve, { once: true });
      ws.addEventListener("error", reject, { once: true });
    });
    sockets.push({ ws, assigned });
  }
  // Start producing once the two subscribers have split the partitions.
  const deadline = Date.now() + 10_000;
  while (!sockets.every((s) => s.assigned.at(-1) === partitions / 2) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const started = performance.now();
  await produce({ post, topic, records, producers, partitions, batch, value, ratePerS });
  await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error(`subscribers stalled at ${verifier.count}`)), 60_000))]);
  for (const s of sockets) s.ws.close();
  if (ratePerS) {
    const t0 = verifier.trace[0][0];
    const buckets = new Map();
    for (const [t, ms] of verifier.trace) { const b = Math.floor((t - t0) / 250); buckets.set(b, Math.max(buckets.get(b) ?? 0, ms)); }
    console.error("MAX PER 250ms", [...buckets.values()].join(" "));
  }
  return {
    delivered_records_per_s: Math.round(records / ((doneAt - started) / 1000)),
    e2e_p50_ms: pct(verifier.e2eMs, 0.5),
    e2e_p99_ms: pct(verifier.e2eMs, 0.99),
    records_verified: verifier.count,
  };
}

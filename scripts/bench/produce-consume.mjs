// The benchmark's main scenario: producers and consumers at once on one
// fresh topic, every record checked.
import { pct, produce, Verifier } from "./load.mjs";

/** How long consumers may go without finishing after the producers are done. */
const STALL_MS = 60_000;

/**
 * Produces and consumes `records` records on a fresh topic `topic` of
 * replication factor `rf` and `partitions` partitions through `path`:
 * `producers` producers in batches of `batch` records (acks=all) while one
 * consumer a partition fetches up to `fetchBytes` bytes at a time. `memory`
 * is the server's watcher (bench/memory.mjs). Resolves to its figures.
 */
export async function produceConsume({ path, topic, rf, records, partitions, producers, batch, fetchBytes, memory }) {
  await path.createTopic(topic, partitions, rf);
  const verifier = new Verifier(partitions);
  let consumeDoneMs = 0;

  async function consumer(partition) {
    let offset = 0;
    while (verifier.count < records) {
      const fetched = await path.fetch(topic, partition, offset, fetchBytes);
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
  const consumers = Array.from({ length: partitions }, (_, p) => consumer(p));
  const produceLatenciesMs = await produce({ path, topic, records, producers, partitions, batch });
  const produceDoneMs = performance.now();
  let stallTimer;
  const stall = new Promise((_, reject) => {
    stallTimer = setTimeout(() => reject(new Error(`consumers stalled at ${verifier.count}`)), STALL_MS);
  });
  await Promise.race([Promise.all(consumers), stall]).finally(() => clearTimeout(stallTimer));
  const cpu = process.cpuUsage(cpuBefore);
  return {
    produce_records_per_s: Math.round(records / ((produceDoneMs - startedMs) / 1000)),
    consume_records_per_s: Math.round(records / ((consumeDoneMs - startedMs) / 1000)),
    produce_p50_ms: pct(produceLatenciesMs, 0.5),
    produce_p99_ms: pct(produceLatenciesMs, 0.99),
    e2e_p99_ms: pct(verifier.e2eMs, 0.99),
    records_verified: verifier.count,
    // The server's CPU per record produced and consumed, while the scenario ran.
    server_cpu_us_per_record: Math.round(((memory.cpuSeconds() - serverCpuBeforeS) * 1e6) / records * 100) / 100,
    // The benchmark's own CPU (producers, consumers, checks) while the scenario ran: what the path costs a client.
    scenario_client_cpu_s: Math.round((cpu.user + cpu.system) / 1e5) / 10,
  };
}

// Producers and the order check shared by the benchmark's scenarios.

/**
 * Runs `producers` producers through `path`, producer i writing its share
 * of `records` to partition i % partitions in batches of `batch` records
 * (each awaited: acks=all); with `ratePerS`, all together are paced to
 * about that many records/s, each producer starting a fraction of an
 * interval after the one before. Resolves to the per-batch latencies (ms).
 */
export async function produce({ path, topic, records, producers, partitions, batch, ratePerS = null }) {
  const latencies = [];
  const perProducer = Math.ceil(records / producers);
  const batchGapMs = ratePerS === null ? 0 : (batch * producers * 1000) / ratePerS;
  await Promise.all(
    Array.from({ length: producers }, async (_, id) => {
      const partition = id % partitions;
      // Paced producers start out of phase, spread evenly over one interval, so the load is steady rather than in bursts.
      const startMs = performance.now() + (batchGapMs * id) / producers;
      for (let seq = 0, n = 0; seq < perProducer && id * perProducer + seq < records; n++) {
        if (batchGapMs > 0) {
          const due = startMs + n * batchGapMs;
          const waitMs = due - performance.now();
          if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
        }
        const count = Math.min(batch, perProducer - seq, records - id * perProducer - seq);
        const started = performance.now();
        await path.send(topic, partition, id, seq, count, Date.now());
        latencies.push(performance.now() - started);
        seq += count;
      }
    }),
  );
  return latencies;
}

/** Checks records arrive once and in order per producer, on the right partition; samples end-to-end latency. */
export class Verifier {
  constructor(partitions) {
    this.partitions = partitions;
    this.nextSeq = new Map();
    this.count = 0;
    this.e2eMs = [];
  }

  /** `value` is the record's value as a string (format=string). */
  check(partition, value, nowMs) {
    const [p, s, sent] = value.split("-", 3);
    const producer = Number(p.slice(1));
    const seq = Number(s.slice(1));
    if (producer % this.partitions !== partition) throw new Error(`record of producer ${producer} on partition ${partition}`);
    const expected = this.nextSeq.get(producer) ?? 0;
    if (seq !== expected) throw new Error(`producer ${producer}: seq ${seq}, expected ${expected} (lost, duplicated or reordered)`);
    this.nextSeq.set(producer, seq + 1);
    if (this.count % 97 === 0) this.e2eMs.push(nowMs - Number(sent));
    this.count++;
  }
}

/** The q-quantile of `xs`, to 0.1. */
export function pct(xs, q) {
  const sorted = [...xs].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 10) / 10;
}

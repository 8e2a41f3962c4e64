// Producers and the order check shared by the benchmark's scenarios.

/**
 * Record values: a 36-byte head "p<producer>-s<seq>-<send ms>-" padded
 * with '.', then 'x' up to `recordBytes`. 36 bytes is a whole number of
 * base64 groups, so the tail's base64 is computed once and appended.
 */
export function valueMaker(recordBytes) {
  const HEAD_BYTES = 36;
  const tail = Buffer.from("x".repeat(Math.max(0, recordBytes - HEAD_BYTES))).toString("base64");
  return (producer, seq, sentMs) => Buffer.from(`p${producer}-s${seq}-${sentMs}-`.padEnd(HEAD_BYTES, "."), "latin1").toString("base64") + tail;
}

/**
 * Runs `producers` producers, producer i writing its share of `records`
 * to partition i % partitions in v2 batches of `batch` with acks=all;
 * with `ratePerS`, all together are paced to about that many records/s,
 * each producer starting a fraction of an interval after the one before.
 * Resolves to the per-request latencies (ms).
 */
export async function produce({ post, topic, records, producers, partitions, batch, value, ratePerS = null }) {
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
        const sentMs = Date.now();
        const body = [];
        for (let i = 0; i < count; i++) body.push(`{"value":"${value(id, seq + i, sentMs)}"}`);
        const started = performance.now();
        const res = await post(`/topics/${topic}/partitions/${partition}?acks=all`, `{"records":[${body.join(",")}]}`, "application/vnd.kafka.binary.v2+json");
        latencies.push(performance.now() - started);
        if (res.offsets.length !== count || res.offsets.some((o) => o.error_code !== null)) throw new Error(`produce failed: ${JSON.stringify(res.offsets[0])}`);
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
    if (this.count % 97 === 0) {
      this.e2eMs.push(nowMs - Number(sent));
      (this.trace ??= []).push([nowMs, nowMs - Number(sent)]);
    }
    this.count++;
  }
}

/** The q-quantile of `xs`, to 0.1. */
export function pct(xs, q) {
  const sorted = [...xs].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 10) / 10;
}

// Idempotent producers: the TypeScript client (record batches over HTTP
// with a producer id and sequences) and kafkajs with `idempotent: true`
// through the Kafka front door. Each sends a few records at a time to a
// partition of its choosing and waits for the answer: acknowledged
// records are `produce.ack` with their offsets, the rest `produce.unknown`.
import { Kafka, logLevel } from "kafkajs";
import { Runnel } from "../../../dist/client/index.js";

/** The TypeScript client's idempotent producer. */
export const clientProducer = {
  kind: "client-producer",
  async run(ctx) {
    const producer = new Runnel({ url: ctx.url() }).producer({ idempotent: true, lingerMs: 2, deliveryTimeoutMs: 20_000, retryBackoffMaxMs: 500 });
    await loop(ctx, async (partition, values) => {
      const sent = await producer.send(ctx.topics.records, values.map((value) => ({ value, partition })));
      return sent.map((s) => s.offset);
    });
    await producer.close().catch(() => {});
  },
};

/** kafkajs's idempotent producer (acks all, one request in flight, as kafkajs requires). */
export const kafkajsProducer = {
  kind: "kafkajs-producer",
  async run(ctx) {
    const kafka = new Kafka({ clientId: ctx.name, brokers: ctx.kafkaBrokers, logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 2_000 } });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await loop(ctx, async (partition, values) => {
      const [meta] = await producer.send({ topic: ctx.topics.records, acks: -1, messages: values.map((value) => ({ value, partition })) });
      return values.map((_, i) => Number(meta.baseOffset) + i);
    }, () => producer.connect());
    await producer.disconnect().catch(() => {});
  },
};

/** Sends until the run stops: `send(partition, values)` resolves with each value's offset. `connect` runs before the first send and after a failure. */
async function loop(ctx, send, connect = async () => {}) {
  let seq = 0;
  let connected = false;
  while (!ctx.stopping()) {
    const partition = ctx.rng.int(0, ctx.partitions - 1);
    const ids = Array.from({ length: ctx.rng.int(1, 5) }, () => `${ctx.name}-${seq++}`);
    const base = { workload: ctx.kind, producer: ctx.name, idempotent: true, topic: ctx.topics.records, partition };
    try {
      if (!connected) await connect();
      connected = true;
      const offsets = await send(partition, ids.map((id) => JSON.stringify({ id })));
      ids.forEach((id, i) => {
        ctx.history.record({ type: "produce.ack", ...base, offset: offsets[i], id, seq: seq - ids.length + i });
      });
    } catch (e) {
      connected = false;
      for (const id of ids) ctx.history.record({ type: "produce.unknown", ...base, id, error: String(e?.message ?? e).slice(0, 200) });
      await ctx.pause(ctx.rng.int(100, 500));
    }
    await ctx.pause(ctx.rng.int(0, 30));
  }
}

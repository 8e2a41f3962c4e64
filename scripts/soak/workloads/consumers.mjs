// Consumers in groups that rebalance: REST-proxy v2 consumer instances
// over HTTP (one now and then killed mid-batch: it stops without
// committing or leaving, so the group takes its partitions back after its
// session times out) and kafkajs consumers through the front door (one
// now and then leaves and joins again). Every record a consumer gets is
// a `consume` event, with the batch (fetch) it came in.
import { Kafka, logLevel } from "kafkajs";
import { request } from "../http.mjs";

const V2 = { "content-type": "application/vnd.kafka.v2+json" };
const V2_RECORDS = { accept: "application/vnd.kafka.json.v2+json" };
const SESSION_TIMEOUT_MS = 4_000;

/** The id a soak record's value carries (null for another value). */
export function idOf(value) {
  try {
    const parsed = typeof value === "string" ? JSON.parse(value) : value;
    return typeof parsed?.id === "string" ? parsed.id : null;
  } catch {
    return null;
  }
}

/** One v2 consumer instance of group `ctx.group` after another; killed mid-batch now and then. */
export const v2Consumer = {
  kind: "v2-consumer",
  async run(ctx) {
    let generation = 0;
    let batch = 0;
    while (!ctx.stopping()) {
      const name = `${ctx.name}-${generation++}`;
      const base = `${ctx.url()}/consumers/${ctx.group}`;
      const made = await request("POST", base, { name, format: "json", "auto.offset.reset": "earliest", "auto.commit.enable": "false", "session.timeout.ms": String(SESSION_TIMEOUT_MS) }, V2);
      const instance = `${base}/instances/${name}`;
      if (made.status !== 200 || (await request("POST", `${instance}/subscription`, { topics: [ctx.topics.records] }, V2)).status !== 204) {
        await ctx.pause(500);
        continue;
      }
      const killAfter = ctx.rng.int(5, 30); // fetches before this instance is killed mid-batch
      for (let fetches = 0; !ctx.stopping(); fetches++) {
        const got = await request("GET", `${instance}/records?timeout=500&max_bytes=65536`, undefined, V2_RECORDS);
        if (got.status !== 200 || !Array.isArray(got.body)) break; // gone (40403) or the server is away: a new instance
        batch++;
        for (const r of got.body) ctx.history.record({ type: "consume", workload: ctx.kind, consumer: name, group: ctx.group, topic: r.topic, partition: r.partition, offset: r.offset, id: idOf(r.value), batch: `${name}/${batch}` });
        if (fetches === killAfter && got.body.length > 0) {
          ctx.history.record({ type: "consumer.killed", consumer: name, group: ctx.group, holding: got.body.length });
          await ctx.pause(SESSION_TIMEOUT_MS / 2); // dead: no commit, no leave; the next instance starts meanwhile
          break;
        }
        const last = new Map();
        for (const r of got.body) last.set(`${r.topic}/${r.partition}`, { topic: r.topic, partition: r.partition, offset: r.offset });
        if (last.size > 0) await request("POST", `${instance}/offsets`, { offsets: [...last.values()] }, V2); // 40904 after a rebalance is expected
      }
    }
  },
};

/** A kafkajs consumer of group `ctx.group`; leaves and joins again now and then. */
export const kafkajsConsumer = {
  kind: "kafkajs-consumer",
  async run(ctx) {
    const kafka = new Kafka({ clientId: ctx.name, brokers: ctx.kafkaBrokers, logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 200, maxRetryTime: 2_000 } });
    let round = 0;
    while (!ctx.stopping()) {
      const name = `${ctx.name}-${round++}`;
      const consumer = kafka.consumer({ groupId: ctx.group, sessionTimeout: 6_000, heartbeatInterval: 500, retry: { retries: 10 } });
      let batch = 0;
      try {
        await consumer.connect();
        await consumer.subscribe({ topics: [ctx.topics.records], fromBeginning: true });
        await consumer.run({
          eachBatch: async ({ batch: b }) => {
            batch++;
            for (const m of b.messages) ctx.history.record({ type: "consume", workload: ctx.kind, consumer: name, group: ctx.group, topic: b.topic, partition: b.partition, offset: Number(m.offset), id: idOf(m.value?.toString() ?? null), batch: `${name}/${batch}` });
          },
        });
        await ctx.pause(ctx.rng.int(8_000, 20_000));
      } catch (e) {
        ctx.history.record({ type: "note", workload: ctx.kind, consumer: name, error: String(e?.message ?? e).slice(0, 200) });
        await ctx.pause(1_000);
      }
      ctx.history.record({ type: "consumer.leaves", consumer: name, group: ctx.group });
      await consumer.disconnect().catch(() => {});
    }
  },
};

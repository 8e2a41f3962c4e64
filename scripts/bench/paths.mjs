// The two ways the benchmark can drive Runnel: through the TypeScript
// client (`runnel/client`, the default: the published figures are what a
// user of the client gets), or by hand ("raw": v2 JSON produce, JSON
// fetches and WebSocket frames over node:http, as before the client
// existed), so one run can compare them (--via client,raw).
import { httpClient } from "./http.mjs";

/** The head of a record value, "p<producer>-s<seq>-<send ms>-" padded to 36 bytes, and the tail to `recordBytes`. */
const HEAD_BYTES = 36;

/**
 * A path through the client. `send(partition, id, seq, count, sentMs)`
 * produces one batch of a bench producer (awaiting its offsets); `fetch`
 * reads a partition; `subscribe` opens a group member. `client` is the
 * client module to import: this checkout's by default, a baseline's
 * built copy (a file URL) in a comparison.
 */
export async function clientPath(url, key, recordBytes, client = "runnel/client") {
  const { Runnel } = await import(client);
  const runnel = new Runnel({ url, key: key ?? undefined });
  const tail = "x".repeat(Math.max(0, recordBytes - HEAD_BYTES));
  let producer = null;
  return {
    name: "client",
    admin: runnel.admin(),
    async createTopic(topic, partitions, rf) {
      await runnel.admin().createTopic(topic, { partitions, replicationFactor: rf });
    },
    async send(topic, partition, id, seq, count, sentMs) {
      producer ??= runnel.producer();
      const records = new Array(count);
      for (let i = 0; i < count; i++) records[i] = { value: `p${id}-s${seq + i}-${sentMs}-`.padEnd(HEAD_BYTES, ".") + tail, partition };
      const res = await producer.send(topic, records);
      if (res.length !== count) throw new Error(`produce answered ${res.length} offsets for ${count} records`);
    },
    async fetch(topic, partition, offset, maxBytes) {
      const f = await runnel.fetch(topic, partition, offset, { timeoutMs: 500, maxBytes, format: "string" });
      return { records: f.records, nextOffset: f.nextOffset };
    },
    /** A group member; `onRecords(partition, records)` gets them as they come; resolves once it has partitions. */
    subscribe(topic, group, onRecords) {
      const consumer = runnel.consumer({ group, topics: [topic], autoOffsetReset: "earliest", format: "string", autoCommit: false });
      let stopped = false;
      const loop = (async () => {
        for await (const r of consumer) {
          onRecords(r.partition, [r]);
          if (stopped) break;
        }
      })();
      return {
        assigned: () => consumer.assignment().length,
        close: async () => {
          stopped = true;
          await consumer.close();
          await loop.catch(() => {});
        },
      };
    },
    async close() {
      await producer?.close();
    },
  };
}

/** The hand-written path (node:http with keep-alive, v2 JSON, raw WebSocket frames). */
export function rawPath(url, key, recordBytes) {
  const { http, post } = httpClient(url, key === null ? {} : { authorization: `Bearer ${key}` });
  const tail = Buffer.from("x".repeat(Math.max(0, recordBytes - HEAD_BYTES))).toString("base64");
  const head = (id, seq, sentMs) => Buffer.from(`p${id}-s${seq}-${sentMs}-`.padEnd(HEAD_BYTES, "."), "latin1").toString("base64");
  return {
    name: "raw",
    async createTopic(topic, partitions, rf) {
      await post("/v3/clusters/runnel-local/topics", JSON.stringify({ topic_name: topic, partitions_count: partitions, replication_factor: rf }));
    },
    async send(topic, partition, id, seq, count, sentMs) {
      const body = [];
      for (let i = 0; i < count; i++) body.push(`{"value":"${head(id, seq + i, sentMs)}${tail}"}`);
      const res = await post(`/topics/${topic}/partitions/${partition}?acks=all`, `{"records":[${body.join(",")}]}`, "application/vnd.kafka.binary.v2+json");
      if (res.offsets.length !== count || res.offsets.some((o) => o.error_code !== null)) throw new Error(`produce failed: ${JSON.stringify(res.offsets[0])}`);
    },
    async fetch(topic, partition, offset, maxBytes) {
      const path = `/v3/clusters/runnel-local/topics/${topic}/partitions/${partition}/records?offset=${offset}&timeout_ms=500&max_bytes=${maxBytes}&format=string`;
      const res = await http("GET", path);
      if (res.status !== 200) throw new Error(`fetch ${partition}@${offset}: ${res.status} ${res.text.slice(0, 300)}`);
      const body = JSON.parse(res.text);
      return { records: body.records, nextOffset: body.next_offset };
    },
    subscribe(topic, group, onRecords) {
      const permitsBatch = 50_000;
      const protocols = key === null ? ["runnel.v1"] : ["runnel.v1", `runnel.auth.${Buffer.from(key).toString("base64url")}`];
      const ws = new WebSocket(`${url.replace("http", "ws")}/ws/v1/consumer/${group}?topics=${topic}&auto_offset_reset=earliest&permits=${permitsBatch}&format=string`, protocols);
      let received = 0;
      let assigned = 0;
      ws.addEventListener("message", (e) => {
        const frame = JSON.parse(String(e.data));
        if (frame.type === "assignment") assigned = frame.partitions.length;
        if (frame.type !== "records") return;
        onRecords(frame.partition, frame.records);
        received += frame.records.length;
        // Keep credit ahead of delivery, as a fast client would.
        if (received >= permitsBatch / 2) {
          ws.send(JSON.stringify({ type: "permit", records: received }));
          received = 0;
        }
      });
      return { assigned: () => assigned, close: async () => ws.close() };
    },
    async close() {},
  };
}

// The Kafka front door with @platformatic/kafka, the pure-JavaScript client
// that picks the highest versions both sides serve — the flexible ones
// (Produce 11, Fetch 17 by topic id, …) on a front door that serves them: one idempotent producer (acks=all, SASL/PLAIN with the bench key)
// writes `records` records to a fresh topic, up to 4 sends of 1,000 in
// flight, while a consumer of a fresh group reads them from the earliest
// offset; every record is checked as in kafka-scenario.mjs (each sequence
// number once, each partition's offsets dense from 0, sequence numbers
// increasing within a partition). The client runs in the benchmark's
// process, as the front door does.
import { Consumer, Producer } from "@platformatic/kafka";

const SEND_RECORDS = 1000;
const SENDS_IN_FLIGHT = 4;
/** How long the consumer may take before the scenario fails. */
const STALL_MS = 180_000;

/**
 * Runs the scenario; returns kafka_platformatic_-prefixed figures
 * (records/s by the wall clock from the start of both clients to the
 * producer's last acknowledgement and the consumer's last record).
 */
export async function platformaticScenario({ kafka, key, createTopic, topic, records, recordBytes, partitions }) {
  await createTopic(topic, partitions, 1);
  const dot = key.indexOf(".");
  const common = {
    bootstrapBrokers: [`${kafka.host}:${kafka.port}`],
    sasl: { mechanism: "PLAIN", username: key.slice(0, dot), password: key.slice(dot + 1) },
  };
  const producer = new Producer({ ...common, clientId: "bench-plt-producer", idempotent: true, acks: -1 });
  const consumer = new Consumer({ ...common, clientId: "bench-plt-consumer", groupId: `${topic}-group`, maxWaitTime: 100 });
  try {
    const startedMs = performance.now();
    const consumed = consume(consumer, topic, records, partitions);
    const producedMs = await produce(producer, topic, records, recordBytes, partitions);
    const check = await consumed;
    return {
      kafka_platformatic_client: "@platformatic/kafka 2.12",
      kafka_platformatic_produce_records_per_s: Math.round(records / ((producedMs - startedMs) / 1000)),
      kafka_platformatic_consume_records_per_s: Math.round(records / ((check.doneMs - startedMs) / 1000)),
      kafka_platformatic_records_verified: check.count,
    };
  } finally {
    await consumer.close(true).catch(() => {});
    await producer.close().catch(() => {});
  }
}

/** Sends every record (sequence number first in its value, partition seq % partitions); resolves when all are acknowledged. */
async function produce(producer, topic, records, recordBytes, partitions) {
  const pad = Buffer.alloc(Math.max(0, recordBytes - 10), "x");
  let next = 0;
  const sender = async () => {
    while (next < records) {
      const from = next;
      next = Math.min(records, next + SEND_RECORDS);
      const messages = [];
      for (let seq = from; seq < next; seq++) messages.push({ topic, partition: seq % partitions, value: Buffer.concat([Buffer.from(`${String(seq).padStart(9, "0")} `), pad]) });
      await producer.send({ messages });
    }
  };
  await Promise.all(Array.from({ length: SENDS_IN_FLIGHT }, sender));
  return performance.now();
}

/** Reads until every record has come, checking each; resolves with the count and the time the last arrived. */
async function consume(consumer, topic, records, partitions) {
  const stream = await consumer.consume({ topics: [topic], mode: "earliest", autocommit: false, sessionTimeout: 30_000, heartbeatInterval: 1000 });
  const seen = new Uint8Array(records);
  const nextOffset = new Array(partitions).fill(0n);
  const lastSeq = new Array(partitions).fill(-1);
  let count = 0;
  const stall = setTimeout(() => stream.destroy(new Error(`kafka_platformatic: ${count} of ${records} records after ${STALL_MS} ms`)), STALL_MS);
  try {
    for await (const m of stream) {
      const seq = Number(Buffer.from(m.value).subarray(0, 9).toString());
      if (m.offset !== nextOffset[m.partition]) throw new Error(`kafka_platformatic: partition ${m.partition} offset ${m.offset}, expected ${nextOffset[m.partition]}`);
      if (!(seq > lastSeq[m.partition]) || seq >= records || seen[seq] === 1) throw new Error(`kafka_platformatic: partition ${m.partition} offset ${m.offset}: record ${seq} out of order or repeated`);
      nextOffset[m.partition]++;
      lastSeq[m.partition] = seq;
      seen[seq] = 1;
      if (++count === records) break;
    }
  } finally {
    clearTimeout(stall);
    await stream.close().catch(() => {});
  }
  if (count !== records) throw new Error(`kafka_platformatic: consumed ${count} of ${records} records`);
  return { count, doneMs: performance.now() };
}

// The Kafka front door with a librdkafka client (kcat, Debian's librdkafka
// 2.0.2): one kcat producer (acks=all, idempotent, SASL/PLAIN with the
// bench key) writes `records` keyless records of `recordBytes` bytes to a
// fresh topic while one kcat consumer reads them back from the beginning,
// both through the front door on the main server. Every record is checked:
// each sequence number once, each partition's offsets dense from 0 and its
// sequence numbers increasing (the producer's order within a partition).
// Then the same records through @platformatic/kafka (kafka-platformatic.mjs),
// which picks the highest versions both sides serve (flexible ones here);
// against a front door where it finds none it can use, its figures are
// replaced by kafka_platformatic_error.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { platformaticScenario } from "./kafka-platformatic.mjs";

/** How long the consumer may run before it is stopped and the scenario fails. */
const STALL_MS = 180_000;

/**
 * Runs the scenario; returns kafka_-prefixed figures (records/s, per the
 * wall clock from the start of both clients to each one's exit).
 * `kafka` is the front door ({ host, port }); `key` the User:bench key.
 */
export async function kafkaScenario({ kafka, key, createTopic, topic, records, recordBytes, partitions }) {
  await createTopic(topic, partitions, 1);
  const dot = key.indexOf(".");
  const common = ["-b", `${kafka.host}:${kafka.port}`, "-t", topic, "-q", "-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanisms=PLAIN", "-X", `sasl.username=${key.slice(0, dot)}`, "-X", `sasl.password=${key.slice(dot + 1)}`];
  const startedMs = performance.now();
  const consumed = consume(common, records, partitions);
  const producedMs = await produce(common, records, recordBytes);
  const check = await consumed;
  const kcat = {
    kafka_client: "kcat (librdkafka 2.0.2)",
    kafka_produce_records_per_s: Math.round(records / ((producedMs - startedMs) / 1000)),
    kafka_consume_records_per_s: Math.round(records / ((check.doneMs - startedMs) / 1000)),
    kafka_records_verified: check.count,
  };
  return { ...kcat, ...(await platformaticOrError({ kafka, key, createTopic, topic: `${topic}-plt`, records, recordBytes, partitions })) };
}

/** The @platformatic/kafka figures, or why they could not be had (a front door without the flexible versions). */
async function platformaticOrError(args) {
  try {
    return await platformaticScenario(args);
  } catch (e) {
    if (!/UNSUPPORTED_API|No usable implementation/.test(`${e.code} ${e.message}`)) throw e;
    return { kafka_platformatic_error: `not served: ${e.message}` };
  }
}

/** Writes `records` lines to kcat -P; resolves with the time it exited (all delivered: kcat flushes before it exits). */
function produce(common, records, recordBytes) {
  const args = ["-P", ...common, "-X", "acks=all", "-X", "enable.idempotence=true", "-X", "linger.ms=5", "-X", "batch.num.messages=10000", "-X", "queue.buffering.max.messages=1000000"];
  const child = spawn("kcat", args, { stdio: ["pipe", "ignore", "pipe"] });
  const exited = exitOf(child, "kcat -P");
  const pad = "x".repeat(Math.max(0, recordBytes - 10));
  (async () => {
    const chunk = 10_000;
    for (let i = 0; i < records; i += chunk) {
      const lines = [];
      for (let j = i; j < Math.min(records, i + chunk); j++) lines.push(`${String(j).padStart(9, "0")} ${pad}`);
      if (!child.stdin.write(`${lines.join("\n")}\n`)) await new Promise((r) => child.stdin.once("drain", r));
    }
    child.stdin.end();
  })();
  return exited.then(() => performance.now());
}

/** Reads `records` records with kcat -C from the beginning of every partition, checking each; resolves with the time the last arrived. */
async function consume(common, records, partitions) {
  const args = ["-C", ...common, "-o", "beginning", "-c", String(records), "-f", "%p %o %s\\n", "-X", "fetch.wait.max.ms=100"];
  const child = spawn("kcat", args, { stdio: ["ignore", "pipe", "pipe"] });
  const exited = exitOf(child, "kcat -C");
  const seen = new Uint8Array(records);
  const nextOffset = new Array(partitions).fill(0);
  const lastSeq = new Array(partitions).fill(-1);
  let count = 0;
  const stall = setTimeout(() => child.kill(), STALL_MS);
  for await (const line of createInterface({ input: child.stdout })) {
    const [p, o, value] = line.split(" ", 3);
    const partition = Number(p);
    const seq = Number(value);
    if (Number(o) !== nextOffset[partition]) throw new Error(`kafka: partition ${p} offset ${o}, expected ${nextOffset[partition]}`);
    if (!(seq > lastSeq[partition]) || seq >= records || seen[seq] === 1) throw new Error(`kafka: partition ${p} offset ${o}: record ${value} out of order or repeated`);
    nextOffset[partition]++;
    lastSeq[partition] = seq;
    seen[seq] = 1;
    count++;
  }
  clearTimeout(stall);
  await exited;
  if (count !== records) throw new Error(`kafka: consumed ${count} of ${records} records`);
  return { count, doneMs: performance.now() };
}

/** Resolves when `child` exits 0; rejects with its stderr otherwise. */
function exitOf(child, what) {
  let err = "";
  child.stderr.on("data", (d) => {
    err += d;
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code, signal) => (code === 0 ? resolve() : reject(new Error(`${what} exited with ${code ?? signal}: ${err.slice(-500)}`))));
  });
}

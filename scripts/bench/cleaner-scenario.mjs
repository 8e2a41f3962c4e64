// The log cleaner's throughput. A compacted partition is filled with
// keyed records, each key written `records / keys` times, while its
// cleaner is held back (min.cleanable.dirty.ratio 1); then the ratio goes
// to 0 and the first pass is timed from that change to the pass's end (the
// partition view's cleaner.last_run): offsets cleaned per second. A
// producer appends one record every 20 ms meanwhile, timed too (and for a
// second before, with no cleaning, to compare): cleaning runs in bounded
// steps from the replica's alarm and must not stall appends. Then every record left is read back and checked: each key's
// latest value there, each key once below the checkpoint.
import { pct } from "./load.mjs";
import { httpClient } from "./http.mjs";

const TOPIC = "bench-cleaner";
const CLUSTER_PATH = "/v3/clusters/runnel-local";

/**
 * Runs the scenario on the server at `url`: `adminKey` alters configs and
 * reads /metrics, `key` produces and reads through the client module
 * `client`. Resolves to its figures (cleaner_…), or to none when the
 * server offers no compaction (a baseline from before it).
 */
export async function cleanerScenario({ url, adminKey, key, client, records, keys, recordBytes, batch }) {
  const admin = httpClient(url, { authorization: `Bearer ${adminKey}` });
  const configs = [
    { name: "cleanup.policy", value: "compact" },
    { name: "min.cleanable.dirty.ratio", value: "1" },
    { name: "segment.bytes", value: String(4 * 1024 * 1024) },
  ];
  const created = await admin.http("POST", `${CLUSTER_PATH}/topics`, JSON.stringify({ topic_name: TOPIC, partitions_count: 1, replication_factor: 1, configs }));
  if (created.status === 400) return {}; // no compaction on this server
  if (created.status !== 201) throw new Error(`create ${TOPIC}: ${created.status} ${created.text.slice(0, 300)}`);
  const { Runnel } = await import(client);
  const runnel = new Runnel({ url, key });
  const producer = runnel.producer();
  const latest = await fill(producer, records, keys, recordBytes, batch);
  const before = await stored(admin);
  const idle = await appendFor(producer, 1_000); // what an append takes with no cleaning, for comparison
  const t0 = Date.now();
  const alter = { data: [{ name: "min.cleanable.dirty.ratio", value: "0" }] };
  const altered = await admin.http("POST", `${CLUSTER_PATH}/topics/${TOPIC}/configs:alter`, JSON.stringify(alter));
  if (altered.status !== 204) throw new Error(`configs:alter: ${altered.status} ${altered.text.slice(0, 300)}`);
  const during = { passing: true };
  const appender = appendWhile(producer, during);
  const cleaner = await firstPass(admin, t0);
  during.passing = false;
  const appends = await appender;
  await producer.close();
  const after = await stored(admin);
  const verified = await verify(runnel, latest, cleaner.last_cleaned_offset);
  const seconds = (cleaner.last_run - t0) / 1000;
  return {
    cleaner_records: records,
    cleaner_keys: keys,
    cleaner_records_per_s: Math.round(cleaner.last_cleaned_offset / seconds),
    cleaner_pass_s: Math.round(seconds * 10) / 10,
    cleaner_records_removed: after.removed,
    cleaner_stored_bytes_before: before.bytes,
    cleaner_stored_bytes_after: after.bytes,
    cleaner_append_p50_ms: pct(appends, 0.5),
    cleaner_append_p99_ms: pct(appends, 0.99),
    cleaner_append_idle_p50_ms: pct(idle, 0.5),
    cleaner_append_idle_p99_ms: pct(idle, 0.99),
    cleaner_keys_verified: verified,
  };
}

/** Appends one record every 20 ms while `state.passing`; resolves to each append's time (ms). */
async function appendWhile(producer, state) {
  const times = [];
  for (let i = 0; state.passing; i++) {
    const sent = performance.now();
    await producer.send(TOPIC, [{ key: `during-${i % 100}`, value: "x", partition: 0 }]);
    times.push(performance.now() - sent);
    await new Promise((r) => setTimeout(r, 20));
  }
  return times;
}

/** Appends as appendWhile does for `ms`. */
async function appendFor(producer, ms) {
  const state = { passing: true };
  const timer = setTimeout(() => (state.passing = false), ms);
  const times = await appendWhile(producer, state);
  clearTimeout(timer);
  return times;
}

/** Produces `records` keyed records (`keys` keys, round robin) to partition 0; resolves to each key's last value. */
async function fill(producer, records, keys, recordBytes, batch) {
  const latest = new Map();
  const pad = "x".repeat(Math.max(0, recordBytes - 24));
  for (let sent = 0; sent < records; ) {
    const count = Math.min(batch, records - sent);
    const list = new Array(count);
    for (let i = 0; i < count; i++) {
      const k = `key-${(sent + i) % keys}`;
      const value = `${sent + i}:${pad}`;
      list[i] = { key: k, value, partition: 0 };
      latest.set(k, value);
    }
    await producer.send(TOPIC, list);
    sent += count;
  }
  return latest;
}

/** Waits for the first pass that ends after `t0`; resolves to the partition view's cleaner then. */
async function firstPass(admin, t0) {
  const deadline = Date.now() + 30 * 60_000;
  for (;;) {
    const res = await admin.http("GET", `${CLUSTER_PATH}/topics/${TOPIC}/partitions/0`);
    const cleaner = JSON.parse(res.text).cleaner;
    if (cleaner?.last_run !== null && cleaner?.last_run !== undefined && cleaner.last_run >= t0) return cleaner;
    if (Date.now() > deadline) throw new Error(`the cleaner did not finish a pass: ${res.text.slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The partition's stored bytes and the records its cleaner removed, from /metrics. */
async function stored(admin) {
  const text = (await admin.http("GET", "/metrics")).text;
  const sample = (name) => Number(text.split("\n").find((l) => l.startsWith(`${name}{topic="${TOPIC}",partition="0"`))?.split(" ").at(-1) ?? 0);
  return { bytes: sample("runnel_partition_stored_bytes"), removed: sample("runnel_partition_cleaner_records_removed_total") };
}

/** Reads the partition back: below `checkpoint` each key at most once, and each key's latest value somewhere. Resolves to the keys checked. */
async function verify(runnel, latest, checkpoint) {
  const seen = new Map();
  for (let offset = 0; ; ) {
    const f = await runnel.fetch(TOPIC, 0, offset, { maxBytes: 4 * 1024 * 1024, format: "string" });
    for (const r of f.records) {
      if (r.offset < checkpoint && seen.has(r.key) && seen.get(r.key).offset < checkpoint) throw new Error(`key ${r.key} twice below the checkpoint ${checkpoint}`);
      seen.set(r.key, r);
    }
    if (f.nextOffset >= f.highWatermark) break;
    offset = f.nextOffset;
  }
  for (const [k, value] of latest) if (seen.get(k)?.value !== value) throw new Error(`key ${k}: its latest value is not there`);
  return latest.size;
}

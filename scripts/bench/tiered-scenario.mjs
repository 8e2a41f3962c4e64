// Tiered storage (docs/storage.md), on a server of its own (production
// mode, authentication on, the admin's key): what copying closed segments
// to the bucket costs produce throughput, how fast a partition reads from
// the bucket against its local tail, and that a partition written far
// past its local limit keeps its own storage bounded while the bucket
// grows.
//
// 1. Produce: one partition with tiering on and one with it off, same
//    segment size, in turns after a warm-up turn (on, off, off, on: a
//    server that warms up favours neither), each turn `produceBytes`;
//    after an "on" turn its last segments are left to reach the bucket
//    before the next turn.
// 2. Fill: the tiered partition written on to `totalBytes` in all, its
//    replica's SQLite file sampled on the way.
// 3. Read: the tiered partition from its log start (the bucket) up to its
//    local log start, then its local tail, as stored batches (GET
//    …/batches, `fetchBytes` a request, one request at a time).
// 4. Sizes: the replica's SQLite file (and its write-ahead log) against
//    local.retention.bytes plus one segment, and the bucket's bytes.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { httpClient } from "./http.mjs";
import { produce } from "./load.mjs";

const CLUSTER = "runnel-local";
const RECORD_BATCH = "application/vnd.kafka.record-batch";
const MiB = 1024 * 1024;

/**
 * `start()` resolves to a fresh server ({ url, dir, key, path, stop });
 * `cfg`: tieredBytes, tieredProduceBytes, tieredSegmentBytes,
 * tieredLocalBytes, recordBytes, fetchBytes. Resolves to `tiered_` figures.
 */
export async function tieredScenario(start, cfg) {
  const server = await start();
  try {
    return await measure(server, cfg);
  } finally {
    await server.stop();
  }
}

async function measure(server, cfg) {
  const admin = httpClient(server.url, { authorization: `Bearer ${server.key}` });
  const segment = String(cfg.tieredSegmentBytes);
  const others = new Set(replicaDbs(server.dir));
  await createTopic(admin, "bench-tier-on", { "segment.bytes": segment, "local.retention.bytes": String(cfg.tieredLocalBytes) });
  const db = replicaDbs(server.dir).find((f) => !others.has(f)); // the tiered partition's own file
  await createTopic(admin, "bench-tier-off", { "segment.bytes": segment, "remote.storage.enable": "false" });
  await createTopic(admin, "bench-tier-warm-up", { "segment.bytes": segment, "remote.storage.enable": "false" });
  const records = (bytes) => Math.ceil(bytes / cfg.tieredRecordBytes);
  const write = (topic, bytes) => timed(() => produce({ path: server.path, topic, records: records(bytes), producers: 4, partitions: 1, batch: 500 }));

  await write("bench-tier-warm-up", cfg.tieredProduceBytes); // the first turn on a fresh server is slower whatever it writes: not measured
  const turns = { on: [], off: [] };
  let written = 0;
  for (const arm of ["on", "off", "off", "on"]) {
    turns[arm].push(await write(`bench-tier-${arm}`, cfg.tieredProduceBytes));
    if (arm === "on") {
      written += cfg.tieredProduceBytes;
      await copied(admin, "bench-tier-on");
    }
  }
  const mbPerS = (xs) => Math.round((xs.length * cfg.tieredProduceBytes) / MiB / xs.reduce((n, s) => n + s, 0));
  const produceOn = mbPerS(turns.on);
  const produceOff = mbPerS(turns.off);

  // Fill, sampling the replica's storage as it grows.
  let sqliteMax = 0;
  const sampler = setInterval(() => {
    sqliteMax = Math.max(sqliteMax, safeSize(db));
  }, 250);
  try {
    if (cfg.tieredBytes > written) await write("bench-tier-on", cfg.tieredBytes - written);
    await copied(admin, "bench-tier-on");
  } finally {
    clearInterval(sampler);
  }
  const view = await partitionView(admin, "bench-tier-on");
  const remote = await readRange(admin, "bench-tier-on", view.log_start_offset, view.local_log_start_offset, cfg.fetchBytes);
  const local = await readRange(admin, "bench-tier-on", view.local_log_start_offset, view.high_watermark, cfg.fetchBytes);
  const files = { db: safeSize(db), wal: safeSize(`${db}-wal`) };
  sqliteMax = Math.max(sqliteMax, files.db);
  const bound = cfg.tieredLocalBytes + cfg.tieredSegmentBytes;
  return {
    tiered_segment_bytes: cfg.tieredSegmentBytes,
    tiered_local_retention_bytes: cfg.tieredLocalBytes,
    tiered_produce_on_mib_per_s: produceOn,
    tiered_produce_off_mib_per_s: produceOff,
    tiered_produce_change_pct: Math.round(((produceOn - produceOff) / produceOff) * 1000) / 10,
    tiered_written_mib: Math.round(cfg.tieredBytes / MiB),
    tiered_read_remote_mib: Math.round(remote.bytes / MiB),
    tiered_read_remote_mib_per_s: Math.round(remote.bytes / MiB / remote.seconds),
    tiered_read_local_mib: Math.round(local.bytes / MiB),
    tiered_read_local_mib_per_s: Math.round(local.bytes / MiB / local.seconds),
    tiered_read_remote_vs_local: Math.round((remote.bytes / remote.seconds / (local.bytes / local.seconds)) * 100) / 100,
    tiered_remote_segments: view.remote_segments,
    tiered_remote_bytes: view.remote_size_bytes,
    tiered_bucket_disk_bytes: bucketBytes(server.dir),
    tiered_local_bytes: view.local_size_bytes,
    tiered_sqlite_bytes: files.db,
    tiered_sqlite_wal_bytes: files.wal,
    tiered_sqlite_max_bytes: sqliteMax,
    tiered_sqlite_bound_bytes: bound,
    tiered_sqlite_within_bound: sqliteMax <= bound,
  };
}

async function createTopic(admin, topic, configs) {
  const body = { topic_name: topic, partitions_count: 1, configs: Object.entries(configs).map(([name, value]) => ({ name, value })) };
  await admin.post(`/v3/clusters/${CLUSTER}/topics`, JSON.stringify(body));
}

async function partitionView(admin, topic) {
  const res = await admin.http("GET", `/v3/clusters/${CLUSTER}/topics/${topic}/partitions/0`);
  if (res.status !== 200) throw new Error(`partition view: ${res.status} ${res.text.slice(0, 300)}`);
  return JSON.parse(res.text);
}

/** Waits until every closed segment of `topic` is in the bucket (GET /metrics: none awaiting upload). */
async function copied(admin, topic) {
  const series = new RegExp(`^runnel_partition_segments_awaiting_upload\\{topic="${topic}",partition="0"\\} (\\d+)$`, "m");
  for (const deadline = Date.now() + 600_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 200))) {
    const res = await admin.http("GET", "/metrics");
    if (res.text.match(series)?.[1] === "0") return;
  }
  throw new Error(`${topic}: segments still awaiting upload after 10 minutes`);
}

/** Reads the stored batches of [from, to) one request at a time; checks the offsets are dense. Resolves to { bytes, seconds }. */
async function readRange(admin, topic, from, to, maxBytes) {
  const started = performance.now();
  let bytes = 0;
  for (let offset = from; offset < to; ) {
    const res = await admin.getBytes(`/v3/clusters/${CLUSTER}/topics/${topic}/partitions/0/batches?offset=${offset}&max_bytes=${maxBytes}`, RECORD_BATCH);
    if (res.status !== 200) throw new Error(`read at ${offset}: ${res.status} ${res.body.toString().slice(0, 300)}`);
    if (Number(res.body.readBigInt64BE(0)) > offset) throw new Error(`read at ${offset}: the answer starts at ${res.body.readBigInt64BE(0)}`);
    bytes += res.body.length;
    offset = Number(res.headers["runnel-next-offset"]);
  }
  return { bytes, seconds: (performance.now() - started) / 1000 };
}

/** The partition replicas' SQLite files (Miniflare keeps them under `dir`/do). */
function replicaDbs(dir) {
  const at = join(dir, "do", "runnel-PartitionReplica");
  return safeList(at).filter((n) => n !== "metadata.sqlite" && n.endsWith(".sqlite")).map((n) => join(at, n));
}

/** Bytes of the bucket's objects on disk (Miniflare keeps them under `dir`/r2). */
function bucketBytes(dir) {
  const at = join(dir, "r2", "runnel-segments", "blobs");
  return safeList(at).reduce((n, name) => n + safeSize(join(at, name)), 0);
}

function safeList(dir) {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function safeSize(path) {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

async function timed(work) {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
}

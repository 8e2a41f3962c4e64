import { env, runInDurableObject, SELF } from "cloudflare:test";
import type { PartitionReplica } from "../../src/replication/partition-replica";
import type { Tiered } from "../../src/tiered/tiered";
import { call, V3 } from "../helpers";
import { replica, waitFor } from "../replication/helpers";

/** Configs for a small tiered topic: segments of `segmentBytes`, local copies past `localBytes` dropped. */
export function tieredConfigs(segmentBytes: number, localBytes: number, more: Record<string, string> = {}) {
  const all = { "segment.bytes": String(segmentBytes), "local.retention.bytes": String(localBytes), ...more };
  return Object.entries(all).map(([name, value]) => ({ name, value }));
}

/**
 * Produces `count` requests of `records` JSON string records of about
 * `recordBytes` each (value `${tag}-${i}-${j}-xxxx…`), request i's
 * records at `timestampMs + i * 1000` when given; returns the values in order.
 */
export async function produceMany(topic: string, count: number, opts: { records?: number; recordBytes?: number; tag?: string; timestampMs?: number } = {}): Promise<string[]> {
  const { records = 10, recordBytes = 200, tag = "v", timestampMs } = opts;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const values = Array.from({ length: records }, (_, j) => `${tag}-${i}-${j}-`.padEnd(recordBytes, "x"));
    const ts = timestampMs === undefined ? {} : { timestamp: timestampMs + i * 1000 };
    const res = await call("POST", `/topics/${topic}/partitions/0`, { records: values.map((value) => ({ value, ...ts })) }, { "content-type": "application/vnd.kafka.json.v2+json" });
    if (res.status !== 200 || res.body.offsets.some((o: { error_code: number | null }) => o.error_code !== null)) throw new Error(`produce: ${res.status} ${JSON.stringify(res.body)}`);
    out.push(...values);
  }
  return out;
}

/** Every stored batch from `offset` up to the high watermark, as the record-batch endpoint answers them (raw bytes, concatenated). */
export async function rawBatches(topic: string, offset: number, partition = 0, query = ""): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let at = offset;
  for (;;) {
    const res = await SELF.fetch(`http://runnel.test${V3}/topics/${topic}/partitions/${partition}/batches?offset=${at}${query}`, {
      headers: { accept: "application/vnd.kafka.record-batch" },
    });
    const body = new Uint8Array(await res.arrayBuffer());
    if (res.status !== 200) throw new Error(`batches at ${at}: ${res.status} ${new TextDecoder().decode(body)}`);
    if (body.length === 0) break;
    parts.push(body);
    at = Number(res.headers.get("runnel-next-offset"));
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let i = 0;
  for (const p of parts) {
    out.set(p, i);
    i += p.length;
  }
  return out;
}

/** Every value of a partition from `offset` (fetch, format=json), checking offsets are dense. */
export async function valuesFrom(topic: string, offset: number, partition = 0, query = ""): Promise<string[]> {
  const out: string[] = [];
  let at = offset;
  for (;;) {
    const res = await call("GET", `${V3}/topics/${topic}/partitions/${partition}/records?offset=${at}&format=json${query}`);
    if (res.status !== 200) throw new Error(`fetch at ${at}: ${JSON.stringify(res.body)}`);
    if (res.body.records.length === 0) return out;
    for (const r of res.body.records) {
      if (r.offset !== at) throw new Error(`gap: offset ${r.offset}, expected ${at}`);
      out.push(r.value);
      at++;
    }
  }
}

/** The object keys under `prefix` in the bucket. */
export async function bucketKeys(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await env.SEGMENTS.list({ prefix, ...(cursor === undefined ? {} : { cursor }) });
    keys.push(...page.objects.map((o) => o.key));
    if (!page.truncated) return keys.sort();
    cursor = page.cursor;
  }
}

/** What a replica holds of tiered storage, read from its object. */
export async function tieredState(topic: string, p: number, broker: number) {
  const { stub } = await replica(topic, p, broker);
  return inReplica(stub, (t, instance) => ({
    remote: t.remote.segments().map((s) => ({ baseOffset: s.baseOffset, lastOffset: s.lastOffset, key: s.objectKey, epoch: s.leaderEpoch })),
    upload: t.uploads.current(),
    owed: t.outbox.count(),
    localLogStartOffset: instance.state!.log.localLogStartOffset,
    logStartOffset: instance.state!.log.logStartOffset,
    localBytes: instance.state!.log.sizeBytes(),
  }));
}

/** Runs `work` inside a replica object with its tiered storage. */
export function inReplica<T>(stub: DurableObjectStub<PartitionReplica>, work: (t: Tiered, instance: PartitionReplica) => T | Promise<T>): Promise<T> {
  return runInDurableObject(stub, async (instance: PartitionReplica) => {
    if (instance.state === null) throw new Error("the replica holds no partition");
    return work(instance.state.tiered, instance);
  });
}

/** Waits until the partition view satisfies `check`. */
export async function waitForView(topic: string, what: string, check: (view: any) => boolean, p = 0, timeoutMs = 20_000) {
  return waitFor(what, async () => {
    const view = (await call("GET", `${V3}/topics/${topic}/partitions/${p}`)).body;
    return check(view) ? view : null;
  }, timeoutMs);
}

/** Where two byte arrays first differ ("same" when they do not): a short answer to compare megabytes with. */
export function firstDifference(a: Uint8Array, b: Uint8Array): string {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return `byte ${i} differs`;
  return a.length === b.length ? "same" : `lengths ${a.length} and ${b.length}`;
}

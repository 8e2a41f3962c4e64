import { env, runInDurableObject } from "cloudflare:test";
import { readBatchHeader } from "../../src/record/record-batch";
import type { PartitionReplica } from "../../src/replication/partition-replica";
import { call, V3 } from "../helpers";

/** Polls `check` every 50 ms until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function fault(broker: number, mode: "down" | "slow" | "heal", latencyMs?: number) {
  const res = await call("POST", `${V3}/brokers/${broker}/faults`, { mode, ...(latencyMs === undefined ? {} : { latency_ms: latencyMs }) });
  if (res.status !== 204) throw new Error(`fault ${broker} ${mode}: ${res.status} ${JSON.stringify(res.body)}`);
}

export async function partition(topic: string, p = 0) {
  return (await call("GET", `${V3}/topics/${topic}/partitions/${p}`)).body;
}

/** The replica object of a topic's partition on a broker. */
export async function replica(topic: string, p: number, broker: number) {
  const topicId = (await call("GET", `${V3}/topics/${topic}`)).body.topic_id as string;
  return { topicId, stub: env.PARTITIONS.get(env.PARTITIONS.idFromName(`${topicId}/${p}/${broker}`)) };
}

/** Every batch a replica holds (base offset and CRC), read straight from its storage. */
export async function batchMarks(topic: string, p: number, broker: number): Promise<string[]> {
  const { topicId, stub } = await replica(topic, p, broker);
  const d = await stub.describe(topicId);
  if (!d.ok) throw new Error(d.message);
  const marks: string[] = [];
  let offset = d.logStartOffset;
  while (offset < d.highWatermark) {
    const r = await stub.read({ topicId, offset, maxBytes: 1 << 20, timeoutMs: 0 });
    if (!r.ok) throw new Error(r.message);
    for (const b of r.batches) {
      const h = readBatchHeader(b);
      marks.push(`${h.baseOffset}:${h.crc}:${h.partitionLeaderEpoch}`);
      offset = h.baseOffset + h.recordCount;
    }
  }
  return marks;
}

/** Produces `values` as one v2 request (acks and Idempotency-Key optional). */
export async function produce(topic: string, values: string[], opts: { acks?: string; key?: string; partition?: number } = {}) {
  const headers: Record<string, string> = { "content-type": "application/vnd.kafka.json.v2+json" };
  if (opts.key !== undefined) headers["idempotency-key"] = opts.key;
  const path = `/topics/${topic}${opts.partition === undefined ? "" : `/partitions/${opts.partition}`}${opts.acks === undefined ? "" : `?acks=${opts.acks}`}`;
  return call("POST", path, { records: values.map((value) => ({ value })) }, headers);
}

/** Whether a v2 produce was acknowledged: every record has an offset and no error (v2 reports errors per record). */
export function acked(res: { status: number; body: any }): boolean {
  return res.status === 200 && Array.isArray(res.body.offsets) && res.body.offsets.every((o: any) => o.error_code === null);
}

/** The error code of a refused v2 produce: the request's, or the first record's. */
export function errorCode(res: { body: any }): number | undefined {
  return res.body.error_code ?? res.body.offsets?.find((o: any) => o.error_code !== null)?.error_code;
}

/** Every value of a partition, in offset order, with a check that offsets are dense. */
export async function values(topic: string, p = 0, format: "json" | "string" = "json"): Promise<string[]> {
  const out: string[] = [];
  let offset = (await partition(topic, p)).log_start_offset as number;
  for (;;) {
    const res = await call("GET", `${V3}/topics/${topic}/partitions/${p}/records?offset=${offset}&format=${format}`);
    if (res.status !== 200) throw new Error(`fetch: ${JSON.stringify(res.body)}`);
    if (res.body.records.length === 0) return out;
    for (const r of res.body.records) {
      if (r.offset !== offset) throw new Error(`gap: offset ${r.offset}, expected ${offset}`);
      out.push(r.value);
      offset++;
    }
  }
}

/**
 * Deletes every topic whose name starts with one of `prefixes` and waits
 * until each of their replicas is wiped and idle — no storage, no alarm,
 * no call to a follower or the controller still in flight — so nothing is
 * still calling when the test file's environment closes.
 */
export async function quiesce(prefixes: string[]): Promise<void> {
  for (const b of [0, 1, 2]) await fault(b, "heal");
  const topics = (await call("GET", `${V3}/topics`)).body.data as { topic_name: string; topic_id: string; partitions_count: number; replication_factor: number }[];
  const replicas: DurableObjectStub<PartitionReplica>[] = [];
  for (const t of topics.filter((topic) => prefixes.some((p) => topic.topic_name.startsWith(p)))) {
    for (let p = 0; p < t.partitions_count; p++) {
      for (let j = 0; j < t.replication_factor; j++) replicas.push(env.PARTITIONS.get(env.PARTITIONS.idFromName(`${t.topic_id}/${p}/${(p + j) % 3}`)));
    }
    await call("DELETE", `${V3}/topics/${t.topic_name}`);
  }
  await waitFor("the deleted topics' replicas to be wiped and idle", async () => {
    for (const stub of replicas) {
      const idle = await runInDurableObject(stub, async (instance: PartitionReplica, state) => {
        const busy = instance.retired?.leader.busy() ?? false;
        return instance.state === null && !busy && (await state.storage.getAlarm()) === null;
      });
      if (!idle) return false;
    }
    return true;
  });
}

// Idempotent producer batches over HTTP, for the partition and replication tests.
import { SELF } from "cloudflare:test";
import { buildBatch, encodeRecords } from "../../src/record/record-batch";
import { call, V3 } from "../helpers";
import { concatBytes } from "../../src/bytes/concat";

const utf8 = (s: string) => new TextEncoder().encode(s);

/** A fresh producer id from the cluster. */
export async function newProducer(): Promise<number> {
  const res = await call("POST", `${V3}/producer-ids`);
  if (res.status !== 200) throw new Error(`producer-ids: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.producer_id;
}

/** A batch of `values` from producer `producerId` / `epoch`, starting at `sequence`. */
export function idempotentBatch(producerId: number, epoch: number, sequence: number, values: string[], timestampMs = Date.now()): Uint8Array {
  const records = values.map((v) => ({ key: null, value: utf8(v), headers: [], timestampMs }));
  return buildBatch({
    recordCount: records.length,
    baseTimestampMs: timestampMs,
    maxTimestampMs: timestampMs,
    producerId,
    producerEpoch: epoch,
    baseSequence: sequence,
    recordsSection: encodeRecords(records, timestampMs),
  });
}

/** Concatenates batches into one body. */
export function join(...parts: Uint8Array[]): Uint8Array {
  return concatBytes(parts);
}

/** POSTs a body of record batches to partition `p` of `topic`. */
export async function postBatches(topic: string, body: Uint8Array, opts: { acks?: string; partition?: number } = {}) {
  const query = opts.acks === undefined ? "" : `?acks=${opts.acks}`;
  const res = await SELF.fetch(`http://runnel.test${V3}/topics/${topic}/partitions/${opts.partition ?? 0}/batches${query}`, {
    method: "POST",
    headers: { "content-type": "application/vnd.kafka.record-batch" },
    body,
  });
  return { status: res.status, body: (await res.json()) as any };
}

/** Every value of partition `p`, in offset order (format=string). */
export async function storedValues(topic: string, p = 0): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const res = await call("GET", `${V3}/topics/${topic}/partitions/${p}/records?offset=${out.length}&format=string`);
    if (res.status !== 200) throw new Error(`fetch: ${JSON.stringify(res.body)}`);
    if (res.body.records.length === 0) return out;
    out.push(...res.body.records.map((r: { value: string }) => r.value));
  }
}

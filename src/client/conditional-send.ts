/**
 * A conditional send (API.md "Conditional append and fencing"): records
 * for one partition appended only if its log end offset is exactly
 * `expectedOffset`, as one request of their own. Such a request can
 * never append twice — once appended, the log end has moved — so it
 * needs no producer id: its batches are plain, and it is retried only
 * after a failure that proves nothing was appended. A refusal is a
 * `RunnelError` 40905 whose `logEndOffset` says where the log ends now.
 */
import { partitionForKey } from "../produce/murmur2";
import type { RecordInput } from "../record/record-batch";
import { OpenBatch } from "./batch";
import { RunnelError } from "./errors";
import { backoffMs, sleep, verdictOn } from "./retry";
import { joinBytes } from "../bytes/concat";

/** What a conditional send needs of its producer. */
export interface ConditionalHost {
  settings: { batchBytes: number; deliveryTimeoutMs: number; retryBackoffMs: number; retryBackoffMaxMs: number; codec: number; compress: ((bytes: Uint8Array) => Promise<Uint8Array>) | null };
  /** POSTs concatenated batches to the partition with `query` added; resolves with the first offset (-1 for acks=0). */
  post(topic: string, partition: number, body: Uint8Array, query: string): Promise<number>;
}

/** Whether `value` may be an expected offset (a non-negative safe integer); a 400 RunnelError otherwise. */
export function checkExpectedOffset(value: unknown): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) throw new RunnelError(400, `expectedOffset must be a non-negative integer, got ${String(value)}`);
  return value;
}

/** A fencing token as given (1–64 printable ASCII); a 400 RunnelError otherwise. */
export function checkFencingToken(token: string): string {
  if (!/^[\x20-\x7e]{1,64}$/.test(token)) throw new RunnelError(400, "fencingToken must be 1 to 64 printable ASCII characters");
  return token;
}

/** The one partition of `count` that all records go to (explicit, else by key); a 400 RunnelError when they go to several, or keyless ones have none. */
export function onePartition(records: RecordInput[], explicit: (number | undefined)[], count: number): number {
  const targets = new Set(records.map((r, i) => explicit[i] ?? (r.key === null ? -1 : partitionForKey(r.key, count))));
  const [partition] = targets;
  if (targets.size !== 1 || partition === undefined || partition < 0 || partition >= count) {
    throw new RunnelError(400, `a send with expectedOffset needs every record for one partition of the ${count} (give each the same partition)`);
  }
  return partition;
}

/** Appends `records` (with their core sizes) to `partition` at `expectedOffset` or not at all; resolves with their offsets. */
export async function sendConditional(host: ConditionalHost, topic: string, partition: number, records: RecordInput[], cores: number[], expectedOffset: number): Promise<number[]> {
  const s = host.settings;
  const noOwner = { results: [], remaining: 0, settled: true, resolve: () => {}, reject: () => {} };
  const sealed = [];
  let open = new OpenBatch(partition);
  for (let i = 0; i < records.length; i++) {
    if (!open.fits(cores[i]!, records[i]!.timestampMs, s.batchBytes)) {
      sealed.push(open.seal(s.codec, s.compress));
      open = new OpenBatch(partition);
    }
    open.add(records[i]!, cores[i]!, noOwner, i);
  }
  sealed.push(open.seal(s.codec, s.compress));
  const body = joinBytes(await Promise.all(sealed.map((b) => b.frame(null, -1))));
  const deadline = Date.now() + s.deliveryTimeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      const first = await host.post(topic, partition, body, `&expected_offset=${expectedOffset}`);
      return records.map((_, i) => (first < 0 ? -1 : first + i));
    } catch (e) {
      if (!(e instanceof RunnelError) || verdictOn(e, false) !== "retry") throw e;
      const waitMs = backoffMs(attempt, s.retryBackoffMs, s.retryBackoffMaxMs, e.retryAfterS);
      if (Date.now() + waitMs >= deadline) throw e;
      await sleep(waitMs);
    }
  }
}

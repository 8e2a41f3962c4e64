/**
 * How a Fetch is served from `GET …/partitions/{p}/batches`: every
 * partition is read at once without waiting; when that brings fewer than
 * `min_bytes` and no error, the partitions with nothing new wait in
 * parallel (up to `max_wait_ms`) and the first one that gets records
 * ends the wait for all — the others keep what the first read said.
 * Then the response is cut to `max_bytes` at batch boundaries, always
 * keeping the first batch whole (KIP-74). Batches are never decoded.
 */
import { BackendError, type FetchedBatches } from "../backend/runnel-api";
import { KafkaCode } from "../errors";
import { gatewayLimits } from "../limits";
import type { Context } from "./api";

export interface PartitionWanted {
  index: number;
  offset: number;
  maxBytes: number;
}

export interface PartitionFetched {
  index: number;
  errorCode: number;
  highWatermark: number;
  logStartOffset: number;
  /** Whole stored batches (or none). */
  batches: Uint8Array[];
}

/** What a Fetch asks for, whatever its version: limits in bytes, the wait in ms. */
export interface FetchWanted {
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  topics: { name: string; partitions: PartitionWanted[] }[];
}

interface Slot {
  topic: string;
  want: PartitionWanted;
  got: PartitionFetched;
}

/** Reads every partition of a Fetch request as described above; topics and partitions in request order. */
export async function fetchPartitions(ctx: Context, req: FetchWanted): Promise<{ name: string; partitions: PartitionFetched[] }[]> {
  const startedMs = Date.now();
  const slots: Slot[] = req.topics.flatMap((t) => t.partitions.map((want) => ({ topic: t.name, want, got: empty(want.index) })));
  const perPartitionMax = (want: PartitionWanted) => Math.max(0, Math.min(want.maxBytes, req.maxBytes, gatewayLimits.fetchPartitionBytesMax));
  await Promise.all(slots.map(async (s) => (s.got = await readOne(ctx, s.topic, s.want, perPartitionMax(s.want), 0))));
  const bytes = slots.reduce((n, s) => n + sizeOf(s.got), 0);
  const failed = slots.some((s) => s.got.errorCode !== KafkaCode.NONE);
  const waitMs = Math.min(req.maxWaitMs, gatewayLimits.fetchWaitMsMax) - (Date.now() - startedMs);
  if (bytes < Math.max(1, req.minBytes) && !failed && waitMs > 0) await waitForRecords(ctx, slots, perPartitionMax, waitMs);
  cutToBytes(slots, req.maxBytes);
  let i = 0;
  return req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map(() => slots[i++]!.got) }));
}

/** The partitions with nothing new wait together; the first to get records (or an error) ends the wait of the rest. */
async function waitForRecords(ctx: Context, slots: Slot[], maxBytesOf: (w: PartitionWanted) => number, waitMs: number): Promise<void> {
  const abandon = new AbortController();
  const waiting = slots.filter((s) => s.got.batches.length === 0);
  await Promise.all(
    waiting.map(async (s) => {
      const got = await readOne(ctx, s.topic, s.want, maxBytesOf(s.want), waitMs, abandon.signal);
      if (abandon.signal.aborted && got.errorCode === KafkaCode.REQUEST_TIMED_OUT) return; // abandoned: keep what the first read said
      s.got = got;
      if (got.batches.length > 0 || got.errorCode !== KafkaCode.NONE) abandon.abort();
    }),
  );
}

async function readOne(ctx: Context, topic: string, want: PartitionWanted, maxBytes: number, waitMs: number, signal?: AbortSignal): Promise<PartitionFetched> {
  // The Worker refuses offsets it could never hold as bad requests; Kafka calls them out of range.
  if (!Number.isSafeInteger(want.offset) || want.offset < 0) return { ...empty(want.index), errorCode: KafkaCode.OFFSET_OUT_OF_RANGE };
  try {
    const f: FetchedBatches = await ctx.api.fetchBatches(topic, want.index, want.offset, maxBytes, waitMs, signal);
    return { index: want.index, errorCode: KafkaCode.NONE, highWatermark: f.highWatermark, logStartOffset: f.logStartOffset, batches: f.bytes.length === 0 ? [] : [f.bytes] };
  } catch (e) {
    if (!(e instanceof BackendError)) throw e;
    return { ...empty(want.index), errorCode: e.kafkaCode };
  }
}

/** Keeps whole batches while the response stays within `maxBytes`; the first batch of the response always stays. */
function cutToBytes(slots: Slot[], maxBytes: number): void {
  let total = 0;
  for (const s of slots) {
    const kept: Uint8Array[] = [];
    for (const bytes of s.got.batches) {
      for (const batch of splitBatches(bytes)) {
        if (total > 0 && total + batch.length > maxBytes) break;
        kept.push(batch);
        total += batch.length;
      }
    }
    s.got.batches = kept.length <= 1 ? kept : [concat(kept)];
  }
}

/** Whole batches in concatenated batch bytes, by their length fields (bytes 8–11: length after the first 12 bytes). */
export function splitBatches(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  while (at + 12 <= bytes.length) {
    const end = at + 12 + view.getInt32(at + 8);
    if (end <= at + 12 || end > bytes.length) break; // not a whole batch: the Worker only sends whole ones, so never expected
    out.push(bytes.subarray(at, end));
    at = end;
  }
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  // Parts are consecutive views of one buffer when they came from one read: join without copying.
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (first.buffer === last.buffer && last.byteOffset + last.length - first.byteOffset === parts.reduce((n, p) => n + p.length, 0)) {
    return new Uint8Array(first.buffer, first.byteOffset, last.byteOffset + last.length - first.byteOffset);
  }
  return Buffer.concat(parts);
}

function sizeOf(p: PartitionFetched): number {
  return p.batches.reduce((n, b) => n + b.length, 0);
}

function empty(index: number): PartitionFetched {
  return { index, errorCode: KafkaCode.NONE, highWatermark: -1, logStartOffset: -1, batches: [] };
}

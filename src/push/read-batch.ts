/**
 * Reading a subscription's next batch of one partition from its leader,
 * from the subscription's position: at most `batch_records` records and
 * about `batch_bytes` of them as rendered (at least one), only records
 * whose `delivery_delay_ms` has passed, rendered in its `format` without
 * the topic and partition on each (the batch names them once).
 */
import type { Env } from "../env";
import { ErrorCode, failureOf, RunnelError, type Failure } from "../errors";
import { renderBatches, UnrenderableRecord, type Rendered } from "../fetch/render";
import { limits } from "../limits";
import { callLeader } from "../metadata/leaders";
import { readBatchHeader } from "../record/record-batch";
import type { FetchOk } from "../replication/types";
import { settle } from "../rpc/call";
import type { TopicMeta } from "../topic/types";
import type { SubscriptionConfig } from "./types";

/** Records to push: offsets [from, next), rendered as JSON objects joined by commas. */
export interface Batch {
  from: number;
  next: number;
  count: number;
  json: string;
  /** The first record's timestamp (epoch ms): delivery latency counts from it. */
  firstTimestampMs: number;
  /** The stored batches read (whole, possibly reaching past `next`): dead letters are made from them. */
  stored: Uint8Array[];
}

export type BatchRead =
  /** Records; `partial` when the partition holds no more now and the batch is not full. */
  | { kind: "records"; batch: Batch; partial: boolean }
  /** Nothing to push at the position: the partition holds nothing more now. */
  | { kind: "empty" }
  /** Records are there, but held back by `delivery_delay_ms` until `untilMs`. */
  | { kind: "delayed"; untilMs: number }
  /** The record at `offset` cannot be rendered in the format (not JSON under format=json): it can never be pushed as it is. */
  | { kind: "poison"; offset: number; message: string; stored: Uint8Array[] }
  /** The position is outside the log (retention passed it, or the group's offset was set past the end). */
  | { kind: "out-of-range"; failure: Failure }
  /** The partition could not be read now (no leader, no answer, topic gone). */
  | { kind: "failed"; failure: Failure };

/** Reads the batch at `position` (see the module comment); `seenAtMs`: when records were first seen there (the delay counts from it at the latest). */
export async function readBatch(env: Env, meta: TopicMeta, partition: number, position: number, c: SubscriptionConfig, seenAtMs: number): Promise<BatchRead> {
  const args = { topicId: meta.topicId, offset: position, maxBytes: Math.min(c.batchBytes, limits.fetchBytesMax), timeoutMs: 0 };
  const read = await settle("readBatch", () => callLeader<FetchOk>(env, meta, partition, (leader) => leader.replica.read(args)));
  if (!read.ok) return read.error_code === ErrorCode.OFFSET_OUT_OF_RANGE ? { kind: "out-of-range", failure: read } : { kind: "failed", failure: read };
  const due = dueBatches(read.batches, c.deliveryDelayMs, seenAtMs, Date.now());
  if (due.untilMs !== null && due.batches.length === 0) return { kind: "delayed", untilMs: due.untilMs };
  let rendered: Rendered;
  try {
    rendered = await renderBatches(due.batches, position, c.batchRecords, meta.topicName, partition, c.format, false);
  } catch (e) {
    if (!(e instanceof UnrenderableRecord)) return { kind: "failed", failure: failureOf(e instanceof RunnelError ? e : new RunnelError(ErrorCode.CORRUPT_MESSAGE, String(e))) };
    if (e.rendered.count === 0) return { kind: "poison", offset: e.offset, message: e.message, stored: read.batches };
    rendered = e.rendered; // the records before it go first; the next batch starts at it
  }
  if (rendered.count === 0) return { kind: "empty" };
  const batch = withinBytes({ from: position, next: rendered.nextOffset, count: rendered.count, json: rendered.json, firstTimestampMs: 0, stored: read.batches }, c.batchBytes);
  batch.firstTimestampMs = firstTimestamp(batch.json);
  const full = batch.count >= c.batchRecords || batch.next < read.highWatermark;
  return { kind: "records", batch, partial: !full && due.untilMs === null };
}

/** The stored batches due now under `delayMs` (a prefix: order is kept), and when the first one held back is due (null: none is). */
function dueBatches(batches: Uint8Array[], delayMs: number, seenAtMs: number, nowMs: number): { batches: Uint8Array[]; untilMs: number | null } {
  if (delayMs === 0) return { batches, untilMs: null };
  for (let i = 0; i < batches.length; i++) {
    // A record's timestamp may be anything a client gave: the delay counts from when it was first seen at the latest.
    const dueMs = Math.min(readBatchHeader(batches[i]!).maxTimestampMs, seenAtMs) + delayMs;
    if (dueMs > nowMs) return { batches: batches.slice(0, i), untilMs: dueMs };
  }
  return { batches, untilMs: null };
}

/** `b` cut to the records whose JSON fits in `bytesMax` characters (at least one). */
function withinBytes(b: Batch, bytesMax: number): Batch {
  if (b.json.length <= bytesMax || b.count === 1) return b;
  const records = JSON.parse(`[${b.json}]`) as { offset: number }[];
  const parts: string[] = [];
  let size = 0;
  for (const r of records) {
    const text = JSON.stringify(r);
    if (parts.length > 0 && size + text.length + 1 > bytesMax) break;
    parts.push(text);
    size += text.length + 1;
  }
  return { ...b, json: parts.join(","), count: parts.length, next: records[parts.length - 1]!.offset + 1 };
}

/** The first record's timestamp, read from the start of its rendering (`{"offset":…,"timestamp":…`). */
function firstTimestamp(json: string): number {
  const m = /^\{"offset":\d+,"timestamp":(-?\d+)/.exec(json);
  return m === null ? Date.now() : Number(m[1]);
}

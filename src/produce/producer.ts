/**
 * The append path of a produce request: records are grouped by partition
 * (order kept), encoded into record batches no larger than the topic
 * allows and compressed as the topic says — all before anything is sent —
 * then appended with one call per partition leader. Reports come back in
 * the request's order.
 */
import { logFailedCall } from "../rpc/call";
import type { Env } from "../env";
import { assert, bodyOf, ErrorCode, failureOf, isFailure, RunnelError, type ErrorBody } from "../errors";
import { limits } from "../limits";
import { type Codec, codecOfConfig, compress } from "../record/compression";
import {
  BATCH_HEADER_BYTES, buildBatch, Compression, recordCoreSize, sizeAt, writeBatchHeader, writeRecords, type RecordInput,
} from "../record/record-batch";
import { callLeader } from "../metadata/leaders";
import type { AppendArgs, AppendOk } from "../replication/types";
import { logBug } from "../rpc/boundary";
import { resolveConfigs } from "../topic/configs";
import type { TopicInfo, TopicMeta } from "../topic/types";
import { isTimestampMs } from "./timestamps";

/** `acks`: 0 answers at once, 1 once the leader has the records, -1 (all) once the ISR has them. */
export type Acks = 0 | 1 | -1;

export interface Placed {
  partition: number;
  record: RecordInput;
  /** Whether the client set the timestamp (else it is the request's time). */
  timestampGiven: boolean;
}

export interface Appended {
  ok: true;
  partition: number;
  /** -1 under acks=0, when no offset is known. */
  offset: number;
  timestampMs: number;
}

export type Report = Appended | ({ ok: false; partition: number } & ErrorBody);

/** Parses `?acks=`: 0, 1, all or -1 (default all). */
export function parseAcks(value: string | undefined): Acks {
  if (value === undefined || value === "all" || value === "-1") return -1;
  if (value === "0") return 0;
  if (value === "1") return 1;
  throw new RunnelError(ErrorCode.BAD_REQUEST, `acks must be 0, 1 or all, got '${value}'`);
}

/** One partition's share of a request, encoded and ready to append. */
export interface PreparedAppend {
  partition: number;
  /** Positions in the request of this partition's records, in order. */
  indexes: number[];
  batches: Uint8Array[];
}

/**
 * Groups records by partition (order kept) and encodes them into batches
 * no larger than `max.message.bytes` and the stored-batch limit. Refuses
 * the whole request (413) when any record would not fit in a batch of its
 * own. Nothing is appended here.
 */
export async function prepareAppends(topic: TopicInfo, records: Placed[]): Promise<PreparedAppend[]> {
  const configs = resolveConfigs(topic.configs);
  const sizeMax = Math.min(limits.batchBytesMax, configs["max.message.bytes"]);
  const cores = new Array<number>(records.length);
  const byPartition = new Map<number, number[]>();
  for (let i = 0; i < records.length; i++) {
    // Parsers refuse bad timestamps; one slipping through would be reported after its append.
    assert(isTimestampMs(records[i]!.record.timestampMs), `record ${i} has timestamp ${records[i]!.record.timestampMs}, outside [0, timestampMsMax]`);
    const core = recordCoreSize(records[i]!.record);
    const alone = BATCH_HEADER_BYTES + sizeAt(core, 0, 0);
    if (alone > sizeMax) {
      throw new RunnelError(ErrorCode.PAYLOAD_TOO_LARGE, `record ${i} takes ${alone} bytes, over the topic's ${sizeMax}-byte max.message.bytes`);
    }
    cores[i] = core;
    const list = byPartition.get(records[i]!.partition);
    if (list === undefined) byPartition.set(records[i]!.partition, [i]);
    else list.push(i);
  }
  const codec = codecOfConfig(configs["compression.type"]);
  return Promise.all(
    [...byPartition].map(async ([partition, indexes]) => ({
      partition,
      indexes,
      batches: await encodeBatches(indexes.map((i) => records[i]!.record), indexes.map((i) => cores[i]!), sizeMax, codec),
    })),
  );
}

/** What an append carries besides its batches: a producer stamp (Idempotency-Key) and a condition (expected offset, fencing token). */
export type AppendExtras = Pick<AppendArgs, "producer" | "condition">;

/**
 * Appends prepared batches, one call per partition leader; per-record
 * reports in request order. With a producer stamp, each partition
 * answers a retry of the same request with the original offsets; with a
 * condition, the leader appends only if it holds.
 */
export async function sendAppends(
  env: Env,
  topic: TopicMeta,
  records: Placed[],
  prepared: PreparedAppend[],
  acks: Acks,
  extras: AppendExtras,
  waitUntil: (p: Promise<unknown>) => void,
): Promise<Report[]> {
  const reports = new Array<Report>(records.length);
  const appends = prepared.map(async ({ partition, indexes, batches }) => {
    const send = callLeader<AppendOk>(env, topic, partition, (leader) =>
      leader.replica.append({ topicId: topic.topicId, leaderEpoch: leader.leaderEpoch, batches, acks, ...extras }),
    );
    if (acks === 0) {
      waitUntil(send.then((result) => (result.ok ? undefined : unheard(topic, partition, result)), (e: unknown) => unheard(topic, partition, e)));
      for (const i of indexes) reports[i] = { ok: true, partition, offset: -1, timestampMs: records[i]!.record.timestampMs };
      return;
    }
    const result = await send;
    indexes.forEach((i, k) => {
      if (!result.ok) {
        const leo = result.log_end_offset === undefined ? {} : { log_end_offset: result.log_end_offset };
        reports[i] = { ok: false, partition, ...bodyOf(result.error_code, result.message, result.error_name), ...leo };
        return;
      }
      const { record, timestampGiven } = records[i]!;
      // A retry answered from the producer key reports the first attempt's time for records without their own.
      const requestTimeMs = result.duplicate && !timestampGiven ? result.requestTimeMs : record.timestampMs;
      const timestampMs = result.logAppendTimeMs >= 0 ? result.logAppendTimeMs : requestTimeMs;
      reports[i] = { ok: true, partition, offset: result.baseOffset + k, timestampMs };
    });
  });
  await Promise.all(appends);
  return reports;
}

/**
 * An acks=0 append failed. The client asked not to hear, so there is no
 * one to give the failure to: it is one warning line (a bug, with its
 * stack, when the error is not one of ours) — but for a refused condition
 * (expected offset, fencing token), which is the answer the client asked
 * for, not trouble.
 */
function unheard(topic: TopicMeta, partition: number, e: unknown): void {
  if (isFailure(e) && (e.error_code === ErrorCode.OFFSET_NOT_EXPECTED || e.error_code === ErrorCode.FENCED)) return;
  const context = { topicId: topic.topicId, topic: topic.topicName, partition, acks: 0 };
  if (isFailure(e)) logFailedCall("sendAppends", e, context);
  else if (e instanceof RunnelError) logFailedCall("sendAppends", failureOf(e), context);
  else logBug("sendAppends", e, context);
}

/**
 * Encodes one partition's records (with their `recordCoreSize`s) into
 * batches of at most `sizeMax` bytes (judged before compression, so a
 * batch fits whatever the codec). Uncompressed batches are written in
 * place; with a codec, a batch is stored compressed only when that saves
 * space (docs/compression.md).
 */
async function encodeBatches(records: RecordInput[], cores: number[], sizeMax: number, codec: Codec): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  let start = 0;
  while (start < records.length) {
    const baseTimestampMs = records[start]!.timestampMs;
    let size = BATCH_HEADER_BYTES;
    let end = start;
    let maxTimestampMs = baseTimestampMs;
    while (end < records.length) {
      const r = records[end]!;
      const next = size + sizeAt(cores[end]!, r.timestampMs - baseTimestampMs, end - start);
      if (next > sizeMax && end > start) break;
      size = next;
      maxTimestampMs = Math.max(maxTimestampMs, r.timestampMs);
      end++;
    }
    const group = records.slice(start, end);
    const groupCores = cores.slice(start, end);
    const header = { recordCount: group.length, baseTimestampMs, maxTimestampMs };
    const batch = new Uint8Array(size);
    const written = writeRecords(batch, BATCH_HEADER_BYTES, group, groupCores, baseTimestampMs);
    assert(written === size, `batch sized ${size} bytes, written ${written}`);
    const compressed = codec === Compression.NONE ? null : await compress(codec, batch.subarray(BATCH_HEADER_BYTES));
    if (compressed !== null && compressed.length < size - BATCH_HEADER_BYTES) {
      out.push(buildBatch({ ...header, recordsSection: compressed, compression: codec }));
    } else {
      writeBatchHeader(batch, header);
      out.push(batch);
    }
    start = end;
  }
  return out;
}

/**
 * The append path of a produce request: records are grouped by partition
 * (order kept), encoded into record batches no larger than the topic
 * allows, compressed as the topic says, and appended with one call per
 * partition leader. Reports come back in the request's order.
 */
import type { Env } from "../env";
import { ErrorCode, RunnelError, type ErrorBody } from "../errors";
import { limits } from "../limits";
import { gzip } from "../log/compression";
import { BATCH_HEADER_BYTES, buildBatch, Compression, encodeRecords, recordSize, type RecordInput } from "../log/record-batch";
import { leaderOf } from "../metadata/leaders";
import { resolveConfigs } from "../topic/configs";
import type { TopicInfo } from "../topic/types";

/** `acks`: 0 answers at once, 1 once the leader has the records, -1 (all) once the ISR has them. */
export type Acks = 0 | 1 | -1;

export interface Placed {
  partition: number;
  record: RecordInput;
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

/**
 * Refuses the whole request (413) when any record would not fit in a
 * batch of its own under `max.message.bytes` or the stored-batch limit.
 */
export function checkRecordSizes(topic: TopicInfo, records: Placed[]): void {
  const sizeMax = batchBytesMax(topic);
  for (let i = 0; i < records.length; i++) {
    const size = BATCH_HEADER_BYTES + recordSize(records[i]!.record);
    if (size > sizeMax) {
      throw new RunnelError(ErrorCode.PAYLOAD_TOO_LARGE, `record ${i} takes ${size} bytes, over the topic's ${sizeMax}-byte max.message.bytes`);
    }
  }
}

function batchBytesMax(topic: TopicInfo): number {
  return Math.min(limits.batchBytesMax, resolveConfigs(topic.configs)["max.message.bytes"]);
}

/** Appends placed records; per-record reports in request order. Sizes must be checked first. */
export async function produce(env: Env, topic: TopicInfo, records: Placed[], acks: Acks, waitUntil: (p: Promise<unknown>) => void): Promise<Report[]> {
  const byPartition = new Map<number, number[]>();
  records.forEach((r, i) => {
    const list = byPartition.get(r.partition);
    if (list === undefined) byPartition.set(r.partition, [i]);
    else list.push(i);
  });
  const gzipped = resolveConfigs(topic.configs)["compression.type"] === "gzip";
  const sizeMax = batchBytesMax(topic);
  const reports = new Array<Report>(records.length);
  const appends = [...byPartition].map(async ([partition, indexes]) => {
    const group = indexes.map((i) => records[i]!.record);
    const batches = await encodeBatches(group, sizeMax, gzipped);
    const leader = leaderOf(env, topic, partition);
    const send = leader.stub.append({ topicId: topic.topicId, leaderEpoch: leader.leaderEpoch, batches });
    if (acks === 0) {
      waitUntil(send);
      indexes.forEach((i) => (reports[i] = { ok: true, partition, offset: -1, timestampMs: records[i]!.record.timestampMs }));
      return;
    }
    const result = await send;
    indexes.forEach((i, k) => {
      reports[i] = result.ok
        ? { ok: true, partition, offset: result.baseOffset + k, timestampMs: result.logAppendTimeMs >= 0 ? result.logAppendTimeMs : records[i]!.record.timestampMs }
        : { ok: false, partition, error_code: result.error_code, message: result.message };
    });
  });
  await Promise.all(appends);
  return reports;
}

/** Encodes records (all for one partition) into batches of at most `sizeMax` bytes. */
export async function encodeBatches(records: RecordInput[], sizeMax: number, gzipped: boolean): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  let start = 0;
  while (start < records.length) {
    const baseTimestampMs = records[start]!.timestampMs;
    let size = BATCH_HEADER_BYTES;
    let end = start;
    let maxTimestampMs = baseTimestampMs;
    while (end < records.length) {
      const r = records[end]!;
      const next = size + recordSize(r, r.timestampMs - baseTimestampMs, end - start);
      if (next > sizeMax && end > start) break;
      size = next;
      maxTimestampMs = Math.max(maxTimestampMs, r.timestampMs);
      end++;
    }
    const group = records.slice(start, end);
    const plain = encodeRecords(group, baseTimestampMs);
    const compressed = gzipped ? await gzip(plain) : null;
    const useGzip = compressed !== null && compressed.length < plain.length;
    out.push(
      buildBatch({
        recordsSection: useGzip ? compressed : plain,
        recordCount: group.length,
        baseTimestampMs,
        maxTimestampMs,
        compression: useGzip ? Compression.GZIP : Compression.NONE,
      }),
    );
    start = end;
  }
  return out;
}

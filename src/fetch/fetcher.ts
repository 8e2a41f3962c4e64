/**
 * The read path: ask the partition leader for whole batches from an
 * offset, decode them (decompressing when needed) and keep only the
 * records at or after the offset, up to `maxRecords`.
 */
import type { Env } from "../env";
import { ErrorCode, failure, RunnelError, unwrap, type Failure } from "../errors";
import { limits } from "../limits";
import { gunzip } from "../log/compression";
import { BATCH_HEADER_BYTES, Compression, compressionOf, decodeRecords, readBatchHeader, type DecodedRecord } from "../log/record-batch";
import { callLeader, inSyncReplica } from "../metadata/leaders";
import type { FetchOk, Positions } from "../partition/types";
import type { TopicMeta } from "../topic/types";

export interface FetchRequest {
  offset: number;
  /** Default 1 MiB; at least one whole batch is returned when one is available. */
  maxBytes: number;
  /** Default unbounded. */
  maxRecords: number;
  /** Wait at the high watermark this long for new records (default 0). */
  timeoutMs: number;
  /** Read from the in-sync replica on this broker instead of the leader. */
  replica?: number;
}

export interface Fetched extends Positions {
  records: DecodedRecord[];
  /** The offset to fetch from next: one past the last record returned. */
  nextOffset: number;
}

/** Reads records of one partition. Throws 41601 outside [log start, high watermark]. */
export async function fetchRecords(env: Env, topic: TopicMeta, partition: number, req: FetchRequest): Promise<Fetched> {
  const args = { topicId: topic.topicId, offset: req.offset, maxBytes: req.maxBytes, timeoutMs: req.timeoutMs };
  const result = unwrap(
    req.replica === undefined
      ? await callLeader<FetchOk>(env, topic, partition, (leader) => leader.stub.read(args))
      : await readFollower(inSyncReplica(env, topic, partition, req.replica), args),
  );
  const records: DecodedRecord[] = [];
  for (const batch of result.batches) {
    if (records.length >= req.maxRecords) break;
    for (const r of await decodeBatch(batch)) {
      if (r.offset < req.offset) continue;
      if (records.length >= req.maxRecords) break;
      records.push(r);
    }
  }
  const last = records[records.length - 1];
  return {
    records,
    nextOffset: last === undefined ? req.offset : last.offset + 1,
    logStartOffset: result.logStartOffset,
    highWatermark: result.highWatermark,
    logEndOffset: result.logEndOffset,
  };
}

async function readFollower(stub: ReturnType<typeof inSyncReplica>, args: Parameters<ReturnType<typeof inSyncReplica>["read"]>[0]): Promise<FetchOk | Failure> {
  try {
    return (await stub.read(args)) as FetchOk | Failure;
  } catch (e) {
    return failure(ErrorCode.LEADER_NOT_AVAILABLE, `that replica did not answer: ${(e as Error).message}`);
  }
}

/** Decodes a whole stored batch (CRC already checked by the log). */
export async function decodeBatch(batch: Uint8Array): Promise<DecodedRecord[]> {
  const header = readBatchHeader(batch);
  let section = batch.subarray(BATCH_HEADER_BYTES);
  try {
    if (compressionOf(header.attributes) === Compression.GZIP) section = await gunzip(section, limits.fetchBytesMax);
    return decodeRecords(header, section);
  } catch (e) {
    throw new RunnelError(ErrorCode.CORRUPT_MESSAGE, `corrupt record batch at offset ${header.baseOffset}: ${(e as Error).message}`);
  }
}

/**
 * The read path: ask the partition leader (or an in-sync follower) for
 * whole batches from an offset and render the records at or after it, up
 * to `maxRecords`; and decoding a whole batch for lookups by time.
 */
import { isUnreachable, unreachableDetail, type Caller } from "../rpc/call";
import type { Env } from "../env";
import { ErrorCode, failure, RunnelError, unwrap, type Failure } from "../errors";
import { limits } from "../limits";
import { decompress } from "../record/compression";
import { BATCH_HEADER_BYTES, compressionOf, decodeRecords, readBatchHeader, type DecodedRecord } from "../record/record-batch";
import type { RecordFormat } from "./format";
import { renderBatches, type Rendered } from "./render";
import { callLeader, inSyncReplica } from "../metadata/leaders";
import type { PartitionReplica } from "../replication/partition-replica";
import type { FetchArgs, FetchOk, Positions } from "../replication/types";
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

export interface Fetched extends Positions, Rendered {}

/**
 * Reads records of one partition and renders them in `format`. Throws
 * 41601 outside [log start, high watermark].
 */
export async function fetchRecords(env: Env, topic: TopicMeta, partition: number, req: FetchRequest, format: RecordFormat): Promise<Fetched> {
  const args = { topicId: topic.topicId, offset: req.offset, maxBytes: req.maxBytes, timeoutMs: req.timeoutMs };
  const result = unwrap(
    req.replica === undefined
      ? await callLeader<FetchOk>(env, topic, partition, (leader) => leader.replica.read(args))
      : await readFollower(inSyncReplica(env, topic, partition, req.replica), args),
  );
  const rendered = await renderBatches(result.batches, req.offset, req.maxRecords, topic.topicName, partition, format);
  return { ...rendered, logStartOffset: result.logStartOffset, highWatermark: result.highWatermark, logEndOffset: result.logEndOffset };
}

/** Reads from an in-sync replica; one that cannot be reached is 40404, as a replica that cannot serve. */
async function readFollower(replica: Caller<PartitionReplica>, args: FetchArgs): Promise<FetchOk | Failure> {
  const result = await replica.read(args);
  if (isUnreachable(result) && !result.ok) return failure(ErrorCode.LEADER_NOT_AVAILABLE, `that replica did not answer: ${unreachableDetail(result)}`, "REPLICA_NOT_AVAILABLE");
  return result;
}

/** Decodes a whole stored batch (CRC already checked by the log). */
export async function decodeBatch(batch: Uint8Array): Promise<DecodedRecord[]> {
  const header = readBatchHeader(batch);
  try {
    const section = decompress(compressionOf(header.attributes), batch.subarray(BATCH_HEADER_BYTES), limits.batchDecompressedBytesMax);
    return decodeRecords(header, section);
  } catch (e) {
    throw new RunnelError(ErrorCode.CORRUPT_MESSAGE, `corrupt record batch at offset ${header.baseOffset}: ${(e as Error).message}`);
  }
}

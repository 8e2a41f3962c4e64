/** Turning seek targets into offsets, and checking offsets to commit, against the partitions' leaders. */
import type { Env } from "../env";
import { ErrorCode, failure, type Failure } from "../errors";
import { offsetForTimestamp, positionsOf } from "../fetch/offsets";
import { topicMeta } from "../metadata/topic-cache";
import type { OffsetChange, SeekTarget, TopicPartition } from "./types";

/**
 * The offset a target names in a partition: an offset (41601 outside
 * [log start, high watermark]), the first at or after a time, or either end.
 */
export async function offsetFor(env: Env, tp: TopicPartition, target: SeekTarget): Promise<number | Failure> {
  try {
    const meta = await topicMeta(env, tp.topic);
    if (tp.partition >= meta.partitionsCount) return failure(ErrorCode.UNKNOWN_PARTITION, `topic '${tp.topic}' has no partition ${tp.partition}`);
    if ("timestamp" in target) return (await offsetForTimestamp(env, meta, tp.partition, target.timestamp)).offset;
    const p = await positionsOf(env, meta, tp.partition);
    if ("to" in target) return target.to === "earliest" ? p.logStartOffset : p.highWatermark;
    if (target.offset < p.logStartOffset || target.offset > p.highWatermark) {
      return failure(ErrorCode.OFFSET_OUT_OF_RANGE, `offset ${target.offset} is outside [${p.logStartOffset}, ${p.highWatermark}] for ${tp.topic}-${tp.partition}`);
    }
    return target.offset;
  } catch (e) {
    const err = e as { errorCode?: number; message: string };
    return failure(err.errorCode ?? ErrorCode.RETRIABLE, err.message);
  }
}

/** 41601 when an offset to commit is negative or past its partition's high watermark; else null. */
export async function offsetsProblem(env: Env, offsets: OffsetChange[]): Promise<Failure | null> {
  for (const o of offsets) {
    const p = await positionsOf(env, await topicMeta(env, o.topic), o.partition);
    if (!Number.isSafeInteger(o.offset) || o.offset < 0 || o.offset > p.highWatermark) {
      return failure(ErrorCode.OFFSET_OUT_OF_RANGE, `offset ${o.offset} for ${o.topic}-${o.partition} is past the high watermark ${p.highWatermark}`);
    }
  }
  return null;
}

/** 40402/40401 when a partition does not exist; else null. */
export async function partitionProblem(env: Env, tp: TopicPartition): Promise<Failure | null> {
  try {
    const meta = await topicMeta(env, tp.topic);
    return tp.partition < meta.partitionsCount ? null : failure(ErrorCode.UNKNOWN_PARTITION, `topic '${tp.topic}' has no partition ${tp.partition}`);
  } catch {
    return failure(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic '${tp.topic}' does not exist`);
  }
}

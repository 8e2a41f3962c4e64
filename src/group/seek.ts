/**
 * Turning seek targets into offsets, and checking offsets to commit,
 * against the partitions' leaders. Every failure is the real one (unknown
 * topic or partition, no leader, a leader that did not answer), as a result.
 */
import type { Env } from "../env";
import { ErrorCode, failure, isFailure, type Failure } from "../errors";
import { offsetForTimestamp } from "../fetch/offsets";
import type { TopicMeta } from "../topic/types";
import { noPartition, partitionPositions, topicOf } from "./lookups";
import { settle } from "../rpc/call";
import type { OffsetChange, OffsetWrite, SeekTarget, TopicPartition } from "./types";

/**
 * The offset a target names in partition `partition` of `meta`: an offset
 * (41601 outside [log start, high watermark], both inclusive), the first
 * at or after a time (epoch ms), or either end.
 */
export async function offsetIn(env: Env, meta: TopicMeta, partition: number, target: SeekTarget): Promise<number | Failure> {
  if (partition >= meta.partitionsCount) return noPartition(meta.topicName, partition);
  if ("timestamp" in target) {
    const found = await settle("offsetIn", () => offsetForTimestamp(env, meta, partition, target.timestamp));
    return isFailure(found) ? found : found.offset;
  }
  const p = await partitionPositions(env, meta, partition);
  if (!p.ok) return p;
  if ("to" in target) return target.to === "earliest" ? p.logStartOffset : p.highWatermark;
  if (target.offset < p.logStartOffset || target.offset > p.highWatermark) {
    return failure(ErrorCode.OFFSET_OUT_OF_RANGE, `offset ${target.offset} is outside [${p.logStartOffset}, ${p.highWatermark}] for ${meta.topicName}-${partition}`);
  }
  return target.offset;
}

/** `offsetIn` for a partition named by topic name; also returns the topic id it was found in. */
export async function offsetFor(env: Env, tp: TopicPartition, target: SeekTarget): Promise<{ offset: number; topicId: string } | Failure> {
  const meta = await topicOf(env, tp.topic);
  if (isFailure(meta)) return meta;
  const offset = await offsetIn(env, meta, tp.partition, target);
  return typeof offset === "number" ? { offset, topicId: meta.topicId } : offset;
}

/**
 * Checks offsets to commit as Kafka's OffsetCommit does: each partition
 * must exist (40401/40402); the offset is not checked against the log (a
 * commit past the high watermark is stored, as in Kafka), only that it is
 * a safe integer of 0 or more (41601). Returns them stamped with their
 * topic ids.
 */
export async function checkOffsets(env: Env, offsets: OffsetChange[]): Promise<{ ok: true; offsets: OffsetWrite[] } | Failure> {
  const checked: OffsetWrite[] = [];
  for (const o of offsets) {
    const meta = await topicOf(env, o.topic);
    if (isFailure(meta)) return meta;
    if (o.partition < 0 || o.partition >= meta.partitionsCount) return noPartition(o.topic, o.partition);
    if (!Number.isSafeInteger(o.offset) || o.offset < 0) return failure(ErrorCode.OFFSET_OUT_OF_RANGE, `offset ${o.offset} for ${o.topic}-${o.partition} is not an offset (0 or more)`);
    checked.push({ ...o, topicId: meta.topicId });
  }
  return { ok: true, offsets: checked };
}

/** Null when a partition exists; else why not (40401, 40402, or the controller did not answer). */
export async function partitionProblem(env: Env, tp: TopicPartition): Promise<Failure | null> {
  const meta = await topicOf(env, tp.topic);
  if (isFailure(meta)) return meta;
  return tp.partition < meta.partitionsCount ? null : noPartition(tp.topic, tp.partition);
}

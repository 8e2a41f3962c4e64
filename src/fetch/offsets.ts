/** A partition's positions and offset-by-time lookups, asked of its leader. */
import type { Env } from "../env";
import { unwrap } from "../errors";
import { callLeader } from "../metadata/leaders";
import type { DescribeOk, TimestampLookupOk } from "../replication/types";
import type { TopicMeta } from "../topic/types";
import { decodeBatch } from "./fetcher";

/** Log start offset, high watermark and log end offset of a partition (throws its errors). */
export async function positionsOf(env: Env, topic: TopicMeta, partition: number): Promise<DescribeOk> {
  return unwrap(await callLeader<DescribeOk>(env, topic, partition, (leader) => leader.stub.describe(topic.topicId)));
}

/**
 * The first offset whose record timestamp is at or after `timestampMs`
 * (epoch ms), with that record's timestamp; the high watermark and null
 * when no record is that recent.
 */
export async function offsetForTimestamp(env: Env, topic: TopicMeta, partition: number, timestampMs: number): Promise<{ offset: number; timestampMs: number | null }> {
  const found = unwrap(
    await callLeader<TimestampLookupOk>(env, topic, partition, (leader) => leader.stub.batchForTimestamp(topic.topicId, timestampMs)),
  );
  const records = found.batch === null ? [] : await decodeBatch(found.batch);
  const hit = records.find((r) => r.timestampMs >= timestampMs && r.offset < found.highWatermark);
  return { offset: hit?.offset ?? found.highWatermark, timestampMs: hit?.timestampMs ?? null };
}

/** A group's lag per partition: high watermark minus committed offset. */
import type { Env } from "../env";
import { positionsOf } from "../fetch/offsets";
import { topicMeta } from "../metadata/topic-cache";
import type { OffsetStore } from "./offset-store";
import { tpKey, type LagRow } from "./types";

/**
 * One row per partition of `topics` (the subscribed and the committed,
 * those that exist): committed offset (null if none), high watermark, lag
 * (from the log start when nothing is committed) and its owner, if any.
 */
export async function lagRows(env: Env, topics: string[], offsets: OffsetStore, owners: Map<string, string>): Promise<LagRow[]> {
  const rows: LagRow[] = [];
  for (const topic of [...new Set(topics)].sort()) {
    const meta = await topicMeta(env, topic);
    for (let partition = 0; partition < meta.partitionsCount; partition++) {
      const positions = await positionsOf(env, meta, partition);
      const current = offsets.get({ topic, partition })?.offset ?? null;
      rows.push({
        topic,
        partition,
        currentOffset: current,
        logEndOffset: positions.highWatermark,
        lag: positions.highWatermark - (current ?? positions.logStartOffset),
        consumerId: owners.get(tpKey({ topic, partition })) ?? "",
      });
    }
  }
  return rows;
}

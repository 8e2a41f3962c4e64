/**
 * A group's lag per partition, from what a scrape gathers anyway: the
 * group's committed offsets and subscriptions (from its coordinator) and
 * each partition's high watermark and log start offset (from its
 * leader). The same rule as `GET …/consumer-groups/{g}/lags`: one row per
 * partition of every existing topic the group is subscribed to (as of its
 * last rebalance), reads by hand, or has committed offsets for; lag = high watermark − committed
 * offset, from the log start when nothing is committed (or the offset was
 * committed in an earlier topic of that name).
 */
import type { GroupMetricsOk } from "../group/metrics";

/** A topic as the scrape knows it. */
export interface TopicRef {
  topicId: string;
  partitionsCount: number;
}

/** A partition's positions, from its leader. */
export interface Positions {
  highWatermark: number;
  logStartOffset: number;
}

export interface LagRow {
  topic: string;
  partition: number;
  lag: number;
}

/**
 * The group's lag rows; `complete` is false when a partition's positions
 * were not known (`positionsOf` gave undefined), whose row is then left out.
 */
export function groupLag(
  g: GroupMetricsOk,
  topics: ReadonlyMap<string, TopicRef>,
  positionsOf: (topicId: string, partition: number) => Positions | undefined,
): { rows: LagRow[]; complete: boolean } {
  const rows: LagRow[] = [];
  let complete = true;
  for (const topic of topicsOf(g, topics)) {
    const ref = topics.get(topic)!;
    for (let partition = 0; partition < ref.partitionsCount; partition++) {
      const p = positionsOf(ref.topicId, partition);
      if (p === undefined) {
        complete = false;
        continue;
      }
      const c = g.committed.find((o) => o.topic === topic && o.partition === partition && (o.topicId === "" || o.topicId === ref.topicId));
      rows.push({ topic, partition, lag: Math.max(0, p.highWatermark - (c?.offset ?? p.logStartOffset)) });
    }
  }
  return { rows, complete };
}

/** The existing topics whose lag the group has: committed, subscribed and read by hand; sorted. */
export function topicsOf(g: GroupMetricsOk, topics: ReadonlyMap<string, TopicRef>): string[] {
  const names = new Set<string>([...g.committed.map((o) => o.topic), ...g.subscribedTopics, ...g.manualTopics]);
  return [...names].filter((t) => topics.has(t)).sort();
}

/** A group's lag per partition: high watermark minus committed offset. */
import type { Env } from "../env";
import { isFailure, type Failure } from "../errors";
import { partitionPositions, topicOf } from "./lookups";
import type { OffsetStore } from "./offset-store";
import { tpKey, type LagRow, type MemberState, type TopicIndex } from "./types";

/**
 * One row per partition of `topics` (the subscribed and the committed, of
 * those in `index`, every topic now): committed offset (null if none),
 * high watermark, lag (from the log start when nothing is committed; never
 * below 0) and
 * its owner, if any. A partition without a leader makes the whole answer
 * a 40404, one whose leader does not answer a 50003.
 */
export async function lagRows(env: Env, topics: string[], index: TopicIndex, offsets: OffsetStore, owners: Map<string, MemberState>): Promise<{ ok: true; rows: LagRow[] } | Failure> {
  const rows: LagRow[] = [];
  for (const topic of [...new Set(topics)].filter((t) => index.has(t)).sort()) {
    const meta = await topicOf(env, topic, index.get(topic)!.topicId);
    if (isFailure(meta)) return meta;
    for (let partition = 0; partition < meta.partitionsCount; partition++) {
      const positions = await partitionPositions(env, meta, partition);
      if (!positions.ok) return positions;
      const current = offsets.get({ topic, partition }, meta.topicId)?.offset ?? null;
      rows.push({
        topic,
        partition,
        currentOffset: current,
        logEndOffset: positions.highWatermark,
        lag: Math.max(0, positions.highWatermark - (current ?? positions.logStartOffset)), // a commit past the high watermark is no negative lag
        consumerId: owners.get(tpKey({ topic, partition }))?.memberId ?? "",
        clientId: clientIdOf(owners.get(tpKey({ topic, partition }))),
      });
    }
  }
  return { ok: true, rows };
}

/** The client id a member shows in the v3 admin views ("" for no member): what kind of client it is, or a Kafka client's own id. */
export function clientIdOf(m: { kind: MemberState["kind"]; kafka?: { clientId: string }; kip848?: { clientId: string } } | undefined): string {
  if (m === undefined) return "";
  if (m.kind === "kafka" || m.kind === "kip848") return m.kafka?.clientId ?? m.kip848?.clientId ?? "kafka";
  return m.kind === "ws" ? "websocket" : "http";
}

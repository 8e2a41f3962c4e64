/**
 * One read of a partition for a group member, at its position: from the
 * partition's leader, rendered in the member's format. Shared by the v2
 * consumer poll (in the Worker) and WebSocket delivery (in the
 * coordinator), which differ only in what they do with the outcome.
 */
import type { Env } from "../env";
import { ErrorCode, failure, failureOf, isFailure, RunnelError, type Failure } from "../errors";
import type { RecordFormat } from "./format";
import { renderBatches, UnrenderableRecord, type Rendered } from "./render";
import { callLeader } from "../metadata/leaders";
import type { FetchOk } from "../replication/types";
import type { TopicMeta } from "../topic/types";
import { asked, noPartition, topicOf } from "../group/lookups";
import type { Position, TopicPartition } from "../group/types";

export interface ReadOptions {
  /** Bytes of batches to ask the leader for (at least one whole batch comes back). */
  maxBytes: number;
  /** How long the leader may wait at the high watermark for records (0: answer at once). */
  waitMs: number;
  maxRecords: number;
  format: RecordFormat;
}

export type MemberRead =
  /**
   * Records from the position on (possibly none). `unrenderable`: the
   * records stop before one the format cannot show, at `rendered.nextOffset`.
   */
  | { kind: "records"; meta: TopicMeta; rendered: Rendered; highWatermark: number; unrenderable: UnrenderableRecord | null }
  /** The position no longer holds — out of range, or the topic was created again — and must be resolved anew. */
  | { kind: "reposition"; why: Failure }
  /** The partition cannot be read now: topic or partition gone (40401/40402), no leader (40404), no answer (50003), a corrupt batch (50001). */
  | { kind: "failed"; failure: Failure };

/** Reads `tp` from `position` and renders what it finds. */
export async function readAt(env: Env, tp: TopicPartition, position: Position, opts: ReadOptions): Promise<MemberRead> {
  const meta = await topicOf(env, tp.topic, position.topicId === "" ? undefined : position.topicId);
  if (isFailure(meta)) return { kind: "failed", failure: meta };
  if (position.topicId !== "" && position.topicId !== meta.topicId) {
    return { kind: "reposition", why: failure(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic '${tp.topic}' was deleted and created again`) };
  }
  if (tp.partition >= meta.partitionsCount) return { kind: "failed", failure: noPartition(tp.topic, tp.partition) };
  const args = { topicId: meta.topicId, offset: position.offset, maxBytes: opts.maxBytes, timeoutMs: opts.waitMs };
  const read = await asked(`the leader of ${tp.topic}-${tp.partition}`, () => callLeader<FetchOk>(env, meta, tp.partition, (leader) => leader.stub.read(args)));
  if (!read.ok) return read.error_code === ErrorCode.OFFSET_OUT_OF_RANGE ? { kind: "reposition", why: read } : { kind: "failed", failure: read };
  try {
    const rendered = await renderBatches(read.batches, position.offset, opts.maxRecords, tp.topic, tp.partition, opts.format);
    return { kind: "records", meta, rendered, highWatermark: read.highWatermark, unrenderable: null };
  } catch (e) {
    if (e instanceof UnrenderableRecord) return { kind: "records", meta, rendered: e.rendered, highWatermark: read.highWatermark, unrenderable: e };
    if (e instanceof RunnelError) return { kind: "failed", failure: failureOf(e) }; // a corrupt batch (50001)
    throw e;
  }
}

/**
 * A subscription's positions are its consumer group's committed offsets
 * (the group of its name): read when a partition's delivery starts, and
 * committed after each batch the target accepts, as a client outside the
 * group commits (Kafka's member "" with generation -1, allowed while the
 * group has no members). Each offset is the next one to deliver.
 */
import type { Env } from "../env";
import { ErrorCode, failure, isFailure, type Failure } from "../errors";
import { partitionPositions } from "../group/lookups";
import type { Ok } from "../group/types";
import { callGroup } from "../rpc/objects";
import type { TopicMeta } from "../topic/types";
import type { Start } from "./types";

/** The committed offset of each of `partitions` of `topic` (null where none is). */
export async function committedOffsets(env: Env, group: string, topic: string, partitions: number[]): Promise<{ ok: true; offsets: (number | null)[] } | Failure> {
  const answer = await callGroup(env, group).kafkaCommitted(group, [{ topic, partitions }]);
  if (!answer.ok) return answer;
  const byPartition = new Map(answer.offsets.map((o) => [o.partition, o]));
  const offsets: (number | null)[] = [];
  for (const p of partitions) {
    const o = byPartition.get(p);
    if (o?.error !== null && o?.error !== undefined) return failure(ErrorCode.RETRIABLE, `COORDINATOR_NOT_AVAILABLE: the committed offset of ${topic}/${p} could not be read (${o.error})`, "COORDINATOR_NOT_AVAILABLE");
    offsets.push(o === undefined || o.offset < 0 ? null : o.offset);
  }
  return { ok: true, offsets };
}

/** Commits `offset` (the next to deliver) for `topic`'s `partition`; the group's refusal (members in it, say) as a failure. */
export async function commitOffset(env: Env, group: string, topic: string, partition: number, offset: number): Promise<Ok | Failure> {
  const answer = await callGroup(env, group).kafkaCommit(group, { memberId: "", generation: -1, offsets: [{ topic, partition, offset, metadata: null }] });
  if (!answer.ok) return answer;
  const error = answer.partitions[0]?.error ?? null;
  if (error === null) return { ok: true };
  return failure(ErrorCode.RETRIABLE, `${error}: group '${group}' did not take the offset of ${topic}/${partition}`, "COORDINATOR_NOT_AVAILABLE");
}

/** Where `start` puts a partition without a committed offset: its log start offset (earliest) or its high watermark (latest). */
export async function startOffset(env: Env, meta: TopicMeta, partition: number, start: Start): Promise<number | Failure> {
  const positions = await partitionPositions(env, meta, partition);
  if (!positions.ok) return positions;
  return start === "earliest" ? positions.logStartOffset : positions.highWatermark;
}

/**
 * Commits the start offset of every partition of `meta` without a
 * committed offset (as `start` says), so a subscription starts where it
 * was created even if delivery begins later. The first failure, if any.
 */
export async function commitStarts(env: Env, group: string, meta: TopicMeta, start: Start): Promise<Ok | Failure> {
  const partitions = Array.from({ length: meta.partitionsCount }, (_, p) => p);
  const committed = await committedOffsets(env, group, meta.topicName, partitions);
  if (!committed.ok) return committed;
  for (const p of partitions) {
    if (committed.offsets[p] !== null) continue;
    const offset = await startOffset(env, meta, p, start);
    if (isFailure(offset)) return offset;
    const done = await commitOffset(env, group, meta.topicName, p, offset);
    if (!done.ok) return done;
  }
  return { ok: true };
}

/**
 * The records request of a v2 consumer instance (`GET …/records`), run in
 * the Worker: the coordinator says where to read each owned partition
 * (and counts the request as a heartbeat); the records are read here,
 * straight from the partition leaders, with the reads WebSocket delivery
 * uses; then the coordinator moves the positions. Records go back only
 * for positions the coordinator accepted: a member that timed out or was
 * removed meanwhile gets 40403 and no records, and a partition it lost to
 * a rebalance meanwhile is not sent.
 */
import type { Env } from "../env";
import { ErrorCode, errorOf, RunnelError, unwrap, type Failure } from "../errors";
import type { RecordFormat } from "../fetch/format";
import type { UnrenderableRecord } from "../fetch/render";
import { limits } from "../limits";
import type { GroupCoordinator } from "../group/coordinator";
import type { Caller } from "../rpc/call";
import { readAt, type MemberRead } from "../fetch/partition-read";
import { tpKey, type PollOk, type PollPartition, type PositionMove } from "../group/types";

/** What the poll needs of the group's coordinator: calls to it (rpc/call.ts). */
export type CoordinatorStub = Caller<GroupCoordinator>;

interface Outcome {
  p: PollPartition;
  read: MemberRead;
}

/** What a records request asks for. */
export interface PollRequest {
  memberId: string;
  /** Who asks: every topic read needs READ for this principal. */
  principal: string;
  /** How long to wait (ms) when no owned partition has records; absent: the instance's `consumer.request.timeout.ms`, else `consumerPollMsDefault`. */
  timeoutMs?: number | undefined;
  /** About how many bytes to read, shared out among the partitions (at least one batch each). */
  maxBytes: number;
  /** Only this topic's partitions (the v1 read of one topic); absent: every owned partition. */
  topic?: string;
  /** The formats the client accepts; an instance of another format is 40601, before anything is read. */
  formats: readonly RecordFormat[];
}

/** Records polled: a JSON array (text) in the instance's `format`. */
export interface Polled {
  json: string;
  format: RecordFormat;
}

/** Polls a member; see `PollRequest`. */
export async function pollRecords(env: Env, coordinator: CoordinatorStub, req: PollRequest): Promise<Polled> {
  const { memberId, maxBytes } = req;
  const poll = unwrap(await coordinator.poll(memberId, req.principal, req.topic, [...req.formats]));
  const timeoutMs = req.timeoutMs ?? poll.requestTimeoutMs ?? limits.consumerPollMsDefault;
  const json = await pollPartitions(env, coordinator, memberId, poll, timeoutMs, maxBytes);
  return { json, format: poll.format };
}

/** Reads the partitions of `poll`, waiting up to `timeoutMs` when none has records; the JSON array of what the coordinator accepted. */
async function pollPartitions(env: Env, coordinator: CoordinatorStub, memberId: string, poll: PollOk, timeoutMs: number, maxBytes: number): Promise<string> {
  if (poll.partitions.length === 0) return "[]";
  const share = Math.max(1, Math.ceil(maxBytes / poll.partitions.length));
  const read = (p: PollPartition, waitMs: number) =>
    readAt(env, p, p, { maxBytes: share, waitMs, maxRecords: Number.MAX_SAFE_INTEGER, format: poll.format }).then((r): Outcome => ({ p, read: r }));
  // Nothing waits first; only if no partition has records, wait on the readable ones and take the first that has.
  let outcomes = await Promise.all(poll.partitions.map((p) => read(p, 0)));
  if (!outcomes.some(found)) {
    const failed = outcomes.filter((o) => o.read.kind === "failed");
    if (failed.length === outcomes.length) throw errorOf((failed[0]!.read as { failure: Failure }).failure);
    const waiting = outcomes.filter((o) => o.read.kind === "records").map((o) => read(o.p, timeoutMs));
    if (timeoutMs > 0 && waiting.length > 0) {
      const first = await firstFound(waiting);
      outcomes = first === null ? outcomes : [first];
    }
  }
  return deliver(coordinator, memberId, outcomes);
}

/** Resets what was out of range, refuses an unrenderable record, moves positions, and answers the accepted records. */
async function deliver(coordinator: CoordinatorStub, memberId: string, outcomes: Outcome[]): Promise<string> {
  const reposition = outcomes.filter((o) => o.read.kind === "reposition").map((o) => ({ topic: o.p.topic, partition: o.p.partition }));
  if (reposition.length > 0) unwrap(await coordinator.resetPositions(memberId, reposition));
  const records = outcomes.flatMap((o) => (o.read.kind === "records" ? [{ p: o.p, read: o.read }] : []));
  const stuck = records.find((o) => o.read.unrenderable !== null && o.read.rendered.count === 0);
  if (stuck !== undefined) throw unrenderable(stuck.read.unrenderable!);
  const delivered = records.filter((o) => o.read.rendered.count > 0);
  // A read of only batches the cleaner emptied moves the position on too, with nothing to answer.
  const moved = records.filter((o) => o.read.rendered.count > 0 || skipsGap(o.p.offset, o.read));
  const moves: PositionMove[] = moved.map((o) => ({ topic: o.p.topic, partition: o.p.partition, from: o.p.offset, next: o.read.rendered.nextOffset }));
  const { accepted } = unwrap(await coordinator.advance(memberId, moves));
  const keep = new Set(accepted.map(tpKey));
  return `[${delivered.filter((o) => keep.has(tpKey(o.p))).map((o) => o.read.rendered.json).join(",")}]`;
}

/** Whether a read found something to act on: records, a position to reset or move past a gap, or a record it cannot show. */
function found(o: Outcome): boolean {
  return o.read.kind === "reposition" || (o.read.kind === "records" && (o.read.rendered.count > 0 || o.read.unrenderable !== null || skipsGap(o.p.offset, o.read)));
}

/** Whether a read from `offset` found no record but batches to move past (the cleaner emptied them). */
function skipsGap(offset: number, read: { rendered: { count: number; nextOffset: number }; unrenderable: unknown }): boolean {
  return read.rendered.count === 0 && read.unrenderable === null && read.rendered.nextOffset > offset;
}

/** The first of `reads` that found something, or null when none did. */
function firstFound(reads: Promise<Outcome>[]): Promise<Outcome | null> {
  return new Promise((resolve, reject) => {
    let pending = reads.length;
    for (const r of reads) {
      r.then((o) => (found(o) ? resolve(o) : --pending === 0 && resolve(null)), reject);
    }
  });
}

/** The 42206 for a record a v2 instance's format cannot show: the format is fixed when the instance is created. */
function unrenderable(e: UnrenderableRecord): RunnelError {
  return new RunnelError(
    ErrorCode.INVALID_PAYLOAD,
    `record at offset ${e.offset} of topic '${e.topic}' partition ${e.partition} is not JSON, and this consumer instance's format (json) is fixed when it is created: ` +
      `create an instance with "format": "binary" or "string" to read it, or skip it with POST …/positions {"offsets":[{"topic":"${e.topic}","partition":${e.partition},"offset":${e.offset + 1}}]}`,
    undefined,
    null, // Kafka clients decode records themselves: Kafka has no name for this
  );
}

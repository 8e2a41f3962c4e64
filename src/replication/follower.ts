/**
 * The follower's side of a replica: the leader's first contact in its
 * epoch (handshake), dropping history that diverges from the leader's
 * (truncate), starting over at the leader's log start when too far behind
 * (resetTo), and applying the batches the leader sends (replicate). Every
 * call carries the leader's epoch; an older epoch is refused with
 * FENCED_LEADER_EPOCH, so a deposed leader can never write here.
 */
import { ErrorCode, failure, type Failure } from "../errors";
import type { ReplicaState } from "./replica-state";
import type { HandshakeOk, ReplicateArgs, ReplicateOk, ResetToArgs, TruncateOk } from "./types";

/** A leader's first contact in its epoch: follow it (adopting the epoch), and say where this log ends. */
export function handshake(r: ReplicaState, args: { leaderEpoch: number; leaderBrokerId: number }): HandshakeOk | Failure {
  const role = r.role;
  if (args.leaderEpoch < role.leaderEpoch) return fencedFailure(args.leaderEpoch, role.leaderEpoch);
  if (args.leaderEpoch > role.leaderEpoch || role.leader !== args.leaderBrokerId) {
    r.adopt({ ...role, leader: args.leaderBrokerId, leaderEpoch: args.leaderEpoch });
  }
  return { ok: true, logStartOffset: r.log.logStartOffset, logEndOffset: r.log.logEndOffset, lastBatch: r.log.reads.lastBatch(), remote: r.tiered.mark() };
}

/** Drops history from the batch holding `offset` on (the leader found it diverges). */
export function truncate(r: ReplicaState, args: { leaderEpoch: number; offset: number }): TruncateOk | Failure {
  const refused = refuseCaller(r, args.leaderEpoch);
  if (refused !== null) return refused;
  const log = r.log;
  const boundary = log.reads.batchBoundaryAtOrBelow(Math.max(args.offset, log.localLogStartOffset));
  if (boundary < log.logEndOffset) log.truncateTo(boundary);
  return { ok: true, logEndOffset: log.logEndOffset, lastBatch: log.reads.lastBatch() };
}

/** Empties this log and starts it at `offset`, the leader's local log start (the log at `logStartOffset`; what lies between is remote). */
export function resetTo(r: ReplicaState, args: ResetToArgs): { ok: true } | Failure {
  const refused = refuseCaller(r, args.leaderEpoch);
  if (refused !== null) return refused;
  r.log.resetTo(args.offset, Math.min(args.offset, args.logStartOffset ?? args.offset), args.fence ?? null);
  return { ok: true };
}

/** Applies batches the leader sent (they must start at this log's end) and follows its high watermark and log start. */
export function replicate(r: ReplicaState, args: ReplicateArgs): ReplicateOk | Failure {
  const refused = refuseCaller(r, args.leaderEpoch);
  if (refused !== null) return refused;
  const log = r.log;
  if (args.fromOffset !== log.logEndOffset) {
    return failure(ErrorCode.ILLEGAL_STATE, `replication from ${args.fromOffset}, but this log ends at ${log.logEndOffset}`, "OFFSET_OUT_OF_RANGE");
  }
  if (args.batches.length > 0) {
    const appendRefused = log.appendAsFollower(args.batches, args.keys, Date.now());
    if (appendRefused !== null) return appendRefused;
  }
  if (log.advanceHighWatermark(args.highWatermark)) r.fetchWaiters.wakeAll();
  if (args.remote !== undefined) r.tiered.apply(args.remote);
  // The leader's log start (retention, DeleteRecords) is this log's too, as far as this log is committed.
  const start = Math.min(args.logStartOffset ?? -1, log.highWatermark);
  if (start > log.logStartOffset) log.moveLogStartTo(start);
  r.schedule(Date.now());
  return { ok: true, logEndOffset: log.logEndOffset, logStartOffset: log.logStartOffset };
}

/** The refusal of a call from the leader of `leaderEpoch` (an old epoch, or one that has not shaken hands), or null. */
function refuseCaller(r: ReplicaState, leaderEpoch: number): Failure | null {
  const role = r.role;
  if (leaderEpoch < role.leaderEpoch) return fencedFailure(leaderEpoch, role.leaderEpoch);
  if (leaderEpoch > role.leaderEpoch || role.leader === r.brokerId) {
    return failure(ErrorCode.ILLEGAL_STATE, `epoch ${leaderEpoch} has not shaken hands with this replica yet`, "UNKNOWN_LEADER_EPOCH");
  }
  return null;
}

/** The refusal of a caller whose leader epoch `theirs` is older than this replica's `ours`. */
export function fencedFailure(theirs: number, ours: number): Failure {
  return failure(ErrorCode.FENCED_LEADER_EPOCH, `leader epoch ${theirs} is older than this replica's epoch ${ours}`);
}

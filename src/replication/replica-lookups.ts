/**
 * Reads a partition leader answers for Kafka's admin APIs, beside the
 * fetch path: where a leader epoch ends (OffsetForLeaderEpoch) and the
 * idempotent producers the partition remembers (DescribeProducers). Each
 * is asked of the leader only, as Kafka's brokers answer them.
 */
import { retriable, type Failure } from "../errors";
import type { ReplicaState } from "./replica-state";
import type { ActiveProducer, DescribeOk, EpochEndOk, ProducersOk, TimestampLookupOk } from "./types";

/** NOT_LEADER_OR_FOLLOWER (retriable) when this replica does not lead now. */
function notLeader(r: ReplicaState): Failure | null {
  return r.isLeader() ? null : retriable("NOT_LEADER_OR_FOLLOWER", `the replica on broker ${r.brokerId} does not lead partition ${r.partition} now; retry`);
}

/**
 * Kafka's OffsetForLeaderEpoch on this leader's log: the largest epoch at
 * or below `leaderEpoch` that wrote here, and where it ends — the first
 * offset of a later epoch, or the log end offset when none wrote after it
 * (the leader's own epoch always ends at the log end). An epoch older than
 * every batch held is answered with itself and the first later epoch's
 * start, as Kafka answers; an epoch newer than the leader's is −1/−1.
 * `currentLeaderEpoch` (−1: not checked) older than the leader's is
 * FENCED_LEADER_EPOCH, newer UNKNOWN_LEADER_EPOCH, both retriable.
 */
export function epochEnd(r: ReplicaState, currentLeaderEpoch: number, leaderEpoch: number): EpochEndOk | Failure {
  const refused = notLeader(r);
  if (refused !== null) return refused;
  const ours = r.role.leaderEpoch;
  if (currentLeaderEpoch >= 0 && currentLeaderEpoch < ours) return retriable("FENCED_LEADER_EPOCH", `leader epoch ${currentLeaderEpoch} is older than the leader's ${ours}; refresh metadata`);
  if (currentLeaderEpoch > ours) return retriable("UNKNOWN_LEADER_EPOCH", `leader epoch ${currentLeaderEpoch} is newer than the leader's ${ours}; refresh metadata`);
  if (leaderEpoch < 0 || leaderEpoch > ours) return { ok: true, leaderEpoch: -1, endOffset: -1 };
  if (leaderEpoch === ours) return { ok: true, leaderEpoch: ours, endOffset: r.log.logEndOffset };
  const floor = r.log.reads.epochAtOrBelow(leaderEpoch);
  return { ok: true, leaderEpoch: floor ?? leaderEpoch, endOffset: r.log.reads.endOffsetForEpoch(leaderEpoch) };
}

/** The idempotent producers this leader remembers (Kafka's DescribeProducers): none transactional, as transactions are not served. */
export function activeProducers(r: ReplicaState, nowMs: number): ProducersOk | Failure {
  const refused = notLeader(r);
  if (refused !== null) return refused;
  const producers: ActiveProducer[] = r.log.keys.activeProducers(nowMs);
  return { ok: true, producers };
}

/** Offsets, size, tiered storage, cleaner, role and epoch of `r`. */
export function describe(r: ReplicaState): DescribeOk {
  const { brokerId, log } = r;
  const sizes = { sizeBytes: log.sizeBytes(), segmentsCount: log.segmentsCount() };
  const { localSizeBytes, remoteSizeBytes, remoteSegments } = r.tiered.sizes();
  const tiered = { localLogStartOffset: log.localLogStartOffset, localSizeBytes, remoteSizeBytes, remoteSegments };
  const positions = { logStartOffset: log.logStartOffset, highWatermark: log.highWatermark, logEndOffset: log.logEndOffset };
  return { ok: true, ...positions, brokerId, leaderEpoch: r.role.leaderEpoch, isLeader: r.isLeader(), ...sizes, ...tiered, cleaner: r.cleaner.view(Date.now()) };
}

/** The first batch whose running max timestamp is at or after `timestampMs`: the remote log first (null there when the answer is local). */
export async function batchForTimestamp(r: ReplicaState, timestampMs: number): Promise<TimestampLookupOk | Failure> {
  const remote = await r.tiered.batchForTimestamp(timestampMs);
  const batch = remote ?? r.log.reads.batchForTimestamp(timestampMs);
  if (batch !== null && !(batch instanceof Uint8Array)) return batch;
  const { logStartOffset, highWatermark, logEndOffset } = r.log;
  return { ok: true, batch, logStartOffset, highWatermark, logEndOffset };
}

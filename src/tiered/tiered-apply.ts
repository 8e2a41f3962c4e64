/**
 * Applying tiered storage's decisions to a replica: retention (the
 * leader's of the whole log, every replica's local one), when retention
 * is next due, the copied offset the leader computes over its in-sync
 * followers, and a follower applying the leader's remote page.
 */
import { limits } from "../limits";
import type { PartitionLog } from "../log/partition-log";
import { largestTimestampMs } from "../log/retention";
import type { ReplicaState } from "../replication/replica-state";
import { dropLocalBelow } from "./local-copies";
import type { RemoteSync } from "./remote-sync";
import type { Tiered } from "./tiered";
import { asSegmentInfo, localPolicy, planLocalDrop, planRemoteRetention, wholePolicy } from "./tiered-retention";

/**
 * The offset below which local copies may go: the remote log's end, as
 * far as every in-sync follower knows its rows (the leader's own view).
 */
export function copiedOffsetOf(t: Tiered, r: ReplicaState): number {
  const log = r.log;
  let copied = t.remote.endOffset() ?? log.logStartOffset;
  for (const b of r.role.isr) if (b !== r.brokerId) copied = Math.min(copied, t.followers.knownEnd(b, log.logStartOffset));
  return copied;
}

/** The copied offset this replica goes by: its own as leader, the leader's word (within its own rows) as a follower. */
function copiedHere(t: Tiered, r: ReplicaState): number {
  return r.isLeader() ? copiedOffsetOf(t, r) : Math.min(t.leaderCopiedOffset, t.remote.endOffset() ?? 0);
}

/**
 * Retention with tiered storage at work: the leader deletes the oldest
 * remote segments past the whole log's retention (their objects become
 * owed deletes, the log start moves) and, once no remote segment is left,
 * applies it to the local log; every replica drops local copies past the
 * local limits.
 */
export function retire(t: Tiered, r: ReplicaState, nowMs: number): void {
  const log = r.log;
  if (r.isLeader()) {
    dropRemoteBelowLogStart(t, log, nowMs);
    const plan = planRemoteRetention(t.remote.segments(), log.localSegments(), wholePolicy(log.configs), log.highWatermark, nowMs);
    if (plan !== null) {
      const gone = t.remote.segments().slice(0, plan.count);
      log.storage.transactionSync(() => {
        t.remote.remove(gone);
        for (const s of gone) t.outbox.owe(s.objectKey, null, nowMs);
        dropLocalBelow(log, plan.logStartOffset, plan.logStartOffset);
      });
      log.reload(false);
      for (const s of gone) t.cache.forget(s.objectKey);
    }
    if (t.remote.segments().length === 0) log.applyRetention(nowMs);
  }
  if (!log.configs["remote.storage.enable"]) return; // with it off, local copies stay until the whole log's retention takes them
  const local = log.localSegments();
  const n = planLocalDrop(local, copiedHere(t, r), localPolicy(log.configs), nowMs);
  if (n > 0) t.dropLocal(local[n]!.baseOffset);
}

/** Remote segments wholly below the log start (moved by DeleteRecords) go: their objects become owed deletes. */
function dropRemoteBelowLogStart(t: Tiered, log: PartitionLog, nowMs: number): void {
  const gone = t.remote.below(log.logStartOffset);
  if (gone.length === 0) return;
  log.storage.transactionSync(() => {
    t.remote.remove(gone);
    for (const s of gone) t.outbox.owe(s.objectKey, null, nowMs);
  });
  for (const s of gone) t.cache.forget(s.objectKey);
}

/** When retention has work next (epoch ms), or null; a check every `limits.retentionCheckIntervalMs` while the log holds anything. */
export function retentionDueMs(t: Tiered, r: ReplicaState, nowMs: number): number | null {
  const log = r.log;
  const due: number[] = [];
  if (log.sizeBytes() > 0 || t.remote.segments().length > 0) due.push(nowMs + limits.retentionCheckIntervalMs);
  const remote = t.remote.segments();
  const whole = wholePolicy(log.configs);
  if (r.isLeader() && remote.length > 0) {
    if (t.remote.below(log.logStartOffset).length > 0) due.push(nowMs);
    if (planRemoteRetention(remote, log.localSegments(), whole, log.highWatermark, nowMs) !== null) due.push(nowMs);
    else if (whole.retentionMs >= 0) due.push(largestTimestampMs(asSegmentInfo(remote[0]!)) + whole.retentionMs + 1);
  }
  if (r.isLeader() && remote.length === 0) {
    const localDue = log.retentionDueMs(nowMs);
    if (localDue !== null) due.push(localDue);
  }
  if (log.configs["remote.storage.enable"]) {
    const local = log.localSegments();
    const copied = copiedHere(t, r);
    const policy = localPolicy(log.configs);
    if (planLocalDrop(local, copied, policy, nowMs) > 0) due.push(nowMs);
    else if (policy.retentionMs >= 0 && local.length > 1 && local[0]!.lastOffset < copied) due.push(largestTimestampMs(local[0]!) + policy.retentionMs + 1);
  }
  return due.length === 0 ? null : Math.min(...due);
}

/** A follower applies the leader's remote page (see remote-sync.ts), then follows its log start and copied offset. */
export function applySync(t: Tiered, log: PartitionLog, page: RemoteSync): void {
  const dropped: string[] = [];
  let logChanged = true; // until the transaction has held: a rolled-back one leaves memory to follow storage
  try {
    log.storage.transactionSync(() => {
      const start = Math.min(page.logStartOffset, log.highWatermark);
      const below = t.remote.below(start);
      t.remote.remove(below);
      dropped.push(...below.map((s) => s.objectKey));
      const moves = start > log.logStartOffset;
      if (moves) dropLocalBelow(log, start, start);
      if (page.full) t.remote.remove(t.remote.segments().filter((s) => s.baseOffset >= log.localLogStartOffset));
      for (const row of page.rows) dropped.push(...t.remote.insert(row.segment, row.index, row.seq).map((s) => s.objectKey));
      t.remote.setSyncedSeq(page.syncedSeq);
      logChanged = moves;
    });
  } finally {
    t.remote.reload(); // memory follows storage, whether the transaction held or rolled back
    if (logChanged) log.reload(); // only then: a reload tells work begun on the log (the cleaner's) to start over
  }
  for (const key of dropped) t.cache.forget(key);
  t.leaderCopiedOffset = page.copiedOffset;
}

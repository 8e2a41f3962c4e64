/**
 * The leader's side of replication: one link per follower, each with at
 * most one call in flight. Appends and the heartbeat alarm "kick" the
 * links; a link sends everything from the follower's log end to the
 * leader's, so concurrent appends coalesce into one call. Push, not pull:
 * an acks=all append is answered as soon as the in-sync followers have
 * its batches, with no polling interval in between, and an idle follower
 * costs nothing between heartbeats.
 *
 * A follower that cannot be reached is expected (the ISR upkeep deals
 * with it) and quiet: the link keeps what it knew and the next kick tries
 * again. Anything else going wrong in a sync is a bug: logged once per
 * link until a sync succeeds again, and the link stops until the next
 * kick, so a bug never loops hot.
 */
import { isUnreachable, type Caller } from "../rpc/call";
import { callReplica } from "../rpc/objects";
import type { Env } from "../env";
import { ErrorCode, type Failure } from "../errors";
import { limits } from "../limits";
import { readBatchHeader } from "../record/record-batch";
import { logBug } from "../rpc/boundary";
import type { PartitionLog } from "../log/partition-log";
import type { Tiered } from "../tiered/tiered";
import type { PartitionReplica } from "./partition-replica";
import type { PartitionRole } from "./types";

interface FollowerLink {
  brokerId: number;
  /** The follower's log end as last confirmed; null until the epoch's handshake is done. */
  logEndOffset: number | null;
  /** The follower's log start as last confirmed; null until known in this epoch. */
  logStartOffset: number | null;
  /** When the follower last held everything the leader had (as of the call's start). */
  lastCaughtUpMs: number;
  syncing: Promise<void> | null;
  again: boolean;
  /** The last bug logged for this link, so a repeat is not logged again; null once a sync succeeds. */
  lastBug: string | null;
}

/** What the replicator needs from the replica that leads. */
export interface LeaderHost {
  readonly env: Env;
  readonly topicId: string;
  readonly partition: number;
  readonly brokerId: number;
  readonly log: PartitionLog;
  /** Tiered storage: the remote segments followers learn with replication. */
  readonly tiered: Tiered;
  role(): PartitionRole;
  /** Passes the leader's own fault gate: a down leader reaches no one. */
  gate(): Promise<Failure | null>;
  /** Whether this replica still leads in `leaderEpoch`. */
  leads(leaderEpoch: number): boolean;
  /** A follower answered with a newer epoch: this replica no longer leads. */
  fenced(leaderEpoch: number): void;
  /** A follower moved forward: recompute the high watermark and the ISR. */
  progressed(): void;
}

export class Replicator {
  private readonly links = new Map<number, FollowerLink>();

  constructor(
    private readonly host: LeaderHost,
    private readonly leaderEpoch: number,
    nowMs: number,
  ) {
    host.tiered.lead();
    for (const brokerId of host.role().replicas) {
      if (brokerId !== host.brokerId) {
        this.links.set(brokerId, { brokerId, logEndOffset: null, logStartOffset: null, lastCaughtUpMs: nowMs, syncing: null, again: false, lastBug: null });
      }
    }
  }

  /** Starts (or queues) a sync with every follower. */
  kickAll(): void {
    for (const link of this.links.values()) void this.sync(link);
  }

  /** A follower's confirmed log end, or null when not yet known in this epoch. */
  followerEnd(brokerId: number): number | null {
    return this.links.get(brokerId)?.logEndOffset ?? null;
  }

  /** Syncs every follower now; resolves once each call (and any it queued) was answered or failed. */
  async syncAll(): Promise<void> {
    await Promise.all([...this.links.values()].map((l) => this.sync(l)));
  }

  /** Kafka's low watermark: the smallest log start of `leaderStart` and the in-sync followers' confirmed ones (unknown ones left out). */
  lowWatermark(isr: number[], leaderStart: number): number {
    const starts = isr.flatMap((b) => this.links.get(b)?.logStartOffset ?? []);
    return Math.min(leaderStart, ...starts);
  }

  /** Whether any follower has a call in flight. */
  busy(): boolean {
    return [...this.links.values()].some((l) => l.syncing !== null);
  }

  /** In-sync followers that have not been caught up within `lagMaxMs`. */
  laggards(isr: number[], nowMs: number, lagMaxMs: number): number[] {
    return isr.filter((b) => {
      const link = this.links.get(b);
      return link !== undefined && nowMs - link.lastCaughtUpMs > lagMaxMs;
    });
  }

  /**
   * Followers outside the ISR that may rejoin: they hold everything up to
   * `highWatermark` and have been caught up with the leader within
   * `lagMaxMs` — so a laggard never rejoins on a stale log end while the
   * high watermark stands still.
   */
  caughtUp(isr: number[], highWatermark: number, nowMs: number, lagMaxMs: number): number[] {
    return [...this.links.values()]
      .filter((l) => !isr.includes(l.brokerId) && l.logEndOffset !== null && l.logEndOffset >= highWatermark)
      .filter((l) => nowMs - l.lastCaughtUpMs <= lagMaxMs && this.host.tiered.synced(l.brokerId))
      .map((l) => l.brokerId);
  }

  private sync(link: FollowerLink): Promise<void> {
    if (link.syncing !== null) {
      link.again = true;
      return link.syncing;
    }
    link.syncing = this.syncLoop(link)
      .then(
        () => {
          link.lastBug = null;
        },
        (e: unknown) => this.bug(link, e),
      )
      .finally(() => {
        link.syncing = null;
      });
    return link.syncing;
  }

  private async syncLoop(link: FollowerLink): Promise<void> {
    for (;;) {
      link.again = false;
      const more = await this.syncOnce(link);
      if (!this.host.leads(this.leaderEpoch)) return;
      const behind = link.logEndOffset !== null && (link.logEndOffset < this.host.log.logEndOffset || !this.host.tiered.synced(link.brokerId));
      if (!(more && behind) && !link.again) return;
    }
  }

  /** One call to the follower (after a handshake when needed). Returns whether another call could make progress. */
  private async syncOnce(link: FollowerLink): Promise<boolean> {
    if (!this.host.leads(this.leaderEpoch) || (await this.host.gate()) !== null) return false;
    const follower = this.follower(link.brokerId);
    const log = this.host.log;
    // A follower whose next batch is gone here (retention, DeleteRecords) starts over at the leader's first batch.
    if (link.logEndOffset !== null && link.logEndOffset < log.reads.batchBoundaryAtOrBelow(log.logStartOffset)) link.logEndOffset = null;
    if (link.logEndOffset === null) {
      link.logEndOffset = await this.handshake(follower, link);
      if (link.logEndOffset === null) return false;
    }
    const from = link.logEndOffset;
    // Behind what is held locally (the local log start may be inside a batch after DeleteRecords): shake hands, start over.
    if (from < log.reads.batchBoundaryAtOrBelow(log.localLogStartOffset)) return this.restart(link);
    const sentAtMs = Date.now();
    const leaderEnd = log.logEndOffset;
    const batches = from < leaderEnd ? log.reads.readBatches(from, leaderEnd, limits.replicationBytesMax) : [];
    if (!Array.isArray(batches)) {
      console.error(JSON.stringify({ level: "error", event: "replication-stopped", ...this.context(link.brokerId), error: batches.message }));
      return false;
    }
    const last = batches[batches.length - 1];
    const end = last === undefined ? from : lastOffsetOf(last) + 1;
    const remote = this.host.tiered.page(link.brokerId);
    const args = {
      topicId: this.host.topicId, leaderEpoch: this.leaderEpoch, fromOffset: from, batches, keys: log.keys.between(from, end),
      highWatermark: log.highWatermark, logStartOffset: log.logStartOffset, remote,
    };
    const result = await follower.replicate(args);
    if (!this.host.leads(this.leaderEpoch) || isUnreachable(result)) return false; // unreachable: the next kick tries again
    if (!result.ok) {
      if (result.error_code === ErrorCode.FENCED_LEADER_EPOCH) this.host.fenced(this.leaderEpoch);
      link.logEndOffset = null; // out of step: shake hands again
      return result.error_code !== ErrorCode.FENCED_LEADER_EPOCH;
    }
    link.logEndOffset = result.logEndOffset;
    this.host.tiered.sent(link.brokerId, remote);
    link.logStartOffset = result.logStartOffset ?? null; // absent from followers before it was answered
    if (result.logEndOffset >= leaderEnd) link.lastCaughtUpMs = sentAtMs;
    this.host.progressed();
    return batches.length > 0 || (remote?.rows.length ?? 0) > 0;
  }

  /**
   * First contact in this epoch: the follower adopts the epoch and says
   * where its log ends; everything past the point where its history and
   * ours diverge is truncated. Returns the follower's log end, or null
   * when it did not agree (or could not be reached).
   */
  private async handshake(follower: Caller<PartitionReplica>, link: FollowerLink): Promise<number | null> {
    const log = this.host.log;
    const topicId = this.host.topicId;
    const leaderEpoch = this.leaderEpoch;
    const hello = await follower.handshake({ topicId, leaderEpoch, leaderBrokerId: this.host.brokerId });
    if (!hello.ok) {
      if (hello.error_code === ErrorCode.FENCED_LEADER_EPOCH) this.host.fenced(leaderEpoch);
      return null;
    }
    this.host.tiered.met(link.brokerId, hello.remote);
    link.logStartOffset = hello.logStartOffset;
    // The first batch held here: the log start may be inside it (DeleteRecords), and a follower copies whole batches;
    // below the local log start the rest is remote (KIP-405), so that is where a follower too far behind starts over.
    const first = log.reads.batchBoundaryAtOrBelow(log.logStartOffset);
    if (hello.logEndOffset < first || hello.logStartOffset > log.logEndOffset) {
      const reset = await follower.resetTo({ topicId, leaderEpoch, offset: first, logStartOffset: log.logStartOffset, fence: log.fences.before(first) });
      link.logStartOffset = reset.ok ? first : link.logStartOffset;
      return reset.ok ? first : null;
    }
    let end = hello.logEndOffset;
    let mark = hello.lastBatch;
    // Kafka's rule first: the follower's last epoch ends where our log says it does.
    let target = Math.min(end, log.logEndOffset, mark === null ? end : log.reads.endOffsetForEpoch(mark.leaderEpoch));
    for (;;) {
      if (target < end) {
        const cut = await follower.truncate({ topicId, leaderEpoch, offset: target });
        if (!cut.ok) return null;
        end = cut.logEndOffset;
        mark = cut.lastBatch;
      }
      // Then batch by batch: the last batch the follower keeps must be one we hold too (as held, or as a cleaner left it).
      if (mark === null || mark.baseOffset < log.localLogStartOffset) return end;
      if (log.reads.agreesAt(mark)) return end;
      target = mark.baseOffset;
    }
  }

  /** The follower is behind this log's local start: forget where it stands, so the next call shakes hands (and resets it). */
  private restart(link: FollowerLink): boolean {
    link.logEndOffset = null;
    return true;
  }

  /** Calls to the follower on `brokerId` (each answers, or is an unreachable failure). */
  private follower(brokerId: number): Caller<PartitionReplica> {
    const h = this.host;
    return callReplica(h.env, h.topicId, h.partition, brokerId, { where: "Replicator.sync", context: this.context(brokerId) });
  }

  /** A sync threw: a bug on the leader's side. Logged once per link until a sync succeeds again. */
  private bug(link: FollowerLink, e: unknown): void {
    const text = e instanceof Error ? e.message : String(e);
    if (link.lastBug === text) return;
    link.lastBug = text;
    logBug("Replicator.sync", e, this.context(link.brokerId));
  }

  private context(follower: number): Record<string, unknown> {
    return { topicId: this.host.topicId, partition: this.host.partition, broker: this.host.brokerId, follower, leaderEpoch: this.leaderEpoch };
  }
}

function lastOffsetOf(batch: Uint8Array): number {
  const h = readBatchHeader(batch);
  return h.baseOffset + h.lastOffsetDelta;
}

/**
 * Member changes coalesced into few rebalances, as Kafka's
 * `group.initial.rebalance.delay.ms` does. A join waits up to
 * `groupRebalanceDelayMs` for more changes (each new one restarts that
 * wait, but never past `groupRebalanceDelayMsMax` after the first). Any
 * other change (a leave, a timeout, a subscription change) runs at once
 * in a quiet group, and waits like a join when the group rebalanced less
 * than `groupRebalanceDelayMs` ago (so a mass disconnect coalesces too);
 * it takes whatever joins are waiting with it. Changes that arrive while
 * a batch runs wait the same way once it ends, then form the next batch.
 * So 500 subscribers joining (or leaving) together make a handful of
 * generations, not 500, and a lone member waits at most
 * `groupRebalanceDelayMs`.
 */
import type { Failure } from "../errors";
import { limits } from "../limits";
import { logBug } from "../rpc/boundary";
import { bugFailure } from "../rpc/call";
import type { Ok } from "./types";

/** One requested change: applied (synchronously) inside a batch; its caller hears its own outcome. */
export interface PendingChange {
  /** Applies the change, re-checking what it needs; returns a failure having changed nothing. */
  apply: () => Failure | null;
  settle: (outcome: Ok | Failure) => void;
}

/** Runs one batch: applies the changes and rebalances once; settles every change. */
export type BatchRunner = (batch: PendingChange[]) => Promise<void>;

export class ChangeBatcher {
  private pending: PendingChange[] = [];
  private running = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** When the first change of the waiting batch arrived (epoch ms), or null. */
  private firstWaitingMs: number | null = null;
  /** When the last batch ended (epoch ms). */
  private lastBatchEndMs = 0;

  constructor(
    private readonly runBatch: BatchRunner,
    /** Names the group in a bug report. */
    private readonly context: () => Record<string, unknown>,
    /** Told when a batch has ended and no change is waiting (every change so far has settled). */
    private readonly settled: () => void = () => undefined,
  ) {}

  /** Whether changes are waiting or a batch is running (the group is preparing a rebalance). */
  get busy(): boolean {
    return this.running || this.pending.length > 0;
  }

  /** Queues a change; resolves with its outcome once its batch ran. `join`: a member starts taking part (it always waits a little). */
  submit(apply: () => Failure | null, join: boolean): Promise<Ok | Failure> {
    return new Promise((settle) => {
      this.pending.push({ apply, settle });
      const nowMs = Date.now();
      this.firstWaitingMs ??= nowMs;
      if (this.running) return; // planned when the running batch ends
      const quiet = this.timer === null && nowMs - this.lastBatchEndMs >= limits.groupRebalanceDelayMs;
      if (!join && quiet) this.start();
      else this.plan(nowMs);
    });
  }

  /** Runs the waiting batch `groupRebalanceDelayMs` from now, but no later than `groupRebalanceDelayMsMax` after its first change arrived. */
  private plan(nowMs: number): void {
    const atMs = Math.min(nowMs + limits.groupRebalanceDelayMs, (this.firstWaitingMs ?? nowMs) + limits.groupRebalanceDelayMsMax);
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.start(), Math.max(0, atMs - nowMs));
  }

  /** Runs every waiting change as one batch; what arrives meanwhile is planned as the next. */
  private start(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.running || this.pending.length === 0) return;
    this.running = true;
    this.firstWaitingMs = null;
    const batch = this.pending.splice(0);
    void this.run(batch).finally(() => {
      this.running = false;
      this.lastBatchEndMs = Date.now();
      if (this.pending.length > 0) this.plan(this.lastBatchEndMs);
      else this.tellSettled();
    });
  }

  private tellSettled(): void {
    try {
      this.settled();
    } catch (e) {
      logBug("ChangeBatcher.settled", e, this.context());
    }
  }

  private async run(batch: PendingChange[]): Promise<void> {
    try {
      await this.runBatch(batch);
    } catch (e) {
      // A bug: every change of the batch hears it (settling twice is harmless: the first outcome stands).
      const bugId = logBug("ChangeBatcher.run", e, this.context());
      const answer = bugFailure("ChangeBatcher.run", bugId, e instanceof Error ? e.message : String(e));
      for (const p of batch) p.settle(answer);
    }
  }
}

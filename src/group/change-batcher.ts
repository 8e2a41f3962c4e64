/**
 * Member changes coalesced into few rebalances, as Kafka's
 * `group.initial.rebalance.delay.ms` does. A join waits up to
 * `groupJoinDelayMs` for more joins (each new one restarts that wait, but
 * never past `groupJoinDelayMsMax` after the first); any other change (a
 * leave, a timeout, a subscription change) runs at once, taking whatever
 * joins are waiting with it. Changes that arrive while a batch runs form
 * the next batch, which runs as soon as that one ends. So 500 subscribers
 * joining together make a handful of generations, not 500, and a lone
 * member waits at most `groupJoinDelayMs`.
 */
import { ErrorCode, failure, type Failure } from "../errors";
import { limits } from "../limits";
import { logBug } from "../rpc/boundary";
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
  /** When the first join of the waiting batch arrived (epoch ms), or null. */
  private firstWaitingMs: number | null = null;

  constructor(
    private readonly runBatch: BatchRunner,
    /** Names the group in a bug report. */
    private readonly context: () => Record<string, unknown>,
  ) {}

  /** Whether changes are waiting or a batch is running (the group is preparing a rebalance). */
  get busy(): boolean {
    return this.running || this.pending.length > 0;
  }

  /** Queues a change; resolves with its outcome once its batch ran. `join`: wait a little for more joins first. */
  submit(apply: () => Failure | null, join: boolean): Promise<Ok | Failure> {
    return new Promise((settle) => {
      this.pending.push({ apply, settle });
      if (this.running) return; // the next batch takes it
      if (!join) return this.start();
      const nowMs = Date.now();
      this.firstWaitingMs ??= nowMs;
      const atMs = Math.min(nowMs + limits.groupJoinDelayMs, this.firstWaitingMs + limits.groupJoinDelayMsMax);
      if (this.timer !== null) clearTimeout(this.timer);
      this.timer = setTimeout(() => this.start(), Math.max(0, atMs - nowMs));
    });
  }

  /** Runs batches until nothing waits. */
  private start(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.firstWaitingMs = null;
    if (this.running) return;
    this.running = true;
    void this.drain().finally(() => {
      this.running = false;
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      try {
        await this.runBatch(batch);
      } catch (e) {
        // A bug: every change of the batch hears it (settling twice is harmless: the first outcome stands).
        logBug("ChangeBatcher.drain", e, this.context());
        for (const p of batch) p.settle(failure(ErrorCode.INTERNAL, "internal error; the server logged it"));
      }
    }
  }
}

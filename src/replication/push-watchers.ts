/**
 * Push subscriptions (src/push) to tell when records arrive in this
 * partition: each waits at an offset, and is told once the high
 * watermark passes it. Unlike the consumer groups' watches (kept in
 * memory; a group's alarm looks again), these are stored, because an idle
 * subscription never looks by itself: a replica that restarts, or a
 * follower that becomes the leader, still knows whom to tell. A
 * subscription leaves its watch with every replica of the partition for
 * that reason; the leader forgets a watch once it has told it, a follower
 * when it leads and tells it (the subscription then reads, and watches
 * again if there is nothing yet).
 */
import { ErrorCode, isFailure } from "../errors";
import { limits } from "../limits";
import { isUnreachable, logFailedCall } from "../rpc/call";
import { callSubscription } from "../rpc/objects";
import type { ReplicaState } from "./replica-state";

/**
 * Push subscription `subscription` found nothing at `offset`: remembered
 * (by any replica), and `ready` when this replica leads and holds records
 * from `offset` on already (then it reads at once, and is not told).
 */
export function watchPush(r: ReplicaState, subscription: string, offset: number): WatchPushOk {
  const w = r.deps.pushWatchers;
  if (r.isLeader() && offset < r.log.highWatermark) {
    w.remove(subscription);
    return { ok: true, ready: true, remembered: false };
  }
  return { ok: true, ready: false, remembered: w.add(subscription, offset) };
}

/** A watch's answer: `ready` when there is something to read now; `remembered` false when too many wait here already (the subscription looks again by itself). */
export interface WatchPushOk {
  ok: true;
  ready: boolean;
  remembered: boolean;
}

/**
 * Tells (leader only) every push subscription waiting below the high
 * watermark that records arrived. A watch is forgotten once its
 * subscription heard it, or answered that it no longer exists; one that
 * could not be reached is kept, to be told at the next move.
 */
export function tellPushWatchers(r: ReplicaState): void {
  const w = r.deps.pushWatchers;
  if (w.size === 0 || !r.isLeader()) return;
  for (const [subscription, offset] of w.due(r.log.highWatermark)) {
    w.telling.add(subscription);
    void tell(r, subscription, offset).finally(() => w.telling.delete(subscription));
  }
}

async function tell(r: ReplicaState, subscription: string, offset: number): Promise<void> {
  const context = { topicId: r.topicId, partition: r.partition, broker: r.brokerId, subscription };
  const options = { where: "PartitionReplica.tellPushWatchers", context, warnUnreachable: true };
  const told = await callSubscription(r.env, subscription, options).arrived(r.topicName, r.partition);
  if (isUnreachable(told) || r.stopped) return; // kept: told at the next move (a restart's new memory tells it)
  r.deps.pushWatchers.remove(subscription, offset);
  // Gone (deleted) is expected; another refusal is worth a line (a bug's 500 was logged where it happened).
  if (isFailure(told) && told.error_code !== ErrorCode.SUBSCRIPTION_NOT_FOUND && told.error_code !== ErrorCode.INTERNAL) logFailedCall(options.where, told, context);
}

export class PushWatchers {
  /** By subscription name, the offset it waits at (a copy of the table, read at start). */
  readonly #waiting = new Map<string, number>();
  /** Subscriptions being told now: not told again until that call is answered. */
  readonly telling = new Set<string>();

  constructor(private readonly sql: SqlStorage) {
    for (const r of sql.exec<{ subscription: string; offset: number }>("SELECT subscription, offset FROM push_watchers")) this.#waiting.set(r.subscription, r.offset);
  }

  /** Whether any subscription waits here. */
  get size(): number {
    return this.#waiting.size;
  }

  /** Notes that `subscription` waits at `offset` (replacing an older watch). False when too many wait already (it looks again by itself). */
  add(subscription: string, offset: number): boolean {
    if (!this.#waiting.has(subscription) && this.#waiting.size >= limits.pushWatchersMax) return false;
    this.#waiting.set(subscription, offset);
    this.sql.exec("INSERT OR REPLACE INTO push_watchers (subscription, offset) VALUES (?, ?)", subscription, offset);
    return true;
  }

  /** Forgets `subscription`'s watch, if it still waits at `offset` (or at any offset, without one). */
  remove(subscription: string, offset?: number): void {
    if (offset !== undefined && this.#waiting.get(subscription) !== offset) return;
    this.#waiting.delete(subscription);
    this.sql.exec("DELETE FROM push_watchers WHERE subscription = ?", subscription);
  }

  /** The subscriptions waiting below `highWatermark` and not being told already, with their offsets. */
  due(highWatermark: number): [string, number][] {
    return [...this.#waiting].filter(([name, offset]) => offset < highWatermark && !this.telling.has(name));
  }
}

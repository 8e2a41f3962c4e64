/**
 * One partition of a subscription: its delivery, one batch at a time in
 * offset order (API.md). Each step reads the batch at the position (the
 * group's committed offset), pushes it, and on success commits the offset
 * past it and goes on. A failure waits (retry_backoff_ms, doubling, with
 * jitter) and is tried again; after 1 + max_retries attempts the batch
 * goes to the dead-letter topic and delivery goes on — or, without one,
 * the partition stalls with its error until the subscription is resumed.
 *
 * Nothing polls: with nothing to read, the partition leaves a watch with
 * every replica of the partition and sleeps until told; waits (a partial
 * batch's max_wait_ms, a delay, a retry) are the object's alarm. While a
 * batch is out, the alarm is kept set too, so that a restart mid-delivery
 * picks up again from the committed offset (at least once).
 */
import type { Env } from "../env";
import { type Failure, isFailure } from "../errors";
import { topicOf } from "../group/lookups";
import { readDenied, topicReadability } from "../group/topic-access";
import { limits } from "../limits";
import { callLeader } from "../metadata/leaders";
import type { WatchPushOk } from "../replication/push-watchers";
import { logBug } from "../rpc/boundary";
import { settle } from "../rpc/call";
import { callReplica } from "../rpc/objects";
import type { TopicMeta } from "../topic/types";
import { retryWaitMs } from "./backoff";
import { type DeadLetters, sendDeadLetters } from "./dead-letters";
import { deliverBatch } from "./deliver";
import { commitOffset, committedOffsets, startOffset } from "./group-offsets";
import { type Batch, readBatch } from "./read-batch";
import { IDLE, type RetryState, type Stored, type SubscriptionStore } from "./store";

/** What a partition's delivery needs of its subscription object. */
export interface DeliveryHost {
  readonly env: Env;
  readonly store: SubscriptionStore;
  /** The subscription while delivery of incarnation `epoch` may go on (it exists, was not deleted and created again); else null. */
  current(epoch: number): Stored | null;
  /** Makes the object's alarm go off at `atMs` or sooner. */
  wakeAt(atMs: number): void;
}

/** A failure as a subscription's last error shows it: its code, then its message. */
export function errorText(f: Failure): string {
  return `error ${f.error_code}: ${f.message}`;
}

export class PartitionDelivery {
  /** The next offset to deliver; null until read from the group. */
  position: number | null = null;
  /** When the loop should look again by itself (a wait on the alarm), or null. */
  wakeAtMs: number | null = null;
  #topicId: string | null = null;
  /** The position is not committed yet (its commit failed): committed before anything more is pushed. */
  #commitOwed = false;
  /** When records were first seen at the position (max_wait_ms and delivery_delay_ms count from then at the latest). */
  #seenAtMs: number | null = null;
  #failedReads = 0;
  #running = false;
  #again = false;
  #reload = false;

  constructor(
    readonly topic: string,
    readonly partition: number,
    private readonly epoch: number,
    private readonly host: DeliveryHost,
  ) {}

  /** Reads the position from the group again at the next step (after a resume: the group's offsets may have been reset meanwhile). */
  reposition(): void {
    this.#reload = true;
  }

  /** Runs the delivery now (once more after the current step, if it is running). */
  kick(): void {
    this.wakeAtMs = null;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    void this.#run()
      .catch((e) => logBug("PushSubscription.deliver", e, { topic: this.topic, partition: this.partition }))
      .finally(() => {
        this.#running = false;
      });
  }

  async #run(): Promise<void> {
    do {
      this.#again = false;
      while (await this.#step()) {}
    } while (this.#again && this.host.current(this.epoch) !== null);
  }

  /** One step; true to take the next one at once, false to sleep (until told, or woken by the alarm). */
  async #step(): Promise<boolean> {
    const s = this.host.current(this.epoch);
    if (s === null || s.paused) return false;
    if (this.#reload && !this.#commitOwed) [this.position, this.#reload] = [null, false];
    const retry = this.host.store.retry(this.topic, this.partition);
    if (retry.stalled) return false;
    const nowMs = Date.now();
    if (retry.retryAtMs !== null && retry.retryAtMs > nowMs) return this.#sleepUntil(retry.retryAtMs);
    if (!(await topicReadability(this.host.env))(s.principal, this.topic)) {
      return this.#stall(retry, errorText(readDenied(this.host.env, s.principal, this.topic, "subscription.deliver")));
    }
    const meta = await topicOf(this.host.env, this.topic);
    if (isFailure(meta)) return this.#readFailed(s, meta);
    if (meta.topicId !== this.#topicId) [this.position, this.#topicId] = [null, meta.topicId]; // created again: positions start afresh
    const position = await this.#positioned(meta);
    if (isFailure(position)) return this.#readFailed(s, position);
    const read = await readBatch(this.host.env, meta, this.partition, position, s.config, this.#seenAtMs ?? nowMs);
    if (read.kind === "failed") return this.#readFailed(s, read.failure);
    if (read.kind === "out-of-range") return this.#reposition(s, meta, position);
    this.#failedReads = 0;
    if (read.kind === "empty") {
      this.#seenAtMs = null;
      return this.#watch(s, meta, position);
    }
    this.#seenAtMs ??= nowMs;
    if (read.kind === "delayed") return this.#sleepUntil(read.untilMs);
    if (read.kind === "poison") return this.#failed(s, retry, { from: read.offset, next: read.offset + 1, stored: read.stored }, read.message, true);
    if (read.partial && this.#seenAtMs + s.config.maxWaitMs > nowMs) {
      this.#sleepUntil(this.#seenAtMs + s.config.maxWaitMs);
      return this.#watch(s, meta, read.batch.next); // more records may fill the batch sooner: they wake it
    }
    if (retry.attempts > s.config.maxRetries && retry.batchOffset === position && retry.batchNext !== null) {
      // Its target refused it for good already; only the dead letters failed: send those again, as they were.
      return this.#deadLetter(s, retry, { from: position, next: retry.batchNext, stored: read.batch.stored }, retry.error ?? "");
    }
    return this.#deliver(s, retry, read.batch);
  }

  /** Pushes `batch` to the target; its outcome decides what comes next. */
  async #deliver(s: Stored, retry: RetryState, batch: Batch): Promise<boolean> {
    const attempts = retry.batchOffset === batch.from ? retry.attempts : 0;
    if (attempts > 0) this.host.store.count({ retries: 1 });
    this.host.wakeAt(Date.now() + limits.pushRestartLookMs); // should the object restart mid-delivery, its alarm picks up again
    const error = await deliverBatch(this.host.env, s, this.topic, this.partition, batch);
    if (this.host.current(this.epoch) === null) return false; // deleted meanwhile
    if (error !== null) return this.#failed(s, { ...retry, attempts }, batch, error, false);
    this.host.store.delivered(batch.count, Date.now() - batch.firstTimestampMs);
    return this.#advance(s, batch.next);
  }

  /** A failed attempt at [from, next): retried later, or sent to the dead letters (at once when `poison`), or the partition stalls. */
  async #failed(s: Stored, retry: RetryState, d: Omit<DeadLetters, "topic" | "partition" | "error">, error: string, poison: boolean): Promise<boolean> {
    const attempts = (retry.batchOffset === d.from ? retry.attempts : 0) + 1;
    const nowMs = Date.now();
    this.host.store.count({ failures: 1 });
    this.host.store.setLastError({ message: error, topic: this.topic, partition: this.partition, offset: d.from, atMs: nowMs });
    const state = { attempts, batchOffset: d.from, batchNext: d.next, error, stalled: false };
    if (!poison && attempts <= s.config.maxRetries) {
      const retryAtMs = nowMs + retryWaitMs(attempts, s.config.retryBackoffMs);
      this.host.store.setRetry(this.topic, this.partition, { ...state, retryAtMs });
      return this.#sleepUntil(retryAtMs);
    }
    const given = { ...state, attempts: Math.max(attempts, s.config.maxRetries + 1), retryAtMs: null };
    if (s.config.deadLetterTopic === null) return this.#stall(given, error);
    return this.#deadLetter(s, given, d, error);
  }

  /** Sends [from, next) to the dead-letter topic, then goes on past it; if that fails, tries again after a wait. */
  async #deadLetter(s: Stored, retry: RetryState, d: Omit<DeadLetters, "topic" | "partition" | "error">, error: string): Promise<boolean> {
    const sent = await sendDeadLetters(this.host.env, s.principal, s.config.deadLetterTopic!, { ...d, topic: this.topic, partition: this.partition, error });
    if (this.host.current(this.epoch) === null) return false;
    if (!sent.ok) {
      const nowMs = Date.now();
      const message = `the dead-letter topic '${s.config.deadLetterTopic}' did not take records [${d.from}, ${d.next}): ${errorText(sent)}`;
      this.host.store.setLastError({ message, topic: this.topic, partition: this.partition, offset: d.from, atMs: nowMs });
      const retryAtMs = nowMs + retryWaitMs(retry.attempts, s.config.retryBackoffMs);
      this.host.store.setRetry(this.topic, this.partition, { ...retry, batchOffset: d.from, batchNext: d.next, error, retryAtMs, stalled: false });
      return this.#sleepUntil(retryAtMs);
    }
    this.host.store.count({ dead_letters: sent.records });
    return this.#advance(s, d.next);
  }

  /** The batch before `next` is done with: the partition moves past it and commits that (if the commit fails, before anything more is pushed). */
  async #advance(s: Stored, next: number): Promise<boolean> {
    this.host.store.setRetry(this.topic, this.partition, IDLE);
    this.position = next;
    this.#seenAtMs = null;
    this.#commitOwed = true;
    const done = await commitOffset(this.host.env, s.config.name, this.topic, this.partition, next);
    if (!done.ok) return this.#readFailed(s, done);
    if (this.position === next) this.#commitOwed = false;
    return true;
  }

  /** The position: as known, else the group's committed offset, else (a partition new since the subscription was made) its log start. */
  async #positioned(meta: TopicMeta): Promise<number | Failure> {
    const s = this.host.current(this.epoch)!;
    if (this.position !== null) {
      const owed = this.#commitOwed ? await commitOffset(this.host.env, s.config.name, this.topic, this.partition, this.position) : { ok: true as const };
      if (!owed.ok) return owed;
      this.#commitOwed = false;
      return this.position;
    }
    const committed = await committedOffsets(this.host.env, s.config.name, this.topic, [this.partition]);
    if (!committed.ok) return committed;
    let offset = committed.offsets[0] ?? null;
    if (offset === null) {
      const start = await startOffset(this.host.env, meta, this.partition, "earliest");
      if (isFailure(start)) return start;
      const done = await commitOffset(this.host.env, s.config.name, this.topic, this.partition, start);
      if (!done.ok) return done;
      offset = start;
    }
    this.position = offset;
    return offset;
  }

  /** The position fell outside the log: to the log start when below it (records lost to retention), else to the high watermark. */
  async #reposition(s: Stored, meta: TopicMeta, position: number): Promise<boolean> {
    const start = await startOffset(this.host.env, meta, this.partition, "earliest");
    const end = isFailure(start) ? start : await startOffset(this.host.env, meta, this.partition, "latest");
    if (isFailure(start) || isFailure(end)) return this.#readFailed(s, isFailure(start) ? start : (end as Failure));
    const moved = position < start ? start : end;
    const message = `offset ${position} was outside the log [${start}, ${end}]; delivery moved to offset ${moved}`;
    this.host.store.setLastError({ message, topic: this.topic, partition: this.partition, offset: position, atMs: Date.now() });
    return this.#advance(s, moved);
  }

  /** Caught up: leave a watch with every replica; go on at once if records arrived meanwhile. */
  async #watch(s: Stored, meta: TopicMeta, position: number): Promise<boolean> {
    const name = s.config.name;
    const role = meta.partitions[this.partition]!;
    const followers = role.replicas.filter((b) => b !== role.leader).map((b) => callReplica(this.host.env, meta.topicId, this.partition, b).watchPush(meta.topicId, name, position));
    const leader = settle("PushSubscription.watch", () => callLeader<WatchPushOk>(this.host.env, meta, this.partition, (l) => l.replica.watchPush(meta.topicId, name, position)));
    const [w] = await Promise.all([leader, ...followers]); // a follower that did not answer cannot lead before it catches up anyway
    if (!w.ok) return this.#readFailed(s, w);
    if (w.ready) return true;
    return w.remembered ? false : this.#sleepUntil(Date.now() + limits.pushUnwatchedLookMs);
  }

  /** The partition could not be read (or committed): its error noted, it looks again after a wait. */
  #readFailed(s: Stored, f: Failure): false {
    this.#failedReads++;
    const nowMs = Date.now();
    this.host.store.setLastError({ message: errorText(f), topic: this.topic, partition: this.partition, offset: this.position, atMs: nowMs });
    return this.#sleepUntil(nowMs + retryWaitMs(this.#failedReads, s.config.retryBackoffMs));
  }

  #stall(retry: RetryState, error: string): boolean {
    this.host.store.setRetry(this.topic, this.partition, { ...retry, error, retryAtMs: null, stalled: true });
    this.host.store.setLastError({ message: error, topic: this.topic, partition: this.partition, offset: retry.batchOffset ?? this.position, atMs: Date.now() });
    return false;
  }

  #sleepUntil(atMs: number): false {
    this.wakeAtMs = atMs;
    this.host.wakeAt(atMs);
    return false;
  }
}

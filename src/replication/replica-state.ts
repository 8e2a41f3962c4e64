/**
 * A replica's memory while it holds a partition, rebuilt from storage on
 * every start: its log, its role (who leads, in which epoch, which
 * replicas are in sync), the reads parked at the high watermark, its
 * leader side and its alarm. The Durable Object makes a new one on each
 * start and stops the old one, so work begun before a restart or a wipe
 * sees `stopped` and ends instead of acting on stale memory.
 *
 * Invariant: the role's leader epoch only grows (asserted in `adopt`).
 */
import { Cleaner } from "../cleaner/cleaner";
import type { Env } from "../env";
import type { AlarmClock } from "../rpc/alarm-clock";
import { assert, type Failure } from "../errors";
import { limits } from "../limits";
import type { ConfigOverrides } from "../topic/configs";
import { LeaderSide } from "./leader";
import { PartitionCounters } from "./metrics";
import type { PushWatchers } from "./push-watchers";
import { Tiered } from "../tiered/tiered";
import type { PartitionLog } from "../log/partition-log";
import type { PartitionRole } from "./types";
import { Waiters } from "./waiters";

/** What the Durable Object lends its replica state. */
export interface ReplicaDeps {
  env: Env;
  /** The object's alarm, shared with everything else it schedules. */
  alarms: AlarmClock;
  /** Passes the gate of broker `brokerId`: null, or the failure to answer with (see replica-gate.ts). */
  gate: (brokerId: number) => Promise<Failure | null>;
  /** Consumer groups to tell when the high watermark moves; kept across restarts of memory. */
  watchers: Set<string>;
  /** Push subscriptions to tell when the high watermark moves; stored. */
  pushWatchers: PushWatchers;
}

export class ReplicaState {
  private current: PartitionRole;
  private isStopped = false;
  /** Fetches parked at the high watermark. */
  readonly fetchWaiters = new Waiters(limits.fetchWaitersMax);
  readonly leader: LeaderSide;
  /** Records and bytes in and out, for GET /metrics. */
  readonly counters: PartitionCounters;
  /** Tiered storage: closed segments in the bucket, reads below the local log start (src/tiered/). */
  readonly tiered: Tiered;
  /** The log cleaner (compacted topics), run from the alarm in bounded steps. */
  readonly cleaner: Cleaner;
  private heartbeatAtMs = 0;

  constructor(
    readonly log: PartitionLog,
    readonly deps: ReplicaDeps,
  ) {
    this.current = JSON.parse(log.meta.get("role")!) as PartitionRole;
    if (this.current.replicas.length > 1) log.hwCheckpointIntervalMs = 0;
    this.counters = new PartitionCounters(log);
    this.tiered = new Tiered(this);
    const context = () => ({ topic: this.topicName, partition: this.partition, broker: this.brokerId });
    this.cleaner = new Cleaner(log, () => this.tiered.cleanerStores(log.closedSegments), (stats) => this.counters.cleaned(stats), () => this.counters.cleanerRemoteFailed(), context);
    this.leader = new LeaderSide(this, deps.watchers);
    if (this.isLeader()) this.leader.lead(Date.now());
  }

  get env(): Env {
    return this.deps.env;
  }

  get topicId(): string {
    return this.log.meta.get("topic_id")!;
  }

  get topicName(): string {
    return this.log.meta.get("topic_name")!;
  }

  get partition(): number {
    return Number(this.log.meta.get("partition"));
  }

  get brokerId(): number {
    return Number(this.log.meta.get("broker_id"));
  }

  /** Who leads, in which epoch, and the ISR, as this replica last heard. */
  get role(): PartitionRole {
    return this.current;
  }

  /** True once this memory was replaced (restart) or dropped (wipe). */
  get stopped(): boolean {
    return this.isStopped;
  }

  /** Whether this replica leads (in its current epoch), and is still live memory. */
  isLeader(): boolean {
    return !this.isStopped && this.current.leader === this.brokerId;
  }

  /** Whether this replica leads in `leaderEpoch` now. */
  leads(leaderEpoch: number): boolean {
    return this.isLeader() && this.current.leaderEpoch === leaderEpoch;
  }

  /**
   * Takes a role of the same or a newer epoch and leads or follows
   * accordingly. Callers refuse an older epoch with FENCED_LEADER_EPOCH
   * first; here it is an invariant.
   */
  adopt(role: PartitionRole): void {
    assert(role.leaderEpoch >= this.current.leaderEpoch, `leader epoch only grows: ${this.current.leaderEpoch} -> ${role.leaderEpoch}`);
    const newEpoch = role.leaderEpoch !== this.current.leaderEpoch;
    this.current = role;
    this.log.setMeta("role", JSON.stringify(role));
    this.leader.roleChanged(newEpoch);
  }

  /** Ends this memory (a restart or a wipe replaces it): parked reads wake, acks=all waits end, leading stops. */
  stop(): void {
    this.isStopped = true;
    this.counters.stop();
    this.cleaner.stop();
    this.fetchWaiters.wakeAll();
    this.leader.stop();
  }

  /** Replaces the topic's config overrides; retention and heartbeats follow them from now. */
  setConfigs(configs: ConfigOverrides): void {
    this.log.setConfigs(configs);
    this.schedule(Date.now());
  }

  /**
   * The alarm's work: heartbeat and ISR upkeep (leader; while the cleaner
   * comes back at once, at most once per heartbeat interval), retention,
   * key expiry and a step of the cleaner (all), then the next alarm.
   */
  async tick(nowMs: number): Promise<void> {
    if (this.isLeader() && !(this.cleaner.cleaning && nowMs - this.heartbeatAtMs < this.heartbeatIntervalMs())) {
      this.heartbeatAtMs = nowMs;
      this.leader.heartbeat(nowMs);
    }
    this.tiered.tick(nowMs); // retention, local or tiered, and the bucket's work
    this.log.keys.expire(nowMs);
    this.cleaner.tick(nowMs, () => this.schedule(Date.now())); // off the alarm: a step may wait on the bucket
    this.schedule(nowMs);
  }

  private heartbeatIntervalMs(): number {
    return Math.min(limits.replicationHeartbeatMsMax, Math.max(50, this.log.configs["replica.lag.time.max.ms"] / 4));
  }

  /** Sets the alarm for the next heartbeat, retention run, key expiry or cleaner step, whichever is first. */
  schedule(nowMs: number): void {
    if (this.isStopped) return;
    const due: number[] = [];
    const retention = this.tiered.dueMs(nowMs);
    if (retention !== null) due.push(retention);
    const keys = this.log.keys.nextExpiryMs();
    if (keys !== null) due.push(keys);
    const cleaning = this.cleaner.dueMs(nowMs);
    if (cleaning !== null) due.push(cleaning);
    if (this.isLeader() && this.current.replicas.length > 1) due.push(nowMs + this.heartbeatIntervalMs());
    if (due.length === 0) return;
    // Sooner only: one due later than pending just runs early and schedules again, while
    // moving an alarm later as it is being dispatched makes workerd cancel that run.
    void this.deps.alarms.atOrBefore(Math.max(nowMs, Math.min(...due))); // never rejects: a refused write is retried
  }
}

/**
 * One replica of one topic partition, named `{topic id}/{partition}/{broker}`.
 * It keeps its log (`PartitionLog`) and plays the role the controller gave
 * it: the leader takes appends, replicates them to its followers
 * (`Replicator`) and moves the high watermark to the smallest log end in
 * the ISR; a follower applies what its leader sends, after truncating any
 * history that diverges. Appends and replication carry the leader epoch,
 * and an older epoch is refused, so a deposed leader can never extend the
 * log. Expected failures are returned as results; RPC drops error fields.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { ErrorCode, failure, type Failure } from "../errors";
import { BrokerUnreachable, faultsAllowed, faultsStub } from "../faults/faults";
import { limits } from "../limits";
import { controllerStub } from "../metadata/controller-stub";
import { applySchema } from "../storage/schema";
import type { ConfigOverrides } from "../topic/configs";
import { PartitionLog } from "./partition-log";
import { Replicator } from "./replicator";
import { PARTITION_SCHEMA } from "./schema";
import type {
  AppendArgs, AppendOk, DescribeOk, KeyCheckOk, FetchArgs, FetchOk, HandshakeOk, InitArgs, PartitionRole, PingOk, ReplicateArgs,
  ReplicateOk, TimestampLookupOk, TruncateOk,
} from "./types";
import { Waiters } from "./waiters";

export class PartitionReplica extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private log: PartitionLog | null = null;
  private currentRole: PartitionRole | null = null;
  private replicator: Replicator | null = null;
  /** Fetches parked at the high watermark. */
  private readonly fetchWaiters = new Waiters(limits.fetchWaitersMax);
  /** acks=all appends waiting for the ISR; woken on any change of high watermark, ISR or role. */
  private readonly ackWaiters = new Waiters(limits.produceWaitersMax);
  private alarmAtMs: number | null = null;
  private restartGeneration = 0;
  /** Consumer groups waiting for this partition's high watermark to move (WebSocket deliveries with nothing to read). */
  private readonly watchers = new Set<string>();
  private isrChangeInFlight = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    applySchema(this.sql, PARTITION_SCHEMA);
    this.start();
  }

  /** (Re)builds memory from storage: what a restart does. */
  private start(): void {
    this.log = PartitionLog.open(this.sql, this.ctx.storage);
    this.currentRole = this.log === null ? null : (JSON.parse(this.log.meta.get("role")!) as PartitionRole);
    if (this.log !== null && this.currentRole!.replicas.length > 1) this.log.hwCheckpointIntervalMs = 0;
    this.replicator = null;
    this.alarmAtMs = null;
    this.fetchWaiters.wakeAll();
    this.ackWaiters.wakeAll();
    if (this.isLeader()) this.lead(Date.now());
  }

  get topicId(): string {
    return this.log?.meta.get("topic_id") ?? "";
  }

  get partition(): number {
    return Number(this.log?.meta.get("partition") ?? -1);
  }

  get brokerId(): number {
    return Number(this.log?.meta.get("broker_id") ?? -1);
  }

  /** Makes this object the replica of a new partition. Idempotent for the same topic id. */
  async init(args: InitArgs): Promise<{ ok: true } | Failure> {
    await this.gate(args.brokerId);
    if (this.log !== null) {
      if (this.topicId === args.topicId) return { ok: true };
      return failure(ErrorCode.ILLEGAL_STATE, `replica already belongs to topic id ${this.topicId}`);
    }
    applySchema(this.sql, PARTITION_SCHEMA);
    PartitionLog.create(this.sql, this.ctx.storage, {
      topic_id: args.topicId,
      topic_name: args.topicName,
      partition: String(args.partition),
      broker_id: String(args.brokerId),
      configs: JSON.stringify(args.configs),
      role: JSON.stringify(args.role),
    });
    this.start();
    return { ok: true };
  }

  /** Replaces the topic's config overrides (validated by the controller). */
  async setConfigs(topicId: string, configs: ConfigOverrides): Promise<{ ok: true } | Failure> {
    const log = await this.open(topicId);
    if (!(log instanceof PartitionLog)) return log;
    log.setConfigs(configs);
    this.alarmAtMs = null;
    this.schedule(Date.now());
    return { ok: true };
  }

  /** Appends whole batches atomically at the log end (leader only), answering per `acks`. */
  async append(args: AppendArgs): Promise<AppendOk | Failure> {
    const log = await this.open(args.topicId);
    if (!(log instanceof PartitionLog)) return log;
    const role = this.role();
    if (!this.leads(args.leaderEpoch)) {
      return failure(ErrorCode.RETRIABLE, `broker ${this.brokerId} is not the leader of epoch ${args.leaderEpoch} (it knows epoch ${role.leaderEpoch}); refresh metadata and retry`);
    }
    const minInsync = log.configs["min.insync.replicas"];
    if (args.acks === -1 && role.isr.length < minInsync) {
      return failure(ErrorCode.RETRIABLE, `NOT_ENOUGH_REPLICAS: ${role.isr.length} in-sync replicas, min.insync.replicas is ${minInsync}`);
    }
    const nowMs = Date.now();
    const known = args.producer === undefined ? null : log.keys.find(args.producer.key, nowMs);
    if (known !== null) {
      if (known.fingerprint !== args.producer!.fingerprint) {
        return failure(ErrorCode.INVALID_PAYLOAD, "Idempotency-Key was already used with other records");
      }
      const lastOffset = known.baseOffset + known.recordCount - 1;
      return this.acknowledge(args, log, { baseOffset: known.baseOffset, lastOffset, logAppendTimeMs: -1, duplicate: true, requestTimeMs: known.requestTimeMs });
    }
    const refused = log.refuseBatches(args.batches);
    if (refused !== null) return refused;
    const key = args.producer === undefined ? null : { ...args.producer, expiresAtMs: nowMs + limits.idempotencyKeyMs };
    const { baseOffset, logAppendTimeMs } = log.appendAsLeader(args.batches, role.leaderEpoch, nowMs, key);
    this.advanceHighWatermark();
    this.replicator?.kickAll();
    this.schedule(nowMs);
    return this.acknowledge(args, log, {
      baseOffset,
      lastOffset: log.logEndOffset - 1,
      logAppendTimeMs,
      duplicate: false,
      requestTimeMs: args.producer?.requestTimeMs ?? -1,
    });
  }

  /** Answers an append once `acks` is satisfied: at once for 0 and 1, when the ISR has it for all. */
  private async acknowledge(
    args: AppendArgs,
    log: PartitionLog,
    done: Omit<AppendOk, "ok" | "highWatermark">,
  ): Promise<AppendOk | Failure> {
    const end = done.lastOffset + 1;
    const deadlineMs = Date.now() + limits.produceAckWaitMsMax;
    while (args.acks === -1 && log.highWatermark < end) {
      if (!this.leads(args.leaderEpoch)) return failure(ErrorCode.RETRIABLE, "leadership moved before the in-sync replicas had the records; retry");
      const minInsync = log.configs["min.insync.replicas"];
      if (this.role().isr.length < minInsync) {
        return failure(ErrorCode.RETRIABLE, `NOT_ENOUGH_REPLICAS_AFTER_APPEND: the ISR shrank below min.insync.replicas (${minInsync}); the records stay invisible until enough replicas hold them`);
      }
      const leftMs = deadlineMs - Date.now();
      if (leftMs <= 0) return failure(ErrorCode.RETRIABLE, "REQUEST_TIMED_OUT waiting for the in-sync replicas; retry");
      const parked = this.ackWaiters.wait(leftMs);
      await (parked === false ? sleep(10) : parked);
      if (this.log !== log) return failure(ErrorCode.RETRIABLE, "the replica restarted; retry");
    }
    return { ok: true, ...done, highWatermark: log.highWatermark };
  }

  /** Whether this partition saw `key` (leader only): not at all, with `fingerprint`, or with another request. */
  async producerKeyState(topicId: string, key: string, fingerprint: string): Promise<KeyCheckOk | Failure> {
    const log = await this.open(topicId);
    if (!(log instanceof PartitionLog)) return log;
    if (!this.isLeader()) return failure(ErrorCode.RETRIABLE, `broker ${this.brokerId} is not the leader; refresh metadata and retry`);
    const known = log.keys.find(key, Date.now());
    return { ok: true, state: known === null ? "absent" : known.fingerprint === fingerprint ? "same" : "other" };
  }

  /** Whole batches from `offset` up to the high watermark, waiting at the high watermark. */
  async read(args: FetchArgs): Promise<FetchOk | Failure> {
    let log = await this.open(args.topicId);
    if (!(log instanceof PartitionLog)) return log;
    const outOfRange = offsetOutOfRange(log, args.offset);
    if (outOfRange !== null) return outOfRange;
    if (args.offset === log.highWatermark && args.timeoutMs > 0) {
      const parked = this.fetchWaiters.wait(Math.min(args.timeoutMs, limits.fetchWaitMsMax));
      if (parked !== false) await parked;
      log = this.opened(args.topicId);
      if (!(log instanceof PartitionLog)) return log;
      const moved = offsetOutOfRange(log, args.offset);
      if (moved !== null) return moved;
    }
    const batches = log.readBatches(args.offset, log.highWatermark, Math.min(args.maxBytes, limits.fetchBytesMax));
    if (!Array.isArray(batches)) return batches;
    return { ok: true, batches, ...positions(log) };
  }

  /**
   * A consumer group's delivery found nothing to read at `offset`: it is
   * told (once) when the high watermark moves past it, instead of keeping
   * a read open. Answers ready at once when there is already something.
   */
  async watch(topicId: string, groupId: string, offset: number): Promise<{ ok: true; ready: boolean } | Failure> {
    const log = await this.open(topicId);
    if (!(log instanceof PartitionLog)) return log;
    if (offset < log.highWatermark || !this.isLeader()) return { ok: true, ready: true };
    if (this.watchers.size >= limits.partitionWatchersMax) return { ok: true, ready: false }; // the group's alarm looks again
    this.watchers.add(groupId);
    return { ok: true, ready: false };
  }

  private notifyWatchers(): void {
    if (this.watchers.size === 0) return;
    const topic = this.log!.meta.get("topic_name")!;
    for (const groupId of this.watchers) {
      const stub = this.env.GROUPS.get(this.env.GROUPS.idFromName(groupId));
      void Promise.resolve(stub.notify(topic, this.partition)).catch(() => undefined);
    }
    this.watchers.clear();
  }

  /** The first batch whose running max timestamp is at or after `timestampMs`. */
  async batchForTimestamp(topicId: string, timestampMs: number): Promise<TimestampLookupOk | Failure> {
    const log = await this.open(topicId);
    if (!(log instanceof PartitionLog)) return log;
    const batch = log.batchForTimestamp(timestampMs);
    if (batch !== null && !(batch instanceof Uint8Array)) return batch;
    return { ok: true, batch, ...positions(log) };
  }

  /** Offsets, size, role and epoch of this replica. */
  async describe(topicId: string): Promise<DescribeOk | Failure> {
    const log = await this.open(topicId);
    if (!(log instanceof PartitionLog)) return log;
    return {
      ok: true,
      ...positions(log),
      brokerId: this.brokerId,
      leaderEpoch: this.role().leaderEpoch,
      isLeader: this.isLeader(),
      sizeBytes: log.sizeBytes(),
      segmentsCount: log.segmentsCount(),
    };
  }

  /** Answers if this replica's broker is up (the controller's probe before an election). */
  async ping(topicId: string): Promise<PingOk | Failure> {
    const log = await this.open(topicId);
    if (!(log instanceof PartitionLog)) return log;
    return { ok: true, brokerId: this.brokerId, leaderEpoch: this.role().leaderEpoch, logEndOffset: log.logEndOffset };
  }

  /** The controller's word: take this role (same or newer epoch) — lead it or follow its leader. */
  async assumeRole(topicId: string, role: PartitionRole): Promise<{ ok: true } | Failure> {
    const log = await this.open(topicId);
    if (!(log instanceof PartitionLog)) return log;
    if (role.leaderEpoch < this.role().leaderEpoch) return fencedFailure(role.leaderEpoch, this.role().leaderEpoch);
    this.adopt(role);
    return { ok: true };
  }

  /** A leader's first contact in its epoch: follow it, and say where this log ends. */
  async handshake(args: { topicId: string; leaderEpoch: number; leaderBrokerId: number }): Promise<HandshakeOk | Failure> {
    const log = await this.open(args.topicId);
    if (!(log instanceof PartitionLog)) return log;
    const role = this.role();
    if (args.leaderEpoch < role.leaderEpoch) return fencedFailure(args.leaderEpoch, role.leaderEpoch);
    if (args.leaderEpoch > role.leaderEpoch || role.leader !== args.leaderBrokerId) {
      this.adopt({ ...role, leader: args.leaderBrokerId, leaderEpoch: args.leaderEpoch });
    }
    return { ok: true, logStartOffset: log.logStartOffset, logEndOffset: log.logEndOffset, lastBatch: log.lastBatch() };
  }

  /** Drops history from the batch holding `offset` on (the leader found it diverges). */
  async truncate(args: { topicId: string; leaderEpoch: number; offset: number }): Promise<TruncateOk | Failure> {
    const log = await this.followerLog(args.topicId, args.leaderEpoch);
    if (!(log instanceof PartitionLog)) return log;
    const boundary = log.batchBoundaryAtOrBelow(Math.max(args.offset, log.logStartOffset));
    if (boundary < log.logEndOffset) log.truncateTo(boundary);
    return { ok: true, logEndOffset: log.logEndOffset, lastBatch: log.lastBatch() };
  }

  /** Empties this log and starts it at `offset` (too far behind the leader's log start). */
  async resetTo(args: { topicId: string; leaderEpoch: number; offset: number }): Promise<{ ok: true } | Failure> {
    const log = await this.followerLog(args.topicId, args.leaderEpoch);
    if (!(log instanceof PartitionLog)) return log;
    log.resetTo(args.offset);
    return { ok: true };
  }

  /** Applies batches the leader sent; they must start at this log's end. */
  async replicate(args: ReplicateArgs): Promise<ReplicateOk | Failure> {
    const log = await this.followerLog(args.topicId, args.leaderEpoch);
    if (!(log instanceof PartitionLog)) return log;
    if (args.fromOffset !== log.logEndOffset) {
      return failure(ErrorCode.ILLEGAL_STATE, `replication from ${args.fromOffset}, but this log ends at ${log.logEndOffset}`);
    }
    if (args.batches.length > 0) {
      const refused = log.appendAsFollower(args.batches, args.keys, Date.now());
      if (refused !== null) return refused;
    }
    if (log.advanceHighWatermark(args.highWatermark)) this.fetchWaiters.wakeAll();
    this.schedule(Date.now());
    return { ok: true, logEndOffset: log.logEndOffset };
  }

  /** Deletes everything this replica holds; it answers as unknown until init again. */
  async wipe(): Promise<{ ok: true }> {
    await this.gate();
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    applySchema(this.sql, PARTITION_SCHEMA);
    this.start();
    return { ok: true };
  }

  /** Heartbeats to followers and ISR upkeep (leader), retention and key expiry (all), then reschedules. */
  override async alarm(): Promise<void> {
    this.alarmAtMs = null;
    const log = this.log;
    if (log === null) return;
    const nowMs = Date.now();
    try {
      await this.gate();
    } catch {
      this.schedule(nowMs); // down: try again later, as a real broker would once back
      return;
    }
    if (this.isLeader()) {
      this.replicator?.kickAll();
      this.maintainIsr(nowMs);
    }
    log.applyRetention(nowMs);
    log.keys.expire(nowMs);
    this.schedule(nowMs);
  }

  /**
   * Throws BrokerUnreachable while this replica's broker (`brokerId`, by
   * default its own) is down; waits while slow; restarts when asked.
   */
  async gate(brokerId = this.brokerId): Promise<void> {
    if (brokerId < 0 || !faultsAllowed(this.env)) return;
    const f = await faultsStub(this.env).stateOf(brokerId);
    if (f.restartGeneration !== this.restartGeneration) {
      this.restartGeneration = f.restartGeneration;
      this.start();
    }
    if (f.mode === "down") throw new BrokerUnreachable(this.brokerId);
    if (f.mode === "slow") await sleep(f.latencyMs);
  }

  /** Passes the gate, then returns this replica's log for `topicId`, or a failure. */
  private async open(topicId: string): Promise<PartitionLog | Failure> {
    await this.gate();
    return this.opened(topicId);
  }

  private opened(topicId: string): PartitionLog | Failure {
    if (this.log === null || this.topicId !== topicId) {
      return failure(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "this partition does not exist (the topic may have been deleted)");
    }
    return this.log;
  }

  /** The log, for a call from a leader of `leaderEpoch`: refused when that epoch is old. */
  private async followerLog(topicId: string, leaderEpoch: number): Promise<PartitionLog | Failure> {
    const log = await this.open(topicId);
    if (!(log instanceof PartitionLog)) return log;
    const role = this.role();
    if (leaderEpoch < role.leaderEpoch) return fencedFailure(leaderEpoch, role.leaderEpoch);
    if (leaderEpoch > role.leaderEpoch || role.leader === this.brokerId) {
      return failure(ErrorCode.ILLEGAL_STATE, `epoch ${leaderEpoch} has not shaken hands with this replica yet`);
    }
    return log;
  }

  private role(): PartitionRole {
    return this.currentRole!;
  }

  private isLeader(): boolean {
    return this.currentRole !== null && this.currentRole.leader === this.brokerId;
  }

  /** Whether this replica leads in `leaderEpoch` now. */
  leads(leaderEpoch: number): boolean {
    return this.isLeader() && this.role().leaderEpoch === leaderEpoch;
  }

  /** Takes a role (same or newer epoch): leads or follows accordingly. */
  private adopt(role: PartitionRole): void {
    const before = this.currentRole;
    this.currentRole = role;
    this.log!.setMeta("role", JSON.stringify(role));
    const newEpoch = before === null || before.leaderEpoch !== role.leaderEpoch;
    if (this.isLeader() && (newEpoch || this.replicator === null)) this.lead(Date.now());
    if (!this.isLeader()) this.replicator = null;
    this.ackWaiters.wakeAll();
    this.advanceHighWatermark();
  }

  /** Starts leading this role's epoch: fresh links to every follower. */
  private lead(nowMs: number): void {
    const role = this.role();
    this.replicator = new Replicator(
      {
        env: this.env,
        topicId: this.topicId,
        partition: this.partition,
        brokerId: this.brokerId,
        log: () => this.log!,
        role: () => this.role(),
        gate: () => this.gate(),
        leads: (epoch) => this.leads(epoch),
        fenced: (epoch) => this.fenced(epoch),
        progressed: () => this.followerProgressed(),
      },
      role.leaderEpoch,
      nowMs,
    );
    this.replicator.kickAll();
    this.advanceHighWatermark();
    this.schedule(nowMs);
  }

  /** A follower knows a newer epoch: stop leading until the controller or a new leader says more. */
  private fenced(leaderEpoch: number): void {
    if (!this.leads(leaderEpoch)) return;
    this.adopt({ ...this.role(), leader: -1 });
  }

  private followerProgressed(): void {
    this.advanceHighWatermark();
    this.maintainIsr(Date.now());
  }

  /**
   * Leader: the high watermark is the smallest log end in the ISR — and it
   * stays put while the ISR is smaller than min.insync.replicas, so
   * records held by too few replicas are never visible.
   */
  private advanceHighWatermark(): void {
    const log = this.log;
    if (log === null || !this.isLeader()) return;
    const role = this.role();
    if (role.isr.length < log.configs["min.insync.replicas"]) return;
    let hw = log.logEndOffset;
    for (const b of role.isr) {
      if (b === this.brokerId) continue;
      const end = this.replicator?.followerEnd(b) ?? null;
      if (end === null) return; // an in-sync follower not heard from in this epoch yet
      hw = Math.min(hw, end);
    }
    if (log.advanceHighWatermark(hw)) {
      this.fetchWaiters.wakeAll();
      this.ackWaiters.wakeAll();
      this.notifyWatchers();
    }
  }

  /** Leader: asks the controller to drop laggards from the ISR or to take caught-up followers back. */
  private maintainIsr(nowMs: number): void {
    const log = this.log;
    if (log === null || !this.isLeader() || this.replicator === null || this.isrChangeInFlight) return;
    const role = this.role();
    const lagMaxMs = log.configs["replica.lag.time.max.ms"];
    const laggards = this.replicator.laggards(role.isr, nowMs, lagMaxMs);
    const rejoin = this.replicator.caughtUp(role.isr, log.highWatermark, nowMs, lagMaxMs);
    if (laggards.length === 0 && rejoin.length === 0) return;
    const isr = [...role.isr.filter((b) => !laggards.includes(b)), ...rejoin];
    this.isrChangeInFlight = true;
    void this.proposeIsr(role.leaderEpoch, isr).finally(() => {
      this.isrChangeInFlight = false;
    });
  }

  private async proposeIsr(leaderEpoch: number, isr: number[]): Promise<void> {
    try {
      const result = await controllerStub(this.env).alterIsr({ topicId: this.topicId, partition: this.partition, leaderEpoch, isr });
      if (!result.ok || !this.leads(leaderEpoch)) return;
      this.adopt(result.role);
    } catch {
      // The controller did not answer; the next heartbeat proposes again.
    }
  }

  /** Sets the alarm for the next heartbeat, retention run or key expiry, whichever is first. */
  private schedule(nowMs: number): void {
    const log = this.log;
    if (log === null) return;
    const due: number[] = [];
    const retention = log.retentionDueMs(nowMs);
    if (retention !== null) due.push(retention);
    const keys = log.keys.nextExpiryMs();
    if (keys !== null) due.push(keys);
    if (this.isLeader() && this.role().replicas.length > 1) {
      due.push(nowMs + Math.min(limits.replicationHeartbeatMsMax, Math.max(50, log.configs["replica.lag.time.max.ms"] / 4)));
    }
    if (due.length === 0) return;
    const at = Math.max(nowMs, Math.min(...due));
    if (this.alarmAtMs !== null && this.alarmAtMs <= at) return;
    this.alarmAtMs = at;
    void this.ctx.storage.setAlarm(at);
  }
}

function positions(log: PartitionLog) {
  return { logStartOffset: log.logStartOffset, highWatermark: log.highWatermark, logEndOffset: log.logEndOffset };
}

function offsetOutOfRange(log: PartitionLog, offset: number): Failure | null {
  if (Number.isSafeInteger(offset) && offset >= log.logStartOffset && offset <= log.highWatermark) return null;
  return failure(
    ErrorCode.OFFSET_OUT_OF_RANGE,
    `offset ${offset} is outside [${log.logStartOffset}, ${log.highWatermark}] (log start offset to high watermark, inclusive)`,
  );
}

function fencedFailure(theirs: number, ours: number): Failure {
  return failure(ErrorCode.FENCED_LEADER_EPOCH, `leader epoch ${theirs} is older than this replica's epoch ${ours}`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

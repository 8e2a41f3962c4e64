/**
 * The leader's side of a replica: it takes appends and answers them per
 * `acks`, owns replication to the followers (`Replicator`), moves the high
 * watermark to the smallest log end in the ISR, asks the controller to
 * shrink or grow the ISR, and tells consumer groups watching for new
 * records. Appends carry the leader epoch and any other epoch is refused,
 * so a deposed leader can never extend the log.
 */
import { isUnreachable, logFailedCall } from "../rpc/call";
import { ErrorCode, failure, isFailure, retriable, type Failure } from "../errors";
import { limits } from "../limits";
import { logBug } from "../rpc/boundary";
import type { PartitionLog } from "../log/partition-log";
import { checkSequence, idempotentAppendOf, type IdempotentAppend } from "../log/producer-state";
import type { ReplicaState } from "./replica-state";
import { Replicator } from "./replicator";
import type { AppendArgs, AppendOk, KeyCheckOk } from "./types";
import { Waiters } from "./waiters";
import { tellPushWatchers } from "./push-watchers";
import { callController, callGroup } from "../rpc/objects";

/** An append's outcome before it is acknowledged. */
type Done = Omit<AppendOk, "ok" | "highWatermark" | "logStartOffset">;

/** The controller's answers to an ISR proposal that need no log line: the epoch moved on, the topic was deleted, or its bug (logged there). */
const EXPECTED_REFUSALS = new Set<number>([ErrorCode.FENCED_LEADER_EPOCH, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.INTERNAL]);

export class LeaderSide {
  private replicator: Replicator | null = null;
  /** acks=all appends waiting for the ISR; woken on any change of high watermark, ISR or role. */
  private readonly ackWaiters = new Waiters(limits.produceWaitersMax);
  /** A proposal to the controller is on its way; no second one until it is answered. */
  private isrChangeInFlight = false;

  /** `watchers`: consumer groups waiting for the high watermark to move (WebSocket deliveries with nothing to read). */
  constructor(
    private readonly replica: ReplicaState,
    private readonly watchers: Set<string>,
  ) {}

  /**
   * Appends whole batches atomically at the log end, answering per `acks`.
   * A retry (the same Idempotency-Key, or idempotent batches this
   * partition already holds) is answered with the original offsets and
   * appends nothing; idempotent batches out of sequence or of a fenced
   * epoch are refused (producer-state.ts).
   */
  async append(args: AppendArgs): Promise<AppendOk | Failure> {
    const r = this.replica;
    const log = r.log;
    if (!r.leads(args.leaderEpoch)) return notLeader(r.brokerId, args.leaderEpoch, r.role.leaderEpoch);
    const minInsync = log.configs["min.insync.replicas"];
    if (args.acks === -1 && r.role.isr.length < minInsync) {
      return retriable("NOT_ENOUGH_REPLICAS", `${r.role.isr.length} in-sync replicas, min.insync.replicas is ${minInsync}`);
    }
    const refused = log.refuseBatches(args.batches);
    if (refused !== null) return refused;
    const nowMs = Date.now();
    const idempotent = idempotentAppendOf(args.batches);
    if (isFailure(idempotent)) return idempotent;
    const earlier = this.earlierAppend(args, idempotent, nowMs);
    if (earlier !== null) return isFailure(earlier) ? earlier : this.acknowledge(args, log, earlier);
    const key = args.producer === undefined ? null : { ...args.producer, expiresAtMs: nowMs + limits.idempotencyKeyMs, producer: null };
    const { baseOffset, logAppendTimeMs } = log.appendAsLeader(args.batches, r.role.leaderEpoch, nowMs, key, idempotent);
    r.counters.appended(log.logEndOffset - baseOffset, args.batches);
    this.advanceHighWatermark();
    this.replicator?.kickAll();
    r.schedule(nowMs);
    const requestTimeMs = args.producer?.requestTimeMs ?? -1;
    return this.acknowledge(args, log, { baseOffset, lastOffset: log.logEndOffset - 1, logAppendTimeMs, duplicate: false, requestTimeMs });
  }

  /**
   * What an earlier append of the same records got (a retry), a refusal
   * of the batches' producer state, or null when they are to be appended.
   */
  private earlierAppend(args: AppendArgs, idempotent: IdempotentAppend | null, nowMs: number): Done | Failure | null {
    const log = this.replica.log;
    if (args.producer !== undefined) {
      const known = log.keys.find(args.producer.key, nowMs);
      if (known === null) return null;
      if (known.fingerprint !== args.producer.fingerprint) return failure(ErrorCode.INVALID_PAYLOAD, "Idempotency-Key was already used with other records", "INVALID_RECORD");
      const lastOffset = known.baseOffset + known.recordCount - 1;
      return { baseOffset: known.baseOffset, lastOffset, logAppendTimeMs: -1, duplicate: true, requestTimeMs: known.requestTimeMs };
    }
    if (idempotent === null) return null;
    const verdict = checkSequence(idempotent, log.keys.producerBatches(idempotent.producerId, nowMs));
    if (isFailure(verdict) || verdict.kind === "append") return isFailure(verdict) ? verdict : null;
    const logAppendTimeMs = log.configs["message.timestamp.type"] === "LogAppendTime" ? verdict.appendedAtMs : -1;
    return { baseOffset: verdict.baseOffset, lastOffset: verdict.lastOffset, logAppendTimeMs, duplicate: true, requestTimeMs: -1 };
  }

  /** Answers an append once `acks` is satisfied: at once for 0 and 1, when the ISR has it for all. */
  private async acknowledge(args: AppendArgs, log: PartitionLog, done: Done): Promise<AppendOk | Failure> {
    const r = this.replica;
    const end = done.lastOffset + 1;
    const deadlineMs = Date.now() + limits.produceAckWaitMsMax;
    while (args.acks === -1 && log.highWatermark < end) {
      if (r.stopped) return retriable("REQUEST_TIMED_OUT", "the replica restarted before the in-sync replicas had the records; retry");
      if (!r.leads(args.leaderEpoch)) return retriable("NOT_LEADER_OR_FOLLOWER", "leadership moved before the in-sync replicas had the records; retry");
      const minInsync = log.configs["min.insync.replicas"];
      if (r.role.isr.length < minInsync) {
        return retriable(
          "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
          `the ISR shrank below min.insync.replicas (${minInsync}); the records stay invisible until enough replicas hold them`,
        );
      }
      const leftMs = deadlineMs - Date.now();
      if (leftMs <= 0) return retriable("REQUEST_TIMED_OUT", "waiting for the in-sync replicas; retry");
      const parked = this.ackWaiters.wait(leftMs);
      await (parked === false ? new Promise((resolve) => setTimeout(resolve, 10)) : parked);
    }
    return { ok: true, ...done, highWatermark: log.highWatermark, logStartOffset: log.logStartOffset };
  }

  /** Whether this partition saw producer key `key`: not at all, with `fingerprint`, or with another request. */
  producerKeyState(key: string, fingerprint: string): KeyCheckOk | Failure {
    const r = this.replica;
    if (!r.isLeader()) return retriable("NOT_LEADER_OR_FOLLOWER", `broker ${r.brokerId} is not the leader; refresh metadata and retry`);
    const known = r.log.keys.find(key, Date.now());
    return { ok: true, state: known === null ? "absent" : known.fingerprint === fingerprint ? "same" : "other" };
  }

  /**
   * Group `groupId`'s delivery found nothing to read at `offset`: it is
   * told (once) when the high watermark moves past it. Ready at once when
   * there is already something, or when this replica does not lead.
   */
  watch(groupId: string, offset: number): { ok: true; ready: boolean } {
    if (offset < this.replica.log.highWatermark || !this.replica.isLeader()) return { ok: true, ready: true };
    if (this.watchers.size >= limits.partitionWatchersMax) return { ok: true, ready: false }; // the group's alarm looks again
    this.watchers.add(groupId);
    return { ok: true, ready: false };
  }

  /** Starts leading the role's epoch: fresh links to every follower. */
  lead(nowMs: number): void {
    const r = this.replica;
    this.replicator = new Replicator(
      {
        env: r.env,
        topicId: r.topicId,
        partition: r.partition,
        brokerId: r.brokerId,
        log: r.log,
        tiered: r.tiered,
        role: () => r.role,
        gate: () => r.deps.gate(r.brokerId),
        leads: (epoch) => r.leads(epoch),
        fenced: (epoch) => this.fenced(epoch),
        progressed: () => this.followerProgressed(),
      },
      r.role.leaderEpoch,
      nowMs,
    );
    this.replicator.kickAll();
    this.advanceHighWatermark();
    tellPushWatchers(r); // a restart or a failover: those that waited here, or with the old leader, look again
    r.schedule(nowMs);
  }

  /** The role changed (`newEpoch`: to another epoch): lead it afresh or stop leading, and look at the high watermark again. */
  roleChanged(newEpoch: boolean): void {
    const leading = this.replica.isLeader();
    if (leading && (newEpoch || this.replicator === null)) this.lead(Date.now());
    if (!leading) this.replicator = null;
    this.ackWaiters.wakeAll();
    this.advanceHighWatermark();
  }

  /**
   * This memory is over: waiting appends wake and see it. The replicator
   * stops by itself (this replica no longer `leads`), after any call in
   * flight; `busy` shows when it has.
   */
  stop(): void {
    this.ackWaiters.wakeAll();
  }

  /** Whether a call to a follower or an ISR proposal is still in flight. */
  busy(): boolean {
    return this.isrChangeInFlight || (this.replicator?.busy() ?? false);
  }

  /** Sends the log start to every follower now (DeleteRecords), then answers Kafka's low watermark (see `Replicator.lowWatermark`). */
  async syncLogStart(): Promise<number> {
    const log = this.replica.log;
    await this.replicator?.syncAll();
    return this.replicator?.lowWatermark(this.replica.role.isr, log.logStartOffset) ?? log.logStartOffset;
  }

  /** The heartbeat: contact every follower, then see whether the ISR should change. */
  heartbeat(nowMs: number): void {
    this.replicator?.kickAll();
    this.maintainIsr(nowMs);
  }

  /**
   * The high watermark is the smallest log end in the ISR — and it stays
   * put while the ISR is smaller than min.insync.replicas, so records held
   * by too few replicas are never visible.
   */
  advanceHighWatermark(): void {
    const r = this.replica;
    if (!r.isLeader()) return;
    const role = r.role;
    if (role.isr.length < r.log.configs["min.insync.replicas"]) return;
    let hw = r.log.logEndOffset;
    for (const b of role.isr) {
      if (b === r.brokerId) continue;
      const end = this.replicator?.followerEnd(b) ?? null;
      if (end === null) return; // an in-sync follower not heard from in this epoch yet
      hw = Math.min(hw, end);
    }
    if (r.log.advanceHighWatermark(hw)) {
      r.fetchWaiters.wakeAll();
      this.ackWaiters.wakeAll();
      this.notifyWatchers();
      tellPushWatchers(r);
    }
  }

  /** A follower knows a newer epoch: stop leading until the controller or a new leader says more. */
  private fenced(leaderEpoch: number): void {
    if (!this.replica.leads(leaderEpoch)) return;
    this.replica.adopt({ ...this.replica.role, leader: -1 });
  }

  private followerProgressed(): void {
    this.advanceHighWatermark();
    this.maintainIsr(Date.now());
  }

  /** Asks the controller to drop laggards from the ISR or to take caught-up followers back (one proposal at a time). */
  private maintainIsr(nowMs: number): void {
    const r = this.replica;
    if (!r.isLeader() || this.replicator === null || this.isrChangeInFlight) return;
    const role = r.role;
    const lagMaxMs = r.log.configs["replica.lag.time.max.ms"];
    const laggards = this.replicator.laggards(role.isr, nowMs, lagMaxMs);
    const rejoin = this.replicator.caughtUp(role.isr, r.log.highWatermark, nowMs, lagMaxMs);
    if (laggards.length === 0 && rejoin.length === 0) return;
    const isr = [...role.isr.filter((b) => !laggards.includes(b)), ...rejoin];
    this.isrChangeInFlight = true;
    void this.proposeIsr(role.leaderEpoch, isr)
      .catch((e) => logBug("PartitionReplica.proposeIsr", e, { ...this.context(), proposedIsr: isr }))
      .finally(() => {
        this.isrChangeInFlight = false;
      });
  }

  /**
   * Sends an ISR proposal and takes the role the controller answers with.
   * A refusal because the epoch moved on or the topic is gone is expected
   * and quiet; the controller being out of reach, or any other refusal, is
   * one warning line. Either way the next heartbeat proposes again. A bug
   * here (in taking the role) reaches the caller's catch, which logs it.
   */
  private async proposeIsr(leaderEpoch: number, isr: number[]): Promise<void> {
    const r = this.replica;
    const args = { topicId: r.topicId, partition: r.partition, leaderEpoch, isr };
    const options = { where: "PartitionReplica.proposeIsr", context: { ...this.context(), proposedIsr: isr }, warnUnreachable: true };
    const result = await callController(r.env, options).alterIsr(args);
    if (!result.ok) {
      const expected = isUnreachable(result) || EXPECTED_REFUSALS.has(result.error_code) || result.error_code === ErrorCode.INTERNAL; // a bug was logged where it happened
      if (!expected) logFailedCall(options.where, result, options.context);
      return;
    }
    if (!r.leads(leaderEpoch)) return;
    r.adopt(result.role);
  }

  /** Tells every watching group that records arrived (once; a group that wants more watches again). */
  private notifyWatchers(): void {
    if (this.watchers.size === 0) return;
    for (const groupId of this.watchers) void this.notify(groupId);
    this.watchers.clear();
  }

  /** Tells one group; there is no caller to hand a failure to, so one that could not be told is logged. */
  private async notify(groupId: string): Promise<void> {
    const r = this.replica;
    const options = { where: "PartitionReplica.notifyWatchers", context: { ...this.context(), groupId }, warnUnreachable: true };
    const told = await callGroup(r.env, groupId, options).notify(r.topicName, r.partition);
    // A refusal is worth a line too; a bug's 500 was logged where it happened.
    if (isFailure(told) && !isUnreachable(told) && told.error_code !== ErrorCode.INTERNAL) logFailedCall(options.where, told, options.context);
  }

  private context(): Record<string, unknown> {
    const r = this.replica;
    return { topicId: r.topicId, partition: r.partition, broker: r.brokerId, leaderEpoch: r.role.leaderEpoch };
  }
}

/** A replica asked to act as the leader of an epoch it does not lead. */
export function notLeader(brokerId: number, theirs: number, ours: number): Failure {
  return retriable("NOT_LEADER_OR_FOLLOWER", `broker ${brokerId} is not the leader of epoch ${theirs} (it knows epoch ${ours}); refresh metadata and retry`);
}

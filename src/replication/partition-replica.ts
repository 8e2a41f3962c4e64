/**
 * One replica of one topic partition, named `{topic id}/{partition}/{broker}`:
 * the Durable Object's RPC shell. It owns the lifecycle (create, start
 * from storage, wipe, the alarm) and answers each RPC method by passing
 * its gate (development builds only: replica-gate.ts) and handing the call to the side that does the work: the
 * leader side (`leader.ts`: appends, acks, replication, high watermark,
 * ISR) or the follower side (`follower.ts`: handshake, truncation,
 * applying batches). Memory lives in a `ReplicaState`, rebuilt on every
 * start.
 *
 * Every public method is an RPC method, guarded by RunnelObject, and
 * returns `{ok: true, …} | Failure`; helpers are `#private`, so nothing
 * but the RPC methods can be called through a stub.
 */
import type { Env } from "../env";
import { ErrorCode, failure, type Failure } from "../errors";
import { limits } from "../limits";
import { RunnelObject } from "../rpc/runnel-object";
import { applySchema } from "../rpc/schema-steps";
import type { ConfigOverrides } from "../topic/configs";
import { deleteRecordsBefore } from "./delete-records";
import * as follower from "./follower";
import type { PartitionMetricsOk } from "./metrics";
import { PartitionLog } from "../log/partition-log";
import { replicaGateFor, type ReplicaGate } from "./replica-gate";
import * as lookups from "./replica-lookups";
import { ReplicaState } from "./replica-state";
import { PARTITION_SCHEMA } from "../log/schema";
import { PushWatchers, watchPush, type WatchPushOk } from "./push-watchers";
import type {
  AppendArgs, AppendOk, DeleteRecordsArgs, DeleteRecordsOk, DescribeOk, EpochEndOk, FetchArgs, FetchOk, HandshakeOk, InitArgs, KeyCheckOk, PartitionRole, PingOk, Positions, ProducersOk, ReplicateArgs,
  ReplicateOk, TimestampLookupOk, TruncateOk,
} from "./types";

type Ok = { ok: true };

export class PartitionReplica extends RunnelObject {
  readonly #gate: ReplicaGate | null;
  /** Consumer groups waiting for the high watermark to move; kept when memory is rebuilt. Not reachable over RPC. */
  readonly watchers = new Set<string>();
  /** This replica's memory while it holds a partition; null before `init` and after `wipe`. Not reachable over RPC. */
  state: ReplicaState | null = null;
  /** The memory `state` replaced, whose calls in flight may still be finishing (tests wait on it). */
  retired: ReplicaState | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, PARTITION_SCHEMA);
    this.#gate = replicaGateFor(env, () => this.#start());
    this.#start();
  }

  /** Makes this object the replica of a new partition. Idempotent for the same topic id. */
  async init(args: InitArgs): Promise<Ok | Failure> {
    const down = await this.#pass(args.brokerId);
    if (down !== null) return down;
    if (this.state !== null) {
      if (this.state.topicId === args.topicId) return { ok: true };
      return failure(ErrorCode.ILLEGAL_STATE, `replica already belongs to topic id ${this.state.topicId}`, "INCONSISTENT_TOPIC_ID");
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
    this.#start();
    return { ok: true };
  }

  /** Replaces the topic's config overrides (validated by the controller). */
  async setConfigs(topicId: string, configs: ConfigOverrides): Promise<Ok | Failure> {
    const r = await this.#open(topicId);
    if (!(r instanceof ReplicaState)) return r;
    r.setConfigs(configs);
    return { ok: true };
  }

  /** Appends whole batches atomically at the log end (leader of `args.leaderEpoch` only), answering per `acks`. */
  async append(args: AppendArgs): Promise<AppendOk | Failure> {
    const r = await this.#open(args.topicId);
    return r instanceof ReplicaState ? r.leader.append(args) : r;
  }

  /** Kafka's DeleteRecords (leader of `args.leaderEpoch` only): moves the log start to `args.offset`, -1 the high watermark (see delete-records.ts). */
  async deleteRecords(args: DeleteRecordsArgs): Promise<DeleteRecordsOk | Failure> {
    const r = await this.#open(args.topicId);
    return r instanceof ReplicaState ? deleteRecordsBefore(r, args) : r;
  }

  /** Whether this partition saw `key` (leader only): not at all, with `fingerprint`, or with another request. */
  async producerKeyState(topicId: string, key: string, fingerprint: string): Promise<KeyCheckOk | Failure> {
    const r = await this.#open(topicId);
    return r instanceof ReplicaState ? r.leader.producerKeyState(key, fingerprint) : r;
  }

  /** Whole batches from `offset` up to the high watermark (exclusive), waiting up to `timeoutMs` at the high watermark. */
  async read(args: FetchArgs): Promise<FetchOk | Failure> {
    let r = await this.#open(args.topicId);
    if (!(r instanceof ReplicaState)) return r;
    const outOfRange = offsetOutOfRange(r.log, args.offset);
    if (outOfRange !== null) return outOfRange;
    if (args.offset === r.log.highWatermark && args.timeoutMs > 0) {
      const parked = r.fetchWaiters.wait(Math.min(args.timeoutMs, limits.fetchWaitMsMax));
      if (parked !== false) await parked;
      r = this.#opened(args.topicId); // a restart or a wipe may have come meanwhile
      if (!(r instanceof ReplicaState)) return r;
      const moved = offsetOutOfRange(r.log, args.offset);
      if (moved !== null) return moved;
    }
    const maxBytes = Math.min(args.maxBytes, limits.fetchBytesMax);
    const batches = args.offset < r.log.localLogStartOffset ? await r.tiered.read(args.offset, r.log.highWatermark, maxBytes) : r.log.reads.readBatches(args.offset, r.log.highWatermark, maxBytes);
    if (!Array.isArray(batches)) return batches;
    r.counters.served(args.offset, batches);
    return { ok: true, batches, ...positions(r.log) };
  }

  /** Group `groupId` found nothing at `offset`: it is told once the high watermark passes it (see LeaderSide.watch). */
  async watch(topicId: string, groupId: string, offset: number): Promise<{ ok: true; ready: boolean } | Failure> {
    const r = await this.#open(topicId);
    return r instanceof ReplicaState ? r.leader.watch(groupId, offset) : r;
  }

  /**
   * Push subscription `subscription` found nothing at `offset`: it is told (once) when the high watermark
   * passes it, by this replica as leader or once it leads; `ready`: there is something already (push-watchers.ts).
   */
  async watchPush(topicId: string, subscription: string, offset: number): Promise<WatchPushOk | Failure> {
    const r = await this.#open(topicId);
    return r instanceof ReplicaState ? watchPush(r, subscription, offset) : r;
  }

  /** The first batch whose running max timestamp is at or after `timestampMs`. */
  async batchForTimestamp(topicId: string, timestampMs: number): Promise<TimestampLookupOk | Failure> {
    const r = await this.#open(topicId);
    if (!(r instanceof ReplicaState)) return r;
    const remote = await r.tiered.batchForTimestamp(timestampMs); // the remote log comes first; null when the answer is local
    const batch = remote ?? r.log.reads.batchForTimestamp(timestampMs);
    if (batch !== null && !(batch instanceof Uint8Array)) return batch;
    return { ok: true, batch, ...positions(r.log) };
  }

  /** Leader only: where `leaderEpoch` ends, fencing `currentLeaderEpoch` (Kafka's OffsetForLeaderEpoch; replica-lookups.ts). */
  async epochEnd(topicId: string, currentLeaderEpoch: number, leaderEpoch: number): Promise<EpochEndOk | Failure> {
    const r = await this.#open(topicId);
    return r instanceof ReplicaState ? lookups.epochEnd(r, currentLeaderEpoch, leaderEpoch) : r;
  }

  /** Leader only: the idempotent producers remembered here (DescribeProducers). */
  async producers(topicId: string): Promise<ProducersOk | Failure> {
    const r = await this.#open(topicId);
    return r instanceof ReplicaState ? lookups.activeProducers(r, Date.now()) : r;
  }

  /** Offsets, size, role and epoch of this replica. */
  async describe(topicId: string): Promise<DescribeOk | Failure> {
    const r = await this.#open(topicId);
    if (!(r instanceof ReplicaState)) return r;
    const { brokerId, log } = r;
    const sizes = { sizeBytes: log.sizeBytes(), segmentsCount: log.segmentsCount() };
    const { localSizeBytes, remoteSizeBytes, remoteSegments } = r.tiered.sizes();
    const tiered = { localLogStartOffset: log.localLogStartOffset, localSizeBytes, remoteSizeBytes, remoteSegments };
    const cleaner = r.cleaner.view(Date.now());
    return { ok: true, ...positions(log), brokerId, leaderEpoch: r.role.leaderEpoch, isLeader: r.isLeader(), ...sizes, ...tiered, cleaner };
  }

  /** Positions, size and counters for GET /metrics (see metrics.ts); the counters are stored before they are shown. */
  async metrics(topicId: string): Promise<PartitionMetricsOk | Failure> {
    const r = await this.#open(topicId);
    if (!(r instanceof ReplicaState)) return r;
    const sizes = { sizeBytes: r.log.sizeBytes(), segmentsCount: r.log.segmentsCount(), ...r.tiered.sizes() };
    const cleaner = r.cleaner.view(Date.now());
    return { ok: true, ...positions(r.log), brokerId: r.brokerId, isLeader: r.isLeader(), leaderEpoch: r.role.leaderEpoch, ...sizes, cleaner, ...r.counters.snapshot() };
  }

  /** Answers if this replica's broker is up (the controller's probe before an election). */
  async ping(topicId: string): Promise<PingOk | Failure> {
    const r = await this.#open(topicId);
    if (!(r instanceof ReplicaState)) return r;
    return { ok: true, brokerId: r.brokerId, leaderEpoch: r.role.leaderEpoch, logEndOffset: r.log.logEndOffset };
  }

  /** The controller's word: take this role (same or newer epoch) — lead it or follow its leader. */
  async assumeRole(topicId: string, role: PartitionRole): Promise<Ok | Failure> {
    const r = await this.#open(topicId);
    if (!(r instanceof ReplicaState)) return r;
    if (role.leaderEpoch < r.role.leaderEpoch) return follower.fencedFailure(role.leaderEpoch, r.role.leaderEpoch);
    r.adopt(role);
    return { ok: true };
  }

  /** A leader's first contact in its epoch (see follower.ts). */
  async handshake(args: { topicId: string; leaderEpoch: number; leaderBrokerId: number }): Promise<HandshakeOk | Failure> {
    const r = await this.#open(args.topicId);
    return r instanceof ReplicaState ? follower.handshake(r, args) : r;
  }

  /** Drops history from the batch holding `offset` on (see follower.ts). */
  async truncate(args: { topicId: string; leaderEpoch: number; offset: number }): Promise<TruncateOk | Failure> {
    const r = await this.#open(args.topicId);
    return r instanceof ReplicaState ? follower.truncate(r, args) : r;
  }

  /** Empties this log and starts it at `offset` (see follower.ts). */
  async resetTo(args: { topicId: string; leaderEpoch: number; offset: number; logStartOffset?: number }): Promise<Ok | Failure> {
    const r = await this.#open(args.topicId);
    return r instanceof ReplicaState ? follower.resetTo(r, args) : r;
  }

  /** Applies batches the leader sent (see follower.ts). */
  async replicate(args: ReplicateArgs): Promise<ReplicateOk | Failure> {
    const r = await this.#open(args.topicId);
    return r instanceof ReplicaState ? follower.replicate(r, args) : r;
  }

  /** Deletes everything this replica holds; it answers as unknown until `init` again. */
  async wipe(): Promise<Ok | Failure> {
    const down = await this.#pass(this.state?.brokerId ?? -1);
    if (down !== null) return down;
    const unaborted = (await this.state?.tiered.close()) ?? null; // no bucket call may outlive the wipe
    if (unaborted !== null) return unaborted;
    await this.retired?.tiered.settled();
    await this.alarms.clear();
    await this.ctx.storage.deleteAll();
    applySchema(this.sql, PARTITION_SCHEMA);
    this.#start();
    return { ok: true };
  }

  /**
   * Heartbeats and ISR upkeep (leader), retention, key expiry and a step of
   * the log cleaner (all), then the next alarm. While the broker is down it
   * only reschedules, no sooner than a heartbeat away (work due at once
   * waits for the broker), as a real broker would pick up again once back.
   * (A bug is logged and the alarm set again by RunnelObject.)
   */
  protected override async onAlarm(): Promise<void> {
    const nowMs = Date.now();
    const down = await this.#pass(this.state?.brokerId ?? -1);
    const r = this.state; // the gate may have rebuilt memory
    if (r === null) return;
    if (down !== null) r.schedule(nowMs + limits.replicationHeartbeatMsMax);
    else await r.tick(nowMs);
  }

  /** Ids for a bug report: topic, partition, broker, role and epoch. */
  logContext(): Record<string, unknown> {
    const r = this.state;
    if (r === null) return { object: "PartitionReplica", replica: "empty" };
    const role = r.isLeader() ? "leader" : "follower";
    return { object: "PartitionReplica", topicId: r.topicId, topic: r.topicName, partition: r.partition, broker: r.brokerId, role, leaderEpoch: r.role.leaderEpoch };
  }

  /** (Re)builds memory from storage: what a restart does. Work begun on the old memory sees it stopped. */
  #start(): void {
    this.state?.stop();
    if (this.state !== null) this.retired = this.state;
    const log = PartitionLog.open(this.sql, this.ctx.storage);
    if (log === null) {
      this.state = null;
      return;
    }
    const deps = { env: this.env, alarms: this.alarms, gate: (brokerId: number) => this.#pass(brokerId), watchers: this.watchers, pushWatchers: new PushWatchers(this.sql) };
    this.state = new ReplicaState(log, deps);
  }

  /** Passes the gate, then gives this replica's state for `topicId`, or the failure to answer with. */
  async #open(topicId: string): Promise<ReplicaState | Failure> {
    if (this.#gate === null) return this.#opened(topicId);
    const down = await this.#gate.pass(this.state?.brokerId ?? -1);
    return down ?? this.#opened(topicId);
  }

  /** Null when broker `brokerId` may answer now (always, without a gate); else the failure to answer with. */
  async #pass(brokerId: number): Promise<Failure | null> {
    return this.#gate === null ? null : this.#gate.pass(brokerId);
  }

  #opened(topicId: string): ReplicaState | Failure {
    const r = this.state;
    if (r === null) return failure(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `no replica of topic id ${topicId} here: its topic was deleted, or it was never created`);
    if (r.topicId !== topicId) return failure(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `this replica belongs to topic id ${r.topicId}, not ${topicId}`);
    return r;
  }
}

function positions(log: PartitionLog): Positions {
  return { logStartOffset: log.logStartOffset, highWatermark: log.highWatermark, logEndOffset: log.logEndOffset };
}

function offsetOutOfRange(log: PartitionLog, offset: number): Failure | null {
  if (Number.isSafeInteger(offset) && offset >= log.logStartOffset && offset <= log.highWatermark) return null;
  return failure(
    ErrorCode.OFFSET_OUT_OF_RANGE,
    `offset ${offset} is outside [${log.logStartOffset}, ${log.highWatermark}] (log start offset to high watermark, inclusive)`,
  );
}

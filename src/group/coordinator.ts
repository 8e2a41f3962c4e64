/**
 * The coordinator of one consumer group (named by the group id): its
 * members (HTTP consumer instances and WebSocket subscribers), the
 * generation, the assignment, session timeouts (from the alarm) and the
 * committed offsets. Rebalances are computed here, at once, whenever a
 * member joins, leaves, times out or changes its subscription, or a topic
 * matching a pattern appears. Expected failures are returned as results.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { ErrorCode, failure, unwrap, type Failure } from "../errors";
import { limits } from "../limits";
import { controllerStub } from "../metadata/controller-stub";
import { topicMeta } from "../metadata/topic-cache";
import { applySchema } from "../storage/schema";
import type { TopicMeta } from "../topic/types";
import { assign, type Assignor } from "./assignors";
import { lagRows } from "./lags";
import { OffsetStore } from "./offset-store";
import { offsetFor, offsetsProblem, partitionProblem } from "./seek";
import { GROUP_SCHEMA } from "./schema";
import {
  tpKey, type CommittedOffset, type CreateMemberArgs, type GroupDescription, type LagRow, type MemberState, type OffsetChange,
  type PollOk, type SeekTarget, type Subscription, type TopicPartition,
} from "./types";
import { WsDelivery } from "./ws-delivery";

type Ok = { ok: true };
const OK: Ok = { ok: true };

export class GroupCoordinator extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  readonly members = new Map<string, MemberState>();
  generation = 0;
  private assignor: Assignor = "range";
  private groupId = "";
  /** Rebalances run one at a time. */
  private rebalancing: Promise<void> = Promise.resolve();
  /** Topics a pattern matched at the last rebalance, to notice new ones. */
  private patternTopics = "";
  readonly delivery: WsDelivery;
  readonly offsets: OffsetStore;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    applySchema(this.sql, GROUP_SCHEMA);
    this.offsets = new OffsetStore(this.sql);
    const meta = new Map(this.sql.exec<{ key: string; value: string }>("SELECT key, value FROM meta").toArray().map((r) => [r.key, r.value]));
    this.groupId = meta.get("group_id") ?? "";
    this.generation = Number(meta.get("generation") ?? "0");
    this.assignor = (meta.get("assignor") as Assignor | undefined) ?? "range";
    for (const row of this.sql.exec<{ state: string }>("SELECT state FROM members").toArray()) {
      const m = JSON.parse(row.state) as MemberState;
      this.members.set(m.memberId, m);
    }
    this.delivery = new WsDelivery(this);
    // Sockets survive hibernation but not a restart: a subscriber without one has left.
    const gone = [...this.members.values()].filter((m) => m.kind === "ws" && ctx.getWebSockets(m.memberId).length === 0);
    if (gone.length > 0) {
      for (const m of gone) {
        this.members.delete(m.memberId);
        this.sql.exec("DELETE FROM members WHERE member_id = ?", m.memberId);
      }
      void ctx.blockConcurrencyWhile(() => this.rebalance());
    }
  }

  /** The bindings, for the WebSocket delivery that runs inside this object. */
  get bindings(): Env {
    return this.env;
  }

  get state(): DurableObjectState {
    return this.ctx;
  }

  // ---- members ------------------------------------------------------------

  /** Adds a member (an HTTP instance unless `kind` says ws). A taken name is 40903. */
  async createMember(groupId: string, args: CreateMemberArgs, kind: "http" | "ws" = "http"): Promise<{ ok: true; memberId: string } | Failure> {
    this.adoptGroupId(groupId);
    const memberId = args.name ?? `${kind}-${crypto.randomUUID()}`;
    if (this.members.has(memberId)) return failure(ErrorCode.ILLEGAL_STATE, `consumer instance '${memberId}' already exists in group '${groupId}'`);
    if (this.members.size >= limits.groupMembersMax) return failure(ErrorCode.OVERLOADED, `group '${groupId}' has the most members allowed (${limits.groupMembersMax})`);
    if (this.members.size === 0 && args.assignor !== undefined) this.setMeta("assignor", (this.assignor = args.assignor));
    const member: MemberState = {
      memberId, kind, config: args.config, subscription: null, manual: null, assignment: [], positions: {}, lastSeenMs: Date.now(),
    };
    this.saveMember(member);
    this.schedule();
    try {
      await controllerStub(this.env).registerGroup(groupId);
    } catch {
      // Listing the group can wait; the group works without it.
    }
    return { ok: true, memberId };
  }

  /** Removes a member (leaving the group: its partitions are reassigned). */
  async removeMember(memberId: string): Promise<Ok | Failure> {
    const m = this.members.get(memberId);
    if (m === undefined) return noMember(memberId);
    if (m.config.autoCommit) this.commitPositions(m);
    this.members.delete(memberId);
    this.sql.exec("DELETE FROM members WHERE member_id = ?", memberId);
    await this.rebalance();
    return OK;
  }

  /** Subscribes a member to a topic list or a pattern (a full-match regex). */
  async subscribe(memberId: string, subscription: Subscription): Promise<Ok | Failure> {
    const m = this.touch(memberId);
    if (!("memberId" in m)) return m;
    if ("pattern" in subscription) {
      try {
        new RegExp(`^(?:${subscription.pattern})$`);
      } catch (e) {
        return failure(ErrorCode.BAD_REQUEST, `topic_pattern is not a valid regular expression: ${(e as Error).message}`);
      }
    }
    return this.takePart(m, subscription, null);
  }

  async unsubscribe(memberId: string): Promise<Ok | Failure> {
    const m = this.touch(memberId);
    return "memberId" in m ? this.takePart(m, null, null) : m;
  }

  async subscription(memberId: string): Promise<{ ok: true; subscription: Subscription | null } | Failure> {
    const m = this.touch(memberId);
    return "memberId" in m ? { ok: true, subscription: m.subscription } : m;
  }

  /** The partitions this member owns now: by hand, or by the group. */
  async assignments(memberId: string): Promise<{ ok: true; partitions: TopicPartition[] } | Failure> {
    const m = this.touch(memberId);
    return "memberId" in m ? { ok: true, partitions: owned(m) } : m;
  }

  /** Assigns partitions by hand (no group management for this member). */
  async assignManually(memberId: string, partitions: TopicPartition[]): Promise<Ok | Failure> {
    const m = this.touch(memberId);
    if (!("memberId" in m)) return m;
    for (const tp of partitions) {
      const problem = await partitionProblem(this.env, tp);
      if (problem !== null) return problem;
    }
    return this.takePart(m, null, dedupe(partitions));
  }

  /** Sets how a member takes part — a subscription, partitions by hand, or neither — and rebalances. */
  private async takePart(m: MemberState, subscription: Subscription | null, manual: TopicPartition[] | null): Promise<Ok> {
    m.subscription = subscription;
    m.manual = manual;
    if (manual !== null) m.positions = keepPositions(m.positions, manual);
    this.saveMember(m);
    await this.rebalance();
    return OK;
  }

  // ---- HTTP consumption ---------------------------------------------------

  /**
   * A records request: counts as a heartbeat, auto-commits what was
   * returned so far, and says where to read each owned partition from.
   */
  async poll(memberId: string): Promise<PollOk | Failure> {
    const m = this.touch(memberId);
    if (!("memberId" in m)) return m;
    if (m.config.autoCommit) this.commitPositions(m);
    const missing = await this.resolvePositions(m, owned(m).filter((tp) => m.positions[tpKey(tp)] === undefined));
    if (missing !== null) return missing;
    this.saveMember(m);
    return {
      ok: true,
      generation: this.generation,
      format: m.config.format,
      partitions: owned(m).map((tp) => ({ ...tp, offset: m.positions[tpKey(tp)]! })),
    };
  }

  /** Moves positions past records returned to the member (ignored where it no longer owns, or moved meanwhile). */
  async advance(memberId: string, moved: (TopicPartition & { from: number; next: number })[]): Promise<Ok | Failure> {
    const m = this.members.get(memberId);
    if (m === undefined) return noMember(memberId);
    const mine = new Set(owned(m).map(tpKey));
    for (const mv of moved) {
      const k = tpKey(mv);
      if (mine.has(k) && m.positions[k] === mv.from) m.positions[k] = mv.next;
    }
    this.saveMember(m);
    return OK;
  }

  /** A member's positions for `partitions` were out of range: reset them by auto.offset.reset. */
  async resetPositions(memberId: string, partitions: TopicPartition[]): Promise<Ok | Failure> {
    const m = this.members.get(memberId);
    if (m === undefined) return noMember(memberId);
    const problem = await this.resolvePositions(m, partitions, true);
    if (problem !== null) return problem;
    this.saveMember(m);
    return OK;
  }

  /**
   * Commits offsets (or, with null, everything returned so far). A
   * partition the member does not own is 40904; an offset past the high
   * watermark is 41601; nothing is committed then.
   */
  async commit(memberId: string, offsets: OffsetChange[] | null): Promise<Ok | Failure> {
    const m = this.touch(memberId);
    if (!("memberId" in m)) return m;
    if (offsets === null) {
      this.commitPositions(m);
      return OK;
    }
    const mine = new Set(owned(m).map(tpKey));
    for (const o of offsets) {
      if (!mine.has(tpKey(o))) return failure(ErrorCode.STALE_MEMBER, `member '${memberId}' does not own ${o.topic}-${o.partition} (generation ${this.generation})`);
    }
    const problem = await offsetsProblem(this.env, offsets);
    if (problem !== null) return problem;
    this.offsets.write(offsets);
    return OK;
  }

  /** Committed offsets of `partitions` (null: every partition the member owns). */
  async committed(memberId: string, partitions: TopicPartition[] | null): Promise<{ ok: true; offsets: CommittedOffset[] } | Failure> {
    const m = this.touch(memberId);
    if (!("memberId" in m)) return m;
    const wanted = partitions ?? owned(m);
    const offsets = wanted.flatMap((tp) => {
      const c = this.offsets.get(tp);
      return c === null ? [] : [c];
    });
    return { ok: true, offsets };
  }

  /** Moves positions by offset, time, or to either end, for partitions the member owns (40904 otherwise). */
  async seek(memberId: string, targets: (TopicPartition & SeekTarget)[]): Promise<Ok | Failure> {
    const m = this.touch(memberId);
    if (!("memberId" in m)) return m;
    const mine = new Set(owned(m).map(tpKey));
    const next: Record<string, number> = {};
    for (const t of targets) {
      if (!mine.has(tpKey(t))) return failure(ErrorCode.STALE_MEMBER, `member '${memberId}' does not own ${t.topic}-${t.partition}`);
      const offset = await offsetFor(this.env, t, t);
      if (typeof offset !== "number") return offset;
      next[tpKey(t)] = offset;
    }
    Object.assign(m.positions, next);
    this.saveMember(m);
    this.delivery.repositioned(m);
    return OK;
  }

  // ---- admin ----------------------------------------------------------------

  async describe(groupId: string): Promise<GroupDescription | Failure> {
    if (!this.exists(groupId)) return noGroup(groupId);
    return {
      ok: true,
      groupId,
      state: this.members.size === 0 ? "Empty" : "Stable",
      generation: this.generation,
      assignor: this.assignor,
      members: [...this.members.values()].map((m) => ({ memberId: m.memberId, kind: m.kind, assignment: owned(m), subscription: m.subscription })),
    };
  }

  /** Lag per partition of every topic subscribed to or committed for: high watermark minus committed offset. */
  async lags(groupId: string): Promise<{ ok: true; rows: LagRow[] } | Failure> {
    if (!this.exists(groupId)) return noGroup(groupId);
    const owners = new Map<string, string>();
    for (const m of this.members.values()) for (const tp of owned(m)) owners.set(tpKey(tp), m.memberId);
    const counts = await this.topicCounts();
    const topics = [...this.offsets.topics()];
    for (const m of this.members.values()) topics.push(...subscribedTopics(m, counts), ...(m.manual ?? []).map((tp) => tp.topic));
    return { ok: true, rows: await lagRows(this.env, topics.filter((t) => counts.has(t)), this.offsets, owners) };
  }

  /** Sets committed offsets for a topic (or some of its partitions); only while the group has no live members. */
  async resetOffsets(groupId: string, topic: string, partitions: number[] | null, target: SeekTarget): Promise<{ ok: true; offsets: CommittedOffset[] } | Failure> {
    if (!this.exists(groupId)) return noGroup(groupId);
    if (this.members.size > 0) return failure(ErrorCode.ILLEGAL_STATE, `group '${groupId}' has ${this.members.size} live member(s); offsets can be reset only while it has none`);
    let meta: TopicMeta;
    try {
      meta = await topicMeta(this.env, topic);
    } catch {
      return failure(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic '${topic}' does not exist`);
    }
    const list = partitions ?? Array.from({ length: meta.partitionsCount }, (_, p) => p);
    const changes: OffsetChange[] = [];
    for (const partition of list) {
      if (partition >= meta.partitionsCount) return failure(ErrorCode.UNKNOWN_PARTITION, `topic '${topic}' has no partition ${partition}`);
      const offset = await offsetFor(this.env, { topic, partition }, target);
      if (typeof offset !== "number") return offset;
      changes.push({ topic, partition, offset, metadata: null });
    }
    this.offsets.write(changes);
    return { ok: true, offsets: changes.map((c) => ({ ...c, metadata: null })) };
  }

  // ---- WebSocket subscribers (see ws-delivery.ts) -------------------------

  /** A partition this group watches has new records: deliver them. */
  async notify(topic: string, partition: number): Promise<void> {
    this.delivery.arrived({ topic, partition });
  }

  override async fetch(request: Request): Promise<Response> {
    return this.delivery.accept(request);
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    await this.delivery.message(ws, message);
  }

  override async webSocketClose(ws: WebSocket): Promise<void> {
    await this.delivery.closed(ws);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    await this.delivery.closed(ws);
  }

  /** Session timeouts, pattern subscriptions picking up new topics, pings to sockets. */
  override async alarm(): Promise<void> {
    const nowMs = Date.now();
    let changed = false;
    for (const m of [...this.members.values()]) {
      const lastMs = m.kind === "ws" ? this.delivery.lastSeenMs(m.memberId, m.lastSeenMs) : m.lastSeenMs;
      if (nowMs - lastMs > m.config.sessionTimeoutMs) {
        this.members.delete(m.memberId);
        this.sql.exec("DELETE FROM members WHERE member_id = ?", m.memberId);
        this.delivery.drop(m.memberId, 4408, "session timed out");
        changed = true;
      }
    }
    const hasPattern = [...this.members.values()].some((m) => m.subscription !== null && "pattern" in m.subscription);
    if (changed || (hasPattern && (await this.patternTopicsChanged()))) await this.rebalance();
    this.delivery.ping();
    this.delivery.kickAll(); // a safety net for a lost notification (a partition that restarted, say)
    this.schedule();
  }

  // ---- internals ------------------------------------------------------------

  /** Recomputes the assignment for every managed member and bumps the generation. */
  rebalance(): Promise<void> {
    const run = async () => {
      const counts = await this.topicCounts();
      const managed = [...this.members.values()].filter((m) => m.manual === null && m.subscription !== null);
      const plan = assign(
        this.assignor,
        managed.map((m) => ({ memberId: m.memberId, topics: subscribedTopics(m, counts), owned: m.assignment })),
        counts,
      );
      this.patternTopics = patternSignature(this.members, counts);
      this.generation++;
      this.setMeta("generation", String(this.generation));
      for (const m of this.members.values()) {
        if (m.manual === null) m.assignment = plan.get(m.memberId) ?? [];
        m.positions = keepPositions(m.positions, owned(m));
        this.saveMember(m);
      }
      await this.delivery.rebalanced();
    };
    this.rebalancing = this.rebalancing.then(run, run);
    return this.rebalancing;
  }

  private async patternTopicsChanged(): Promise<boolean> {
    return patternSignature(this.members, await this.topicCounts()) !== this.patternTopics;
  }

  private async topicCounts(): Promise<Map<string, number>> {
    const { topics } = unwrap(await controllerStub(this.env).listTopics());
    return new Map(topics.map((t) => [t.topicName, t.partitionsCount]));
  }

  /** The member (counting the call as a heartbeat), or 40403. */
  touch(memberId: string): MemberState | Failure {
    const m = this.members.get(memberId);
    if (m === undefined) return noMember(memberId);
    m.lastSeenMs = Date.now();
    return m;
  }

  /** Fills in positions for `partitions`: the committed offset, else by auto.offset.reset (always so when `reset`). */
  async resolvePositions(m: MemberState, partitions: TopicPartition[], reset = false): Promise<Failure | null> {
    for (const tp of partitions) {
      const committed = reset ? null : this.offsets.get(tp);
      const offset = committed?.offset ?? (await offsetFor(this.env, tp, { to: m.config.autoOffsetReset }));
      if (typeof offset !== "number") return offset;
      m.positions[tpKey(tp)] = offset;
    }
    return null;
  }

  /** Commits the member's positions (what it was given so far) for the partitions it owns. */
  commitPositions(m: MemberState): void {
    this.offsets.write(owned(m).flatMap((tp) => {
      const offset = m.positions[tpKey(tp)];
      return offset === undefined ? [] : [{ ...tp, offset }];
    }));
  }

  saveMember(m: MemberState): void {
    this.members.set(m.memberId, m);
    this.sql.exec("INSERT OR REPLACE INTO members (member_id, state) VALUES (?, ?)", m.memberId, JSON.stringify(m));
  }

  adoptGroupId(groupId: string): void {
    if (this.groupId === groupId) return;
    this.groupId = groupId;
    this.setMeta("group_id", groupId);
  }

  /** This coordinator's group id. */
  groupIdOf(): string {
    return this.groupId;
  }

  private exists(groupId: string): boolean {
    return this.groupId === groupId;
  }

  private setMeta(key: string, value: string): void {
    this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", key, value);
  }

  /** Next alarm: the soonest session expiry, a pattern refresh, or a socket ping. */
  schedule(): void {
    if (this.members.size === 0) return;
    const nowMs = Date.now();
    const soonest = Math.min(...[...this.members.values()].map((m) => m.lastSeenMs + m.config.sessionTimeoutMs + 1));
    const at = Math.max(nowMs + 100, Math.min(soonest, nowMs + limits.groupCheckIntervalMs));
    void this.ctx.storage.getAlarm().then((current) => {
      if (current === null || current > at) return this.ctx.storage.setAlarm(at);
    });
  }
}

/** The partitions a member owns now: by hand, or by the group. */
export function owned(m: MemberState): TopicPartition[] {
  return m.manual ?? m.assignment;
}

function subscribedTopics(m: MemberState, counts: Map<string, number>): string[] {
  if (m.subscription === null) return [];
  if ("topics" in m.subscription) return m.subscription.topics.filter((t) => counts.has(t));
  const re = new RegExp(`^(?:${m.subscription.pattern})$`);
  return [...counts.keys()].filter((t) => re.test(t));
}

function patternSignature(members: Map<string, MemberState>, counts: Map<string, number>): string {
  return [...members.values()]
    .filter((m) => m.subscription !== null && "pattern" in m.subscription)
    .map((m) => `${m.memberId}:${subscribedTopics(m, counts).map((t) => `${t}/${counts.get(t)}`).join(",")}`)
    .join(";");
}

function keepPositions(positions: Record<string, number>, partitions: TopicPartition[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const tp of partitions) {
    const k = tpKey(tp);
    if (positions[k] !== undefined) out[k] = positions[k]!;
  }
  return out;
}

function dedupe(partitions: TopicPartition[]): TopicPartition[] {
  const seen = new Map(partitions.map((tp) => [tpKey(tp), { topic: tp.topic, partition: tp.partition }]));
  return [...seen.values()];
}

function noMember(memberId: string): Failure {
  return failure(ErrorCode.CONSUMER_INSTANCE_NOT_FOUND, `consumer instance '${memberId}' not found (it may have timed out)`);
}

function noGroup(groupId: string): Failure {
  return failure(ErrorCode.GROUP_NOT_FOUND, `consumer group '${groupId}' not found`);
}

/**
 * Who is in a group and what each member owns: the group id, the
 * generation, the assignor, and rebalances. A member change (join, leave,
 * subscribe, assign by hand, time out) is applied together with the
 * rebalance it causes, or not at all: the topics are listed first, and
 * when the controller cannot answer nothing changes and a retriable
 * failure comes back. Changes run one at a time; the generation only grows.
 */
import type { Env } from "../env";
import { assert, ErrorCode, failure, type Failure } from "../errors";
import { limits } from "../limits";
import { assign, type Assignor } from "./assignors";
import { registerGroup, topicIndex } from "./lookups";
import type { MemberStore } from "./member-store";
import type { OffsetStore } from "./offset-store";
import { keepPositions } from "./positions";
import { OK, type CreateMemberArgs, type MemberState, type Ok, type Subscription, type TopicIndex, type TopicPartition } from "./types";

export class Membership {
  private groupIdNow: string;
  private generationNow: number;
  private assignorNow: Assignor;
  /** Changes run one at a time, in order. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly sql: SqlStorage,
    private readonly storage: DurableObjectStorage,
    /** The bindings, read at each use (a test may swap them). */
    private readonly env: () => Env,
    private readonly members: MemberStore,
    private readonly offsets: OffsetStore,
    /** Told after every rebalance (WebSocket subscribers hear their partitions). */
    private readonly rebalanced: () => Promise<void>,
  ) {
    this.groupIdNow = this.meta("group_id") ?? "";
    this.generationNow = Number(this.meta("generation") ?? "0");
    this.assignorNow = (this.meta("assignor") as Assignor | undefined) ?? "range";
  }

  get groupId(): string {
    return this.groupIdNow;
  }

  get generation(): number {
    return this.generationNow;
  }

  get assignor(): Assignor {
    return this.assignorNow;
  }

  /** Whether this coordinator serves group `groupId` (it has had a member). */
  serves(groupId: string): boolean {
    return this.groupIdNow === groupId;
  }

  /**
   * Adds a member (subscribed to `subscription`, if given, in the same
   * change). A taken name is 40903, a full group 42901; the group is
   * listed with the controller first (a retriable failure if it cannot be).
   */
  async add(groupId: string, args: CreateMemberArgs, kind: "http" | "ws", subscription: Subscription | null): Promise<{ ok: true; memberId: string } | Failure> {
    const listed = await this.register(groupId);
    if (!listed.ok) return listed;
    const memberId = args.name ?? `${kind}-${crypto.randomUUID()}`;
    const join = (): Failure | null => {
      if (this.members.has(memberId)) return failure(ErrorCode.ILLEGAL_STATE, `consumer instance '${memberId}' already exists in group '${groupId}'`);
      if (this.members.size >= limits.groupMembersMax) return failure(ErrorCode.OVERLOADED, `group '${groupId}' has the most members allowed (${limits.groupMembersMax})`);
      if (this.members.size === 0 && args.assignor !== undefined) this.setMeta("assignor", (this.assignorNow = args.assignor));
      this.members.save({ memberId, kind, config: args.config, subscription, manual: null, assignment: [], positions: {}, lastSeenMs: Date.now() });
      return null;
    };
    // A member without a subscription owns nothing yet: no rebalance.
    const joined = subscription === null ? (join() ?? OK) : await this.change(join);
    if (!joined.ok) return joined;
    this.schedule();
    return { ok: true, memberId };
  }

  /**
   * Applies `apply` (a synchronous member change, which re-checks what it
   * needs and returns a failure having changed nothing) and rebalances.
   * With no `apply`, just rebalances (a topic appeared, say).
   */
  change(apply: () => Failure | null = () => null): Promise<Ok | Failure> {
    const run = async (): Promise<Ok | Failure> => {
      const listed = await topicIndex(this.env());
      if (!listed.ok) return listed;
      const generation = this.nextGeneration();
      const problem = apply();
      if (problem !== null) return problem;
      this.applyPlan(listed.topics, generation);
      await this.rebalanced();
      return OK;
    };
    const next = this.queue.then(run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /**
   * Removes the members for whom `gone` holds when the change runs (a
   * session that timed out, a subscriber without a socket), with the
   * rebalance that causes; `removed` hears of each. Nothing changes when
   * the rebalance cannot run now.
   */
  removeWhere(gone: (m: MemberState) => boolean, removed: (memberId: string) => void = () => undefined): Promise<Ok | Failure> {
    return this.change(() => {
      for (const m of this.members.all().filter(gone)) {
        this.members.delete(m.memberId);
        removed(m.memberId);
      }
      return null;
    });
  }

  /**
   * Sets how a member takes part — a subscription, partitions by hand
   * (`manual`), or neither — and rebalances. Counts as a heartbeat.
   */
  takePart(memberId: string, subscription: Subscription | null, manual: TopicPartition[] | null): Promise<Ok | Failure> {
    const touched = this.members.touch(memberId);
    if (!("memberId" in touched)) return Promise.resolve(touched);
    return this.change(() => {
      const m = this.members.touch(memberId);
      if (!("memberId" in m)) return m;
      m.subscription = subscription;
      m.manual = manual;
      return null;
    });
  }

  /**
   * Whether the subscribed topics changed since the last rebalance: a new
   * topic matching a pattern, more partitions, a topic deleted or created again.
   */
  async topicsChanged(): Promise<boolean | Failure> {
    if (!this.members.all().some((m) => m.subscription !== null)) return false;
    const listed = await topicIndex(this.env());
    return listed.ok ? topicsSignature(this.members.all(), listed.topics) !== (this.meta("topics_seen") ?? "") : listed;
  }

  /** Next alarm: the soonest session expiry, a pattern refresh, or a socket ping. */
  schedule(): void {
    const all = this.members.all();
    if (all.length === 0) return;
    const nowMs = Date.now();
    const soonest = Math.min(...all.map((m) => m.lastSeenMs + m.config.sessionTimeoutMs + 1));
    const at = Math.max(nowMs + 100, Math.min(soonest, nowMs + limits.groupCheckIntervalMs));
    void this.storage.getAlarm().then((current) => {
      if (current === null || current > at) return this.storage.setAlarm(at);
    });
  }

  /** The group's next generation; asserts the stored one is older (generations only grow). */
  private nextGeneration(): number {
    const next = this.generationNow + 1;
    const stored = Number(this.meta("generation") ?? "0");
    assert(next > stored, `group '${this.groupIdNow}' generation only grows: ${next} would follow ${stored}`);
    return next;
  }

  /** The assignment for every managed member in `generation`; positions kept where they still hold. */
  private applyPlan(topics: TopicIndex, generation: number): void {
    const counts = new Map([...topics].map(([name, t]) => [name, t.partitionsCount]));
    const all = this.members.all();
    const managed = all.filter((m) => m.manual === null && m.subscription !== null);
    const plan = assign(this.assignorNow, managed.map((m) => ({ memberId: m.memberId, topics: subscribedTopics(m, topics), owned: m.assignment })), counts);
    this.generationNow = generation;
    this.setMeta("generation", String(generation));
    this.setMeta("topics_seen", topicsSignature(all, topics));
    for (const m of all) {
      if (m.manual === null) m.assignment = plan.get(m.memberId) ?? [];
      keepPositions(m, topics);
      this.members.save(m);
    }
    this.offsets.forgetGone(topics);
  }

  /** Lists the group with the controller, once; adopts the group id. */
  private async register(groupId: string): Promise<Ok | Failure> {
    if (this.groupIdNow === groupId && this.meta("registered") === "1") return OK;
    const listed = await registerGroup(this.env(), groupId);
    if (!listed.ok) return listed;
    if (this.groupIdNow !== groupId) this.setMeta("group_id", (this.groupIdNow = groupId));
    this.setMeta("registered", "1");
    return OK;
  }

  private meta(key: string): string | undefined {
    return this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value;
  }

  private setMeta(key: string, value: string): void {
    this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", key, value);
  }
}

/** The topics a member's subscription names or matches, of those that exist. */
export function subscribedTopics(m: MemberState, topics: TopicIndex): string[] {
  if (m.subscription === null) return [];
  if ("topics" in m.subscription) return m.subscription.topics.filter((t) => topics.has(t));
  const re = new RegExp(`^(?:${m.subscription.pattern})$`);
  return [...topics.keys()].filter((t) => re.test(t));
}

/** What the subscriptions resolve to: every subscribed topic with its partition count and id. */
function topicsSignature(members: MemberState[], topics: TopicIndex): string {
  const names = new Set(members.flatMap((m) => subscribedTopics(m, topics)));
  return [...names].sort().map((t) => `${t}/${topics.get(t)!.partitionsCount}/${topics.get(t)!.topicId}`).join(",");
}

/** 40405: this coordinator does not serve that group. */
export function noGroup(groupId: string): Failure {
  return failure(ErrorCode.GROUP_NOT_FOUND, `consumer group '${groupId}' not found`);
}

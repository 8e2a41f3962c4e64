/**
 * Who is in a group and what each member owns: the group id, the
 * generation, the assignor, and rebalances. A member change (join, leave,
 * subscribe, assign by hand, time out) is applied together with the
 * rebalance it causes, or not at all: the topics are listed first, and
 * when the controller cannot answer nothing changes and a retriable
 * failure comes back. Changes run one at a time; the generation only grows.
 */
import type { Env } from "../env";
import type { AlarmClock } from "../rpc/alarm-clock";
import { assert, ErrorCode, failure, type Failure } from "../errors";
import { limits } from "../limits";
import { assign, type Assignor } from "./assignors";
import { chooseProtocol } from "./kafka/kafka-protocol";
import { ChangeBatcher, type PendingChange } from "./change-batcher";
import { registerGroup, topicIndex } from "./lookups";
import type { MemberStore } from "./member-store";
import type { OffsetStore } from "./offset-store";
import { GROUP_TYPE_KEY } from "./kip848/kip848-store";
import { keepPositions } from "./positions";
import { topicReadability, type TopicReadable } from "./topic-access";
import { subscribedTopics, topicsSignature } from "./subscribed-topics";
export { subscribedTopics } from "./subscribed-topics";
import { OK, type CreateMemberArgs, type MemberKind, type MemberState, type Ok, type Subscription, type TopicIndex, type TopicPartition } from "./types";

export class Membership {
  private groupIdNow: string;
  private generationNow: number;
  private assignorNow: Assignor;
  /** Changes run in batches (change-batcher.ts), one batch at a time, in order. */
  private readonly batcher: ChangeBatcher;

  constructor(
    private readonly sql: SqlStorage,
    private readonly alarms: AlarmClock,
    /** The bindings, read at each use (a test may swap them). */
    private readonly env: () => Env,
    private readonly members: MemberStore,
    private readonly offsets: OffsetStore,
    /** Told after every rebalance (WebSocket subscribers hear their partitions). */
    private readonly rebalanced: () => Promise<void>,
    /** Told when every change so far has settled (Kafka members waiting in JoinGroup may be answered). */
    settled: () => void = () => undefined,
  ) {
    this.groupIdNow = this.meta("group_id") ?? "";
    this.generationNow = Number(this.meta("generation") ?? "0");
    this.assignorNow = (this.meta("assignor") as Assignor | undefined) ?? "range";
    this.batcher = new ChangeBatcher((batch) => this.runBatch(batch), () => ({ group: this.groupIdNow, generation: this.generationNow }), settled);
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

  /** Whether a rebalance is waiting or running (joins being gathered, say). */
  get rebalancing(): boolean {
    return this.batcher.busy;
  }

  /** Whether this coordinator serves group `groupId` (it has had a member). */
  serves(groupId: string): boolean {
    return this.groupIdNow === groupId;
  }

  /**
   * Adds a member (subscribed to `subscription`, if given, in the same
   * change: a join, gathered with others arriving together). A taken name
   * is 40902, a full group 42901; the group is listed with the controller
   * first (a retriable failure if it cannot be). `extra`: a Kafka member's own state.
   */
  async add(
    groupId: string,
    args: CreateMemberArgs,
    kind: MemberKind,
    subscription: Subscription | null,
    extra: Pick<MemberState, "kafka"> = {},
  ): Promise<{ ok: true; memberId: string } | Failure> {
    const consumers = this.members.all().filter((m) => m.kind === "kip848").length;
    if (consumers > 0) return consumerGroupRefusal(groupId, consumers); // before waiting in a batch (see kip848/consumer-group.ts)
    const listed = await this.register(groupId);
    if (!listed.ok) return listed;
    const memberId = args.name ?? `${kind}-${crypto.randomUUID()}`;
    const join = (): Failure | null => {
      if (this.members.has(memberId)) return failure(ErrorCode.CONSUMER_ALREADY_EXISTS, `consumer instance '${memberId}' already exists in group '${groupId}'`);
      const other = this.members.all().filter((m) => m.kind === "kip848").length;
      if (other > 0) return consumerGroupRefusal(groupId, other);
      if (this.members.size === 0) this.setMeta(GROUP_TYPE_KEY, "classic");
      if (this.members.size >= limits.groupMembersMax) return failure(ErrorCode.OVERLOADED, `group '${groupId}' has the most members allowed (${limits.groupMembersMax})`, "GROUP_MAX_SIZE_REACHED");
      if (this.members.size === 0 && args.assignor !== undefined) this.setMeta("assignor", (this.assignorNow = args.assignor));
      const m: MemberState = { memberId, kind, principal: args.principal, config: args.config, subscription, manual: null, assignment: [], positions: {}, lastSeenMs: Date.now(), ...extra };
      this.members.save(m);
      return null;
    };
    // A member without a subscription owns nothing yet: no rebalance.
    const joined = subscription === null ? (join() ?? OK) : await this.batcher.submit(join, true);
    if (!joined.ok) return joined;
    this.schedule();
    return { ok: true, memberId };
  }

  /**
   * Applies `apply` (a synchronous member change, which re-checks what it
   * needs and returns a failure having changed nothing) and rebalances,
   * together with whatever other changes are waiting. With no `apply`,
   * just rebalances (a topic appeared, say). `join`: the change starts a
   * member taking part, so it may wait a little for others (see change-batcher.ts).
   */
  change(apply: () => Failure | null = () => null, join = false): Promise<Ok | Failure> {
    return this.batcher.submit(apply, join);
  }

  /**
   * One batch of changes and the one rebalance they cause: the topics are
   * listed first (when the controller cannot answer, nothing changes and
   * every change hears why); each change is applied or refused on its
   * own; then one new generation, if any change was applied.
   */
  private async runBatch(batch: PendingChange[]): Promise<void> {
    const listed = await topicIndex(this.env());
    if (!listed.ok) {
      for (const p of batch) p.settle(listed);
      return;
    }
    const readable = await topicReadability(this.env());
    const generation = this.nextGeneration();
    const outcomes = batch.map((p) => p.apply());
    if (outcomes.some((o) => o === null)) {
      this.applyPlan(listed.topics, readable, generation);
      await this.rebalanced();
    }
    for (const [i, p] of batch.entries()) p.settle(outcomes[i] ?? OK);
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
   * (`manual`), or neither — and rebalances; `principal` is whom it acts
   * as from now on. As in Kafka, a member subscribes in one way at a
   * time: topics, a pattern, or by hand (40901 for another way; the same
   * way again replaces, and neither clears). Counts as a heartbeat.
   */
  takePart(memberId: string, subscription: Subscription | null, manual: TopicPartition[] | null, principal: string): Promise<Ok | Failure> {
    const touched = this.members.touch(memberId);
    if (!("memberId" in touched)) return Promise.resolve(touched);
    const apply = (): Failure | null => {
      const m = this.members.touch(memberId);
      if (!("memberId" in m)) return m;
      const other = otherWay(m, subscription, manual);
      if (other !== null) return failure(ErrorCode.ALREADY_SUBSCRIBED, `consumer instance '${memberId}' is already subscribed ${other}; unsubscribe first (DELETE …/subscription)`);
      m.subscription = subscription;
      m.manual = manual;
      m.principal = principal;
      return null;
    };
    return this.change(apply, subscription !== null);
  }

  /**
   * Whether the subscribed topics changed since the last rebalance: a new
   * topic matching a pattern, more partitions, a topic deleted or created
   * again, a topic a pattern member may now read or no longer read.
   */
  async topicsChanged(): Promise<boolean | Failure> {
    if (!this.members.all().some((m) => m.subscription !== null)) return false;
    const listed = await topicIndex(this.env());
    if (!listed.ok) return listed;
    const readable = await topicReadability(this.env());
    return topicsSignature(this.members.all(), listed.topics, readable) !== (this.meta("topics_seen") ?? "");
  }

  /** Next alarm: the soonest session expiry, a pattern refresh, or a socket ping. */
  schedule(): void {
    const all = this.members.all();
    if (all.length === 0) return;
    const nowMs = Date.now();
    const soonest = Math.min(...all.map((m) => m.lastSeenMs + m.config.sessionTimeoutMs + 1));
    const at = Math.max(nowMs + 100, Math.min(soonest, nowMs + limits.groupCheckIntervalMs));
    void this.alarms.atOrBefore(at); // never rejects: a refused write is retried
  }

  /**
   * A KIP-848 group's next epoch (its generation), taken at once: such a
   * group changes outside the batches. (A batch takes its generation and
   * applies it without awaiting, so the two never interleave.)
   */
  bumpEpoch(): number {
    this.generationNow = this.nextGeneration();
    this.setMeta("generation", String(this.generationNow));
    return this.generationNow;
  }

  /** The group's next generation; asserts the stored one is older (generations only grow). */
  private nextGeneration(): number {
    const next = this.generationNow + 1;
    const stored = Number(this.meta("generation") ?? "0");
    assert(next > stored, `group '${this.groupIdNow}' generation only grows: ${next} would follow ${stored}`);
    return next;
  }

  /** The assignment for every managed member in `generation`; positions kept where they still hold. */
  private applyPlan(topics: TopicIndex, readable: TopicReadable, generation: number): void {
    const counts = new Map([...topics].map(([name, t]) => [name, t.partitionsCount]));
    const all = this.members.all();
    const managed = all.filter((m) => m.manual === null && m.subscription !== null);
    const wants = managed.map((m) => ({ memberId: m.memberId, topics: subscribedTopics(m, topics, readable), owned: m.assignment }));
    // While Kafka members take part, the protocol they share picks the assignor.
    const plan = assign(chooseProtocol(all)?.assignor ?? this.assignorNow, wants, counts);
    this.generationNow = generation;
    this.setMeta("generation", String(generation));
    this.setMeta("topics_seen", topicsSignature(all, topics, readable));
    for (const m of all) {
      if (m.kind === "kip848") continue; // a KIP-848 group plans its own (kip848/consumer-group.ts)
      if (m.manual === null) m.assignment = plan.get(m.memberId) ?? [];
      keepPositions(m, topics);
      this.members.save(m);
    }
    this.offsets.forgetGone(topics);
  }

  /** Lists the group with the controller, once; adopts the group id (a group used only to store offsets is listed too). */
  async register(groupId: string): Promise<Ok | Failure> {
    if (this.groupIdNow === groupId && this.meta("registered") === "1") return OK;
    const listed = await registerGroup(this.env(), groupId);
    if (!listed.ok) return listed;
    if (this.groupIdNow !== groupId) this.setMeta("group_id", (this.groupIdNow = groupId));
    this.setMeta("registered", "1");
    return OK;
  }

  /**
   * Stops serving the group (Kafka's DeleteGroups, once it has no members
   * and no offsets): it is listed no more, and its next member or commit
   * adopts it again. The generation is kept, as generations only grow.
   */
  forget(): void {
    assert(this.members.size === 0, `group '${this.groupIdNow}' is forgotten with ${this.members.size} member(s)`);
    this.groupIdNow = "";
    this.sql.exec("DELETE FROM meta WHERE key IN ('group_id', 'registered')");
  }

  private meta(key: string): string | undefined {
    return this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value;
  }

  private setMeta(key: string, value: string): void {
    this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", key, value);
  }
}

/** How `m` already takes part that a new subscription or manual assignment would conflict with (Kafka's rule), or null. */
function otherWay(m: MemberState, subscription: Subscription | null, manual: TopicPartition[] | null): string | null {
  const now = m.manual !== null ? "by hand (POST …/assignments)" : m.subscription === null ? null : "topics" in m.subscription ? "to topics" : "to a pattern";
  const wanted = manual !== null ? "by hand (POST …/assignments)" : subscription === null ? null : "topics" in subscription ? "to topics" : "to a pattern";
  return now !== null && wanted !== null && now !== wanted ? now : null;
}

/** INCONSISTENT_GROUP_PROTOCOL: a classic member may not join a KIP-848 group that has members. */
function consumerGroupRefusal(groupId: string, members: number): Failure {
  const why = `INCONSISTENT_GROUP_PROTOCOL: group '${groupId}' is a consumer group (KIP-848 protocol) with ${members} member(s); classic members (JoinGroup, HTTP consumer instances, WebSocket subscribers) may join it only once it is empty`;
  return failure(ErrorCode.ILLEGAL_STATE, why, "INCONSISTENT_GROUP_PROTOCOL");
}

/** 40405: this coordinator does not serve that group. */
export function noGroup(groupId: string): Failure {
  return failure(ErrorCode.GROUP_NOT_FOUND, `consumer group '${groupId}' not found`);
}

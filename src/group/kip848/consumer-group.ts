/**
 * A KIP-848 consumer group (ConsumerGroupHeartbeat), as Kafka's group
 * coordinator runs one. Each heartbeat (1) creates or updates its member,
 * moving the group epoch (the group's generation) when a subscription —
 * or what subscriptions resolve to: topics created, deleted, given
 * partitions — changed; (2) plans a new target assignment with the
 * group's server assignor when the group epoch is past the target's; and
 * (3) moves its member one step towards its target (reconcile.ts):
 * revocations first, partitions another member still owns only once it
 * let them go. The answer carries the member's epoch and, when it
 * changed, what it owns.
 *
 * Members leave with epoch -1 (static members with -2: their partitions
 * wait for them until their session ends), or are removed when their
 * session times out without heartbeats or they keep partitions they must
 * give up past their rebalance timeout (the alarm, `tick`). Every state
 * change is made synchronously after the topic list was fetched, so
 * heartbeats never see one another half done.
 */
import type { Env } from "../../env";
import { ErrorCode, type Failure, failure, isFailure, retriable } from "../../errors";
import { limits } from "../../limits";
import type { AlarmClock } from "../../rpc/alarm-clock";
import type { GroupParts } from "../group-admin";
import { topicIndex } from "../lookups";
import { topicReadability, unreadable, type TopicReadable } from "../topic-access";
import { tpKey, type MemberState, type TopicIndex, type TopicPartition } from "../types";
import { kip848Members, memberFor, preferredAssignor, refused, takeHeartbeat } from "./kip848-members";
import { LEAVE_EPOCH, notConsumerGroup, requestProblem, STATIC_LEAVE_EPOCH, unknownInstance, unknownMember, fencedInstance } from "./kip848-rules";
import { byTopic, kip848Topics, named, topicsSignature } from "./kip848-topics";
import type { Kip848Configs, Kip848HeartbeatArgs, Kip848HeartbeatOk } from "./kip848-types";
import { reconcile } from "./reconcile";
import { DEFAULT_SERVER_ASSIGNOR, isServerAssignor, targetAssignment } from "./server-assignors";

/** The topic list a group plans with, and when it was fetched. */
interface TopicView {
  ok: true;
  topics: TopicIndex;
  readable: TopicReadable;
  atMs: number;
}

export class ConsumerGroup {
  private view: TopicView | null = null;
  /** The view whose signature was last compared with the one the target was planned with. */
  private checkedView: TopicView | null = null;

  constructor(
    private readonly g: GroupParts,
    private readonly alarms: AlarmClock,
  ) {}

  private get env(): Env {
    return this.g.env;
  }

  /** A ConsumerGroupHeartbeat: the member's epoch, and its partitions when they changed (see the file's comment). */
  async heartbeat(groupId: string, a: Kip848HeartbeatArgs): Promise<Kip848HeartbeatOk | Failure> {
    const problem = requestProblem(a);
    if (problem !== null) return problem;
    if (a.memberEpoch === LEAVE_EPOCH || a.memberEpoch === STATIC_LEAVE_EPOCH) return this.leave(groupId, a);
    if (a.subscribedTopicNames !== null) {
      const denied = await unreadable(this.env, a.principal, a.subscribedTopicNames, "consumer.subscribe");
      if (denied !== null) return denied;
    }
    if (a.memberEpoch === 0) {
      const listed = await this.g.membership.register(groupId);
      if (!listed.ok) return listed;
    }
    const view = await this.topicView(Date.now() - limits.consumerGroupTopicsRefreshMs);
    if (!view.ok) return view;
    return this.beat(groupId, a, view, Date.now());
  }

  /** The heartbeat's changes, all at once (nothing awaited). */
  private beat(groupId: string, a: Kip848HeartbeatArgs, view: TopicView, nowMs: number): Kip848HeartbeatOk | Failure {
    const kind = this.kindProblem(groupId, a.memberEpoch);
    if (kind !== null) return kind;
    const owned = a.ownedPartitions === null ? null : named(a.ownedPartitions, view.topics);
    const m = memberFor(this.g, groupId, a, owned, nowMs);
    if (refused(m)) return m;
    const before = m.assignment;
    const first = this.g.kip848.groupType(this.g.members.all()) !== "consumer";
    const changed = takeHeartbeat(m, a, this.g.kip848.configs.sessionTimeoutMs, nowMs);
    this.g.members.save(m);
    if (first) this.g.kip848.markConsumer();
    if (first || changed || this.topicsMoved(view)) this.g.membership.bumpEpoch();
    if (this.g.membership.generation > this.g.kip848.targetEpoch) this.plan(view);
    this.reconcileMember(m, owned, view, nowMs);
    this.schedule();
    const full = a.memberEpoch === 0 || (a.rebalanceTimeoutMs !== -1 && a.subscribedTopicNames !== null && a.ownedPartitions !== null);
    const sameAssignment = before.length === m.assignment.length && before.every((tp, i) => tpKey(tp) === tpKey(m.assignment[i]!));
    return {
      ok: true,
      memberId: m.memberId,
      memberEpoch: m.kip848!.memberEpoch,
      heartbeatIntervalMs: this.g.kip848.configs.heartbeatIntervalMs,
      assignment: full || !sameAssignment ? byTopic(m.assignment, view.topics) : null,
    };
  }

  /**
   * GROUP_ID_NOT_FOUND when the group is not a KIP-848 group: it has
   * classic members, or — for any heartbeat but a join — it never was
   * one. While a classic change of an empty group is under way (a classic
   * member joining, or the last one leaving), COORDINATOR_NOT_AVAILABLE:
   * the member asks again once it settled.
   */
  private kindProblem(groupId: string, epoch: number): Failure | null {
    const all = this.g.members.all();
    if (all.some((m) => m.kip848 === undefined)) return notConsumerGroup(groupId, true);
    if (all.length === 0 && this.g.membership.rebalancing) return retriable("COORDINATOR_NOT_AVAILABLE", `a classic change of group ${groupId} is under way; retry`);
    if (epoch !== 0 && this.g.kip848.groupType(all) !== "consumer") return notConsumerGroup(groupId, this.g.membership.serves(groupId));
    return null;
  }

  /** Whether what the subscriptions resolve to moved since the target was planned (checked once per topic list fetched). */
  private topicsMoved(view: TopicView): boolean {
    if (this.checkedView === view) return false;
    this.checkedView = view;
    return topicsSignature(kip848Members(this.g), view.topics, view.readable) !== this.g.kip848.topicsSeen;
  }

  /** Plans the target assignment of the group epoch with the group's server assignor. */
  private plan(view: TopicView): void {
    const members = kip848Members(this.g);
    const chosen = preferredAssignor(members, DEFAULT_SERVER_ASSIGNOR);
    const assignor = isServerAssignor(chosen) ? chosen : DEFAULT_SERVER_ASSIGNOR;
    const wants = members.map((m) => ({ memberId: m.memberId, instanceId: m.kip848!.instanceId, topics: kip848Topics(m.kip848!, m.principal, view.topics, view.readable), current: m.kip848!.target }));
    const counts = new Map([...view.topics].map(([name, t]) => [name, t.partitionsCount]));
    const target = targetAssignment(assignor, wants, counts);
    for (const m of members) {
      m.kip848!.target = target.get(m.memberId) ?? [];
      this.g.members.save(m);
    }
    this.g.kip848.targetEpoch = this.g.membership.generation;
    this.g.kip848.topicsSeen = topicsSignature(members, view.topics, view.readable);
  }

  /** One reconciliation step for `m` (reconcile.ts); a member that must give partitions up gets its rebalance timeout to do so. */
  private reconcileMember(m: MemberState, owned: TopicPartition[] | null, view: TopicView, nowMs: number): void {
    const k = m.kip848!;
    const others = new Set<string>();
    for (const o of kip848Members(this.g)) {
      if (o.memberId === m.memberId) continue;
      for (const tp of [...o.assignment, ...o.kip848!.pendingRevocation]) others.add(tpKey(tp));
    }
    const input = {
      memberEpoch: k.memberEpoch,
      previousMemberEpoch: k.previousMemberEpoch,
      state: k.state,
      assigned: m.assignment,
      pendingRevocation: k.pendingRevocation,
      targetEpoch: this.g.kip848.targetEpoch,
      target: k.target,
      subscribed: new Set(kip848Topics(k, m.principal, view.topics, view.readable)),
      owned,
      ownedByOther: (tp: TopicPartition) => others.has(tpKey(tp)),
    };
    const r = reconcile(input);
    if (r === input) return;
    const revokeDeadlineMs = r.state === "unrevoked" ? nowMs + k.rebalanceTimeoutMs : null;
    m.assignment = r.assigned;
    m.kip848 = { ...k, memberEpoch: r.memberEpoch, previousMemberEpoch: r.previousMemberEpoch, state: r.state, pendingRevocation: r.pendingRevocation, revokeDeadlineMs };
    this.g.members.save(m);
  }

  /**
   * A member leaving: with epoch -1 it is removed and the group epoch
   * moves (the others take its partitions on their next heartbeats); a
   * static member with -2 keeps its partitions, unread, until it comes
   * back under its instance id or its session ends.
   */
  private leave(groupId: string, a: Kip848HeartbeatArgs): Kip848HeartbeatOk | Failure {
    const all = this.g.members.all();
    if (this.g.kip848.groupType(all) !== "consumer") return notConsumerGroup(groupId, this.g.membership.serves(groupId));
    let m: MemberState | undefined;
    if (a.instanceId === null) {
      m = this.g.members.get(a.memberId);
      if (m?.kip848 === undefined) return unknownMember(groupId, a.memberId);
    } else {
      m = kip848Members(this.g).find((x) => x.kip848!.instanceId === a.instanceId);
      if (m === undefined) return unknownInstance(a.instanceId);
      if (m.memberId !== a.memberId) return fencedInstance(a.memberId, a.instanceId, m.memberId);
    }
    const heartbeatIntervalMs = this.g.kip848.configs.heartbeatIntervalMs;
    if (a.memberEpoch === STATIC_LEAVE_EPOCH) {
      m.kip848 = { ...m.kip848!, memberEpoch: STATIC_LEAVE_EPOCH, pendingRevocation: [], revokeDeadlineMs: null };
      this.g.members.save(m);
      return { ok: true, memberId: m.memberId, memberEpoch: STATIC_LEAVE_EPOCH, heartbeatIntervalMs, assignment: null };
    }
    this.remove([m]);
    return { ok: true, memberId: m.memberId, memberEpoch: LEAVE_EPOCH, heartbeatIntervalMs, assignment: null };
  }

  /** Removes members (left, fenced, timed out) and moves the group epoch once. */
  private remove(gone: MemberState[]): void {
    if (gone.length === 0) return;
    for (const m of gone) this.g.members.delete(m.memberId);
    this.g.membership.bumpEpoch();
    this.schedule();
  }

  /**
   * The alarm's share: members whose session ran out (no heartbeat for
   * the group's session timeout) or who kept partitions they must give up
   * past their rebalance timeout are removed; a change in what the
   * subscriptions resolve to moves the group epoch. Nothing when the
   * group is not a KIP-848 group.
   */
  async tick(nowMs: number): Promise<void> {
    if (kip848Members(this.g).length === 0) return;
    const { sessionTimeoutMs } = this.g.kip848.configs;
    const late = (m: MemberState) => nowMs - m.lastSeenMs > sessionTimeoutMs || (m.kip848!.revokeDeadlineMs !== null && nowMs > m.kip848!.revokeDeadlineMs);
    this.remove(kip848Members(this.g).filter(late));
    const view = await this.topicView(Date.now() - limits.consumerGroupTopicsRefreshMs);
    if (view.ok && kip848Members(this.g).length > 0 && this.topicsMoved(view)) this.g.membership.bumpEpoch();
    this.schedule();
  }

  /** The next alarm: the soonest session end or rebalance timeout of a member. */
  private schedule(): void {
    this.g.membership.schedule();
    const deadlines = kip848Members(this.g).flatMap((m) => (m.kip848!.revokeDeadlineMs === null ? [] : [m.kip848!.revokeDeadlineMs + 1]));
    if (deadlines.length > 0) void this.alarms.atOrBefore(Math.min(...deadlines)); // never rejects
  }

  /** Sets the group's configs (see GroupCoordinator.kafkaConsumerConfigure); a shorter session timeout ends sessions at the next alarm. */
  async configure(groupId: string, c: { [K in keyof Kip848Configs]?: number | null }): Promise<({ ok: true } & Kip848Configs) | Failure> {
    const now = this.g.kip848.configs;
    const session = c.sessionTimeoutMs === null ? limits.consumerGroupSessionTimeoutMsDefault : (c.sessionTimeoutMs ?? now.sessionTimeoutMs);
    const heartbeat = c.heartbeatIntervalMs === null ? limits.consumerGroupHeartbeatIntervalMsDefault : (c.heartbeatIntervalMs ?? now.heartbeatIntervalMs);
    if (!Number.isSafeInteger(session) || session < limits.sessionTimeoutMsMin || session > limits.sessionTimeoutMsMax) {
      return failure(ErrorCode.BAD_REQUEST, `INVALID_CONFIG: consumer.session.timeout.ms must be within [${limits.sessionTimeoutMsMin}, ${limits.sessionTimeoutMsMax}]`, "INVALID_CONFIG");
    }
    if (!Number.isSafeInteger(heartbeat) || heartbeat < HEARTBEAT_INTERVAL_MS_MIN || heartbeat >= session) {
      return failure(ErrorCode.BAD_REQUEST, `INVALID_CONFIG: consumer.heartbeat.interval.ms must be at least ${HEARTBEAT_INTERVAL_MS_MIN} and below consumer.session.timeout.ms (${session})`, "INVALID_CONFIG");
    }
    const listed = await this.g.membership.register(groupId);
    if (!listed.ok) return listed;
    this.g.kip848.setConfigs(c);
    for (const m of kip848Members(this.g)) {
      m.config = { ...m.config, sessionTimeoutMs: session };
      this.g.members.save(m);
    }
    this.schedule();
    return { ok: true, ...this.g.kip848.configs };
  }

  /** The topic list, fetched again when the one held is older than `olderThanMs` (epoch ms). */
  async topicView(olderThanMs: number): Promise<TopicView | Failure> {
    if (this.view !== null && this.view.atMs >= olderThanMs) return this.view;
    const atMs = Date.now();
    const listed = await topicIndex(this.env);
    if (isFailure(listed)) return listed;
    const readable = await topicReadability(this.env);
    if (this.view === null || this.view.atMs < atMs) this.view = { ok: true, topics: listed.topics, readable, atMs };
    return this.view;
  }
}

/** The shortest heartbeat interval a group may set (ms). */
const HEARTBEAT_INTERVAL_MS_MIN = 100;

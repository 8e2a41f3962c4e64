/**
 * Kafka consumers as members of a group: JoinGroup, SyncGroup, Heartbeat
 * and LeaveGroup from the front door. A Kafka member is one more kind of
 * member; the coordinator assigns every member's partitions (no client is
 * the leader), so a Kafka member learns its own from SyncGroup.
 *
 * Generations, as Kafka clients expect them: when the group rebalances
 * (anyone joins, leaves, times out, a topic appears), each Kafka member's
 * Heartbeat answers REBALANCE_IN_PROGRESS until it joins again. A JoinGroup
 * is held (parked, never polled) until the group has settled — no change
 * waiting or running, and every Kafka member has joined again since the
 * generation changed — so no Kafka member is told its new partitions while
 * another may still be reading them, as Kafka's eager rebalance rules. A
 * member that does not rejoin within the waiting members' rebalance
 * timeout is removed, as Kafka does. While it waits in JoinGroup a member
 * counts as alive; otherwise its session times out after its
 * session_timeout_ms without a heartbeat (or any other call).
 */
import { ErrorCode, failure, isFailure, type Failure } from "../../errors";
import { limits } from "../../limits";
import { logBug } from "../../rpc/boundary";
import type { GroupParts } from "../group-admin";
import { encodeAssignment } from "./kafka-consumer-protocol";
import { illegalGeneration, joinProblem, kafkaMember, rebalancing, type JoinChecked } from "./kafka-rules";
import { chooseProtocol, sharesProtocol } from "./kafka-protocol";
import { KAFKA_LEADER_ID, type KafkaJoinArgs, type KafkaJoinOk, type KafkaSyncOk } from "./kafka-types";
import { unreadable } from "../topic-access";
import { OK, type KafkaMemberInfo, type MemberConfig, type MemberState, type Ok, type TopicPartition } from "../types";
import { toBase64 } from "../../bytes/base64";

/** A JoinGroup waiting for the group to settle. */
interface Parked {
  resolve: (answer: KafkaJoinOk | Failure) => void;
  timer: ReturnType<typeof setTimeout>;
  /** What the member says it still owns (cooperative clients): it holds these once answered. */
  owned: TopicPartition[];
}

export class KafkaMembers {
  private readonly parked = new Map<string, Parked>();
  /** SyncGroups waiting for a running rebalance to settle. */
  private settledWaiters: (() => void)[] = [];

  constructor(private readonly g: GroupParts) {}

  /** Whether `memberId` waits in a JoinGroup (it counts as alive meanwhile). */
  waiting(memberId: string): boolean {
    return this.parked.has(memberId);
  }

  /** Whether a Kafka member's session has run out at `nowMs` (never while it waits in JoinGroup). */
  expired(m: MemberState, nowMs: number): boolean {
    return !this.parked.has(m.memberId) && nowMs - m.lastSeenMs > m.config.sessionTimeoutMs;
  }

  /**
   * JoinGroup: adds the member (member id "") or takes its new protocols
   * and subscription, then answers once the group has settled, with the
   * generation, the protocol every Kafka member offered, and a leader id
   * that is no member's. Refused: another protocol type, no protocol
   * shared with the group's Kafka members or no subscription Runnel can
   * read (INCONSISTENT_GROUP_PROTOCOL), a session timeout out of bounds
   * (INVALID_SESSION_TIMEOUT), a topic the principal may not READ (403),
   * an unknown member id (UNKNOWN_MEMBER_ID).
   */
  async join(groupId: string, a: KafkaJoinArgs): Promise<KafkaJoinOk | Failure> {
    const checked = joinProblem(a);
    if (isFailure(checked)) return checked;
    const denied = await unreadable(this.g.env, a.principal, checked.topics, "consumer.subscribe");
    if (denied !== null) return denied;
    const names = a.protocols.map((p) => p.name);
    if (!sharesProtocol(this.g.members.all().filter((m) => m.memberId !== a.memberId), names)) {
      return failure(ErrorCode.ILLEGAL_STATE, `INCONSISTENT_GROUP_PROTOCOL: group '${groupId}' uses protocols none of [${names.join(", ")}] matches`, "INCONSISTENT_GROUP_PROTOCOL");
    }
    const joined = a.memberId === "" ? await this.add(groupId, a, checked) : await this.rejoin(a, checked);
    if (!joined.ok) return joined;
    return this.park(joined.memberId, a.rebalanceTimeoutMs, checked.owned);
  }

  /** A new member, named after its client id. A full group is GROUP_MAX_SIZE_REACHED. */
  private async add(groupId: string, a: KafkaJoinArgs, checked: JoinChecked): Promise<{ ok: true; memberId: string } | Failure> {
    const memberId = `${a.clientId.slice(0, 64) || "kafka"}-${crypto.randomUUID()}`;
    const config: MemberConfig = { format: "binary", autoOffsetReset: "latest", autoCommit: false, sessionTimeoutMs: a.sessionTimeoutMs };
    const kafka: KafkaMemberInfo = { ...infoOf(a), joinedGeneration: 0, syncedGeneration: 0, held: [] };
    const added = await this.g.membership.add(groupId, { name: memberId, principal: a.principal, config }, "kafka", { topics: checked.topics }, { kafka });
    if (added.ok || added.error_code !== ErrorCode.OVERLOADED) return added;
    return failure(ErrorCode.OVERLOADED, `GROUP_MAX_SIZE_REACHED: ${added.message}`, "GROUP_MAX_SIZE_REACHED");
  }

  /** A member joining again: new protocols or topics rebalance the group; the same ones only wait for it to settle. */
  private async rejoin(a: KafkaJoinArgs, checked: JoinChecked): Promise<{ ok: true; memberId: string } | Failure> {
    const m = kafkaMember(this.g, a.memberId);
    if (isFailure(m)) return m;
    const sameTopics = sameList(m.subscription !== null && "topics" in m.subscription ? [...m.subscription.topics].sort() : [], [...checked.topics].sort());
    const sameProtocols = sameList(m.kafka!.protocols.map((p) => p.name), a.protocols.map((p) => p.name));
    const update = (m: MemberState) => {
      m.principal = a.principal;
      m.config = { ...m.config, sessionTimeoutMs: a.sessionTimeoutMs };
      m.kafka = { ...m.kafka!, ...infoOf(a) };
      m.subscription = { topics: checked.topics };
      m.lastSeenMs = Date.now();
    };
    if (sameTopics && sameProtocols) {
      update(m);
      this.g.members.save(m);
      return { ok: true, memberId: m.memberId };
    }
    const changed = await this.g.membership.change(() => {
      const now = kafkaMember(this.g, a.memberId);
      if (isFailure(now)) return now;
      update(now);
      return null;
    }, true);
    return changed.ok ? { ok: true, memberId: m.memberId } : changed;
  }

  /** Holds a JoinGroup until the group settles (`release`), or until its rebalance timeout (`overdue`). */
  private park(memberId: string, rebalanceTimeoutMs: number, owned: TopicPartition[]): Promise<KafkaJoinOk | Failure> {
    const earlier = this.parked.get(memberId);
    if (earlier !== undefined) {
      clearTimeout(earlier.timer);
      earlier.resolve(rebalancing("a newer JoinGroup of this member took the place of this one"));
    }
    const waitMs = Math.min(rebalanceTimeoutMs, limits.kafkaRebalanceTimeoutMsMax);
    return new Promise((resolve) => {
      const entry: Parked = { resolve, owned, timer: setTimeout(() => this.overdue(memberId, entry, waitMs), waitMs) };
      this.parked.set(memberId, entry);
      this.release();
    });
  }

  /** Every change so far has settled: waiting SyncGroups go on, and waiting JoinGroups may be answered. */
  settled(): void {
    const waiters = this.settledWaiters;
    this.settledWaiters = [];
    for (const w of waiters) w();
    this.release();
  }

  /**
   * Answers every waiting JoinGroup once the group has settled: no change
   * waiting or running, and every Kafka member waiting or joined in this
   * generation. Called after each park and whenever changes have settled.
   */
  private release(): void {
    if (this.parked.size === 0 || this.g.membership.rebalancing) return;
    const generation = this.g.membership.generation;
    if (this.g.members.all().some((m) => this.behind(m, generation))) return;
    const protocol = chooseProtocol(this.g.members.all())?.name;
    const nowMs = Date.now();
    for (const [memberId, p] of this.parked) {
      clearTimeout(p.timer);
      const m = this.g.members.get(memberId);
      if (m?.kafka === undefined) {
        p.resolve(failure(ErrorCode.CONSUMER_INSTANCE_NOT_FOUND, `UNKNOWN_MEMBER_ID: member '${memberId}' left the group while joining`, "UNKNOWN_MEMBER_ID"));
        continue;
      }
      m.kafka.joinedGeneration = generation;
      m.kafka.held = p.owned;
      m.lastSeenMs = nowMs;
      this.g.members.save(m);
      p.resolve({ ok: true, generation, protocol: protocol ?? m.kafka.protocols[0]!.name, leaderId: KAFKA_LEADER_ID, memberId });
    }
    this.parked.clear();
    this.g.membership.schedule();
  }

  /** A Kafka member not yet joined in `generation` and not waiting to: the group waits for it. */
  private behind(m: MemberState, generation: number): boolean {
    return m.kafka !== undefined && !this.parked.has(m.memberId) && m.kafka.joinedGeneration !== generation;
  }

  /**
   * A JoinGroup waited its whole rebalance timeout: the Kafka members that
   * have not joined again are removed (Kafka's rule), which settles the
   * group. When none is late, or they cannot be removed now, the JoinGroup
   * is answered REBALANCE_IN_PROGRESS, and the client joins again.
   */
  private overdue(memberId: string, entry: Parked, waitMs: number): void {
    const late = (m: MemberState) => this.behind(m, this.g.membership.generation);
    const run = async () => {
      if (this.parked.get(memberId) !== entry) return;
      if (this.g.members.all().some(late)) {
        const removed = await this.g.membership.removeWhere(late);
        if (removed.ok) {
          entry.timer = setTimeout(() => this.overdue(memberId, entry, waitMs), waitMs); // settling answers it; this is a safety net
          return;
        }
      }
      if (this.parked.get(memberId) !== entry) return;
      this.parked.delete(memberId);
      entry.resolve(rebalancing(`the group did not settle within the rebalance timeout (${waitMs} ms); join again`));
    };
    run().catch((e) => logBug("KafkaMembers.overdue", e, { group: this.g.membership.groupId, member: memberId }));
  }

  /**
   * SyncGroup: the member's partitions in the generation its JoinGroup
   * was answered with (ILLEGAL_GENERATION for any other). Waits for a
   * rebalance that is running; if the group has moved on since, answers
   * REBALANCE_IN_PROGRESS.
   */
  async sync(memberId: string, generation: number): Promise<KafkaSyncOk | Failure> {
    const m = kafkaMember(this.g, memberId);
    if (isFailure(m)) return m;
    m.lastSeenMs = Date.now();
    if (generation !== m.kafka!.joinedGeneration) return illegalGeneration(memberId, generation, m.kafka!.joinedGeneration);
    if (this.g.membership.rebalancing) await this.nextSettled(m.kafka!.rebalanceTimeoutMs);
    const now = kafkaMember(this.g, memberId);
    if (isFailure(now)) return now;
    if (generation !== this.g.membership.generation || this.g.membership.rebalancing) return rebalancing(`the group moved on to generation ${this.g.membership.generation}`);
    now.kafka!.syncedGeneration = generation;
    now.kafka!.held = now.assignment;
    this.g.members.save(now);
    const protocol = chooseProtocol(this.g.members.all())?.name ?? now.kafka!.protocols[0]!.name;
    return { ok: true, protocol, partitions: now.assignment, assignment: toBase64(encodeAssignment(now.assignment)) };
  }

  /** Resolves when changes have next settled, or after `timeoutMs` (capped by `kafkaRebalanceTimeoutMsMax`). */
  private nextSettled(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, Math.min(timeoutMs, limits.kafkaRebalanceTimeoutMsMax));
      this.settledWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * Heartbeat: a sign of life. REBALANCE_IN_PROGRESS when the group has
   * rebalanced since the member's JoinGroup was answered (or is about to),
   * ILLEGAL_GENERATION for a generation it was never given.
   */
  heartbeat(memberId: string, generation: number): Ok | Failure {
    const m = kafkaMember(this.g, memberId);
    if (isFailure(m)) return m;
    m.lastSeenMs = Date.now();
    if (generation !== m.kafka!.joinedGeneration) return illegalGeneration(memberId, generation, m.kafka!.joinedGeneration);
    if (generation !== this.g.membership.generation || this.g.membership.rebalancing) return rebalancing("join the group again");
    return OK;
  }

  /** LeaveGroup: the members leave at once (one rebalance); each unknown id gets UNKNOWN_MEMBER_ID. */
  async leave(memberIds: string[]): Promise<{ ok: true; members: { memberId: string; error: string | null }[] } | Failure> {
    const known = memberIds.filter((id) => !isFailure(kafkaMember(this.g, id)));
    for (const id of known) {
      const p = this.parked.get(id);
      if (p === undefined) continue;
      clearTimeout(p.timer);
      this.parked.delete(id);
      p.resolve(failure(ErrorCode.CONSUMER_INSTANCE_NOT_FOUND, `UNKNOWN_MEMBER_ID: member '${id}' left the group`, "UNKNOWN_MEMBER_ID"));
    }
    if (known.length > 0) {
      const left = await this.g.membership.change(() => {
        for (const id of known) this.g.members.delete(id);
        return null;
      });
      if (!left.ok) return left;
    }
    return { ok: true, members: memberIds.map((memberId) => ({ memberId, error: known.includes(memberId) ? null : "UNKNOWN_MEMBER_ID" })) };
  }
}

/** The member state a JoinGroup sets. */
function infoOf(a: KafkaJoinArgs): Pick<KafkaMemberInfo, "clientId" | "clientHost" | "rebalanceTimeoutMs" | "protocols"> {
  return { clientId: a.clientId, clientHost: a.clientHost, rebalanceTimeoutMs: a.rebalanceTimeoutMs, protocols: a.protocols };
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

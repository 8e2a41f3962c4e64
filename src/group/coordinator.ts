/**
 * The coordinator of one consumer group (named by the group id), a
 * Durable Object: only its RPC surface and lifecycle are here. Members and
 * rebalances are membership.ts (stored by member-store.ts), read positions
 * positions.ts, committed offsets offset-store.ts, admin group-admin.ts and
 * group-delete.ts, WebSocket subscribers ws-delivery.ts (through a narrow host interface),
 * Kafka consumers kafka-members.ts and kafka-offsets.ts (their RPC methods
 * in kafka-calls.ts), KIP-848 consumer groups kip848/; the v2 poll loop
 * runs in the Worker (consumer-poll.ts). Every RPC method
 * is wrapped by the error boundary (`guardRpc`) and returns `{ ok: true, … }
 * | Failure`; the internals are instance fields, which RPC does not expose.
 */
import type { Env } from "../env";
import type { RecordFormat } from "../fetch/format";
import { bodyOf, ErrorCode, type Failure } from "../errors";
import { logBug } from "../rpc/boundary";
import { deleteGroup, deleteOffsets, type OffsetsDeleted } from "./group-delete";
import { KafkaGroupCalls } from "./kafka-calls";
import { describeGroup, GroupCounters, groupLags, resetGroupOffsets, type GroupParts } from "./group-admin";
import { KafkaMembers } from "./kafka/kafka-members";
import { ConsumerGroup } from "./kip848/consumer-group";
import { Kip848Store } from "./kip848/kip848-store";
import { MemberStore } from "./member-store";
import { Membership } from "./membership";
import { OffsetStore } from "./offset-store";
import { OffsetsLog } from "./offsets-log";
import { deliveryHost } from "./ws/delivery-host";
import {
  advanceMember, assignByHand, commitOffsets, committedOffsets, ownedBy, pollPlan, removeOne, resetMemberPositions, seekMember, subscribeOncePlan,
  subscriptionOf,
} from "./member-calls";
import { GROUP_SCHEMA } from "./schema";
import { unreadable } from "./topic-access";
import { patternProblem } from "./topic-pattern";
import {
  OK, type CommitOk, type CommittedOffset, type CreateMemberArgs, type GroupDescription, type LagRow, type MemberState, type Ok, type OffsetChange,
  type PollOk, type PositionMove, type SeekTarget, type Subscription, type TopicPartition,
} from "./types";
import { WsDelivery } from "./ws/ws-delivery";
import { answerClose } from "./ws/ws-socket";

export class GroupCoordinator extends KafkaGroupCalls {
  readonly #members: MemberStore;
  readonly #offsets: OffsetStore;
  readonly #membership: Membership;
  /** WebSocket subscribers (sockets this object owns). Not reachable over RPC (instance fields are not). */
  readonly delivery: WsDelivery;
  readonly #kafka: KafkaMembers;
  readonly #consumers: ConsumerGroup;
  readonly #parts: GroupParts;
  readonly #log: OffsetsLog;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, GROUP_SCHEMA);
    const sql = this.sql;
    this.#members = new MemberStore(sql);
    this.#offsets = new OffsetStore(sql);
    this.#log = new OffsetsLog(() => this.#parts, this.alarms);
    this.#offsets.onWrite = () => this.#log.soon(); // every commit, of every kind, goes to __consumer_offsets
    const settled = () => this.#kafka.settled();
    const rebalanced = () => {
      this.#log.soon(); // a new generation's group metadata goes to __consumer_offsets too
      return this.delivery.rebalanced();
    };
    this.#membership = new Membership(sql, this.alarms, () => this.env, this.#members, this.#offsets, rebalanced, settled);
    const self = this;
    this.#parts = {
      get env() {
        return self.env;
      },
      membership: this.#membership,
      members: this.#members,
      offsets: this.#offsets, counters: new GroupCounters(ctx), // counters: delivered records, the answer to a scrape (group/metrics.ts)
      kip848: new Kip848Store(sql),
    };
    this.delivery = new WsDelivery(deliveryHost(ctx, this.#parts, this));
    this.#kafka = new KafkaMembers(this.#parts);
    this.#consumers = new ConsumerGroup(this.#parts, this.alarms);
    this.kafkaCalls = { parts: this.#parts, kafka: this.#kafka, consumers: this.#consumers };
    // Sockets survive hibernation but not a restart: a subscriber without one has left (if the group cannot rebalance now, the alarm retries).
    const socketless = (m: MemberState) => m.kind === "ws" && ctx.getWebSockets(m.memberId).length === 0;
    if (this.#members.all().some(socketless)) {
      const removed = this.#membership.removeWhere(socketless).then((done) => (done.ok ? undefined : this.#membership.schedule()));
      void ctx.blockConcurrencyWhile(() => removed.catch((e) => logBug("GroupCoordinator.constructor", e, this.logContext())));
    }
  }

  /** What a bug report says about this group. */
  logContext(): Record<string, unknown> {
    return { object: "GroupCoordinator", group: this.#membership.groupId, generation: this.#membership.generation, members: this.#members.size };
  }

  // ---- members ------------------------------------------------------------

  /** Adds a member (an HTTP instance unless `kind` says ws). A taken name is 40902. */
  async createMember(groupId: string, args: CreateMemberArgs, kind: "http" | "ws" = "http"): Promise<{ ok: true; memberId: string } | Failure> {
    return this.#membership.add(groupId, args, kind, null);
  }

  /** Removes a member (leaving the group: its partitions are reassigned; an auto-committing one commits first). */
  async removeMember(memberId: string): Promise<Ok | Failure> {
    return removeOne(this.#parts, memberId);
  }

  /**
   * Subscribes a member, as `principal`, to a topic list (each topic it
   * may READ, else 403 naming it) or a pattern (RE2, matching whole
   * names; 42206 when it cannot be matched; it takes only topics the
   * principal may READ).
   */
  async subscribe(memberId: string, subscription: Subscription, principal: string): Promise<Ok | Failure> {
    const problem = "pattern" in subscription ? patternProblem(subscription.pattern) : await unreadable(this.env, principal, subscription.topics, "consumer.subscribe");
    return problem ?? this.#membership.takePart(memberId, subscription, null, principal);
  }

  /** Drops a member's subscription and any partitions assigned by hand. */
  async unsubscribe(memberId: string, principal: string): Promise<Ok | Failure> {
    return this.#membership.takePart(memberId, null, null, principal);
  }

  /** A member's subscription and the topics it names or matches now. */
  async subscription(memberId: string): Promise<{ ok: true; subscription: Subscription | null; topics: string[] } | Failure> {
    return subscriptionOf(this.#parts, memberId);
  }

  /** The partitions this member owns now: by hand, or by the group. */
  async assignments(memberId: string): Promise<{ ok: true; partitions: TopicPartition[] } | Failure> {
    return ownedBy(this.#parts, memberId);
  }

  /** Assigns partitions by hand (no group management for this member); each must exist, and `principal` may READ it. */
  async assignManually(memberId: string, partitions: TopicPartition[], principal: string): Promise<Ok | Failure> {
    return assignByHand(this.#parts, memberId, partitions, principal);
  }

  // ---- HTTP consumption (the poll loop is consumer-poll.ts, in the Worker) --

  /**
   * A records request by `principal`: counts as a heartbeat, auto-commits
   * what was returned so far, and says where to read each owned partition
   * from (only those of `topic`, when given); 40601 when the client
   * accepts none of the instance's `formats`. See member-calls.ts.
   */
  async poll(memberId: string, principal: string, topic: string | undefined, formats: RecordFormat[]): Promise<PollOk | Failure> {
    return pollPlan(this.#parts, memberId, principal, topic, formats);
  }

  /**
   * The v1 read of one topic (`GET …/topics/{t}`), before its poll: the first such read
   * subscribes a member that takes no part yet to that topic; a member
   * that takes part in another way (other topics, a pattern, by hand) is 40901.
   */
  async subscribeOnce(memberId: string, topic: string, principal: string, formats: RecordFormat[]): Promise<Ok | Failure> {
    const first = subscribeOncePlan(this.#parts, memberId, topic, formats);
    return first === "subscribe" ? this.subscribe(memberId, { topics: [topic] }, principal) : first;
  }

  /**
   * Moves positions past records returned to the member; a move counts
   * only where it still owns the partition and has not moved meanwhile.
   * `accepted`: the partitions whose records the member may be sent.
   */
  async advance(memberId: string, moves: PositionMove[]): Promise<{ ok: true; accepted: TopicPartition[] } | Failure> {
    return advanceMember(this.#parts, memberId, moves);
  }

  /** A member's positions for `partitions` were out of range (or their topic was created again): reset them by auto.offset.reset. */
  async resetPositions(memberId: string, partitions: TopicPartition[]): Promise<Ok | Failure> {
    return resetMemberPositions(this.#parts, memberId, partitions);
  }

  /**
   * Commits offsets by `principal` (or, with null, everything returned so
   * far): each the next offset to read, or with `lastConsumed` the last
   * offset consumed (stored as offset + 1); see member-calls.ts.
   */
  async commit(memberId: string, offsets: OffsetChange[] | null, principal: string, lastConsumed = false): Promise<CommitOk | Failure> {
    return commitOffsets(this.#parts, memberId, offsets, principal, lastConsumed);
  }

  /** Committed offsets of `partitions` (null: every partition the member owns; others need READ); a deleted topic has none. */
  async committed(memberId: string, partitions: TopicPartition[] | null, principal: string): Promise<{ ok: true; offsets: CommittedOffset[] } | Failure> {
    return committedOffsets(this.#parts, memberId, partitions, principal);
  }

  /** Moves positions by offset, time, or to either end, for partitions the member owns (40904 otherwise) of topics `principal` may READ (403). */
  async seek(memberId: string, targets: (TopicPartition & SeekTarget)[], principal: string): Promise<Ok | Failure> {
    return seekMember(this.#parts, memberId, targets, principal, (m) => this.delivery.repositioned(m));
  }

  // ---- admin (group-admin.ts) ----------------------------------------------
  /** State, members, sockets, committed offsets and counters for GET /metrics (group/metrics.ts); 40405 for a group never joined. */
  async metrics(): Promise<ReturnType<GroupCounters["snapshot"]>> { return this.#parts.counters.snapshot(this.#parts); }

  /** State, generation, assignor, and members with their partitions; 40405 for a group never joined. */
  async describe(groupId: string): Promise<GroupDescription | Failure> {
    return describeGroup(this.#parts, groupId);
  }

  /** Lag per partition of every topic subscribed to or committed for: high watermark minus committed offset. */
  async lags(groupId: string): Promise<{ ok: true; rows: LagRow[] } | Failure> {
    return groupLags(this.#parts, groupId);
  }

  /** Sets committed offsets for a topic (or some of its partitions); only while the group has no live members (40903). */
  async resetOffsets(groupId: string, topic: string, partitions: number[] | null, target: SeekTarget): Promise<{ ok: true; offsets: CommittedOffset[] } | Failure> {
    return resetGroupOffsets(this.#parts, groupId, topic, partitions, target);
  }

  /** Kafka's DeleteGroups: a group without members goes, with its committed offsets (NON_EMPTY_GROUP while it has any). */
  async deleteGroup(groupId: string): Promise<Ok | Failure> {
    return deleteGroup(this.#parts, groupId);
  }

  /** Kafka's OffsetDelete: forgets a topic's committed offsets (`partitions` null: all) while no member subscribes to it. */
  async deleteOffsets(groupId: string, topic: string, partitions: number[] | null): Promise<OffsetsDeleted | Failure> {
    return deleteOffsets(this.#parts, groupId, topic, partitions);
  }

  // ---- lifecycle: WebSocket subscribers (ws-delivery.ts) and the alarm ------

  /** A partition this group watches has new records: deliver them. */
  async notify(topic: string, partition: number): Promise<Ok | Failure> {
    this.delivery.arrived({ topic, partition });
    return OK;
  }

  override async fetch(request: Request): Promise<Response> {
    try {
      return await this.delivery.accept(request);
    } catch (e) {
      const bugId = logBug("GroupCoordinator.fetch", e, this.logContext());
      return Response.json(bodyOf(ErrorCode.INTERNAL, `internal error; the server logged it as bug ${bugId}`, "UNKNOWN_SERVER_ERROR"), { status: 500 });
    }
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    await this.delivery.message(ws, message).catch((e) => logBug("GroupCoordinator.webSocketMessage", e, this.logContext()));
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    try {
      await this.delivery.closed(ws).catch((e) => logBug("GroupCoordinator.webSocketClose", e, this.logContext()));
    } finally {
      // The Hibernation API does not answer a client's Close frame: without ours the client waits in CLOSING, then sees 1006.
      answerClose(ws, code, reason);
    }
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    await this.delivery.closed(ws).catch((e) => logBug("GroupCoordinator.webSocketError", e, this.logContext()));
  }

  /**
   * Session timeouts (a subscriber without a socket has left too),
   * subscribed topics that changed, pings to sockets. A rebalance that
   * cannot run now (the controller did not answer) is tried at the next alarm.
   */
  protected override async onAlarm(): Promise<void> {
    try {
      const nowMs = Date.now();
      await this.#consumers.tick(nowMs); // KIP-848 members (a group is one kind at a time)
      const expired = (m: MemberState) => {
        if (m.kind === "kip848") return false;
        if (m.kind === "kafka") return this.#kafka.expired(m, nowMs);
        if (m.kind === "ws" && this.delivery.joining(m.memberId)) return false; // its socket is being accepted
        const lastMs = m.kind === "ws" ? this.delivery.lastSeenMs(m.memberId) : m.lastSeenMs;
        return lastMs === null || nowMs - lastMs > m.config.sessionTimeoutMs;
      };
      if (this.#members.all().some(expired) || (await this.#membership.topicsChanged()) === true) {
        await this.#membership.removeWhere(expired, (memberId) => this.delivery.drop(memberId, 4408, "session timed out"));
      }
      this.delivery.ping();
      this.delivery.kickAll(); // a safety net for a lost notification (a partition that restarted, say)
      await this.#log.flush();
    } finally { // a bug is logged by RunnelObject
      this.#membership.schedule();
    }
  }
}

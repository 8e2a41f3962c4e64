/**
 * The controller: the one object that knows every topic, its id, its
 * partition count, its configs, and each partition's role (leader, leader
 * epoch, ISR). Admin changes and leadership changes are serialised
 * through it; the partition replicas hold the data. Its tables are kept
 * by `TopicStore`, the work it owes replicas by `ReplicaTasks`, and its
 * calls about leadership are in `hand-over.ts`.
 *
 * Every RPC method is guarded (`guardRpc`) and returns `{ok: true, …} |
 * Failure`; helpers are `#private` or on those modules, so nothing else
 * can be called through a stub.
 */
import { brokersOf } from "../cluster/brokers";
import type { Env } from "../env";
import { ErrorCode, failure, retriable, type Failure } from "../errors";
import { inputProblem } from "../input";
import { limits } from "../limits";
import type { PartitionRole } from "../replication/types";
import { RunnelObject } from "../rpc/runnel-object";
import { configsConflict, resolveConfigs, withChanges } from "../topic/configs";
import type { ConfigChange, CreateTopicArgs, TopicInfo, TopicMeta } from "../topic/types";
import { checkCreateTopic, PartitionsCount } from "../topic/validate";
import type { AlertRequest, AlertsOk } from "../alerts/alert-rules";
import { Alerting } from "../alerts/alerting";
import { electAfterFailure, preferredLeaderRole } from "./election";
import { answers, tellRole } from "./hand-over";
import { ControllerCounters, controllerMetrics, type ControllerMetricsOk } from "./metrics";
import { ProducerIds } from "./producer-ids";
import { ReplicaTasks } from "./replica-tasks";
import { SubscriptionNames } from "./subscription-names";
import { CONTROLLER_SCHEMA } from "./schema";
import { TopicStore } from "./topic-store";

type Ok = { ok: true };
type RoleOk = { ok: true; role: PartitionRole };

export class Controller extends RunnelObject {
  /** Topics and partition roles. Not reachable over RPC. */
  readonly store: TopicStore;
  /** Wipes, config pushes and replica creation owed. Not reachable over RPC. */
  readonly tasks: ReplicaTasks;
  /** The producer id counter. Not reachable over RPC. */
  readonly producerIds: ProducerIds;
  /** Counters of leadership events (GET /metrics). Not reachable over RPC. */
  readonly counters: ControllerCounters;
  /** Alert rules, evaluated from the alarm. Not reachable over RPC. */
  readonly alerting: Alerting;
  /** The push subscriptions' names. Not reachable over RPC. */
  readonly subscriptions: SubscriptionNames;
  /** `limits.topicsCountMax`; tests lower it to reach it. */
  topicsCountMax: number = limits.topicsCountMax;
  /** Admin changes run one at a time, so a create cannot race a delete. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, CONTROLLER_SCHEMA);
    this.store = new TopicStore(this.sql, env);
    this.tasks = new ReplicaTasks(this.sql, this.alarms, env, this.store);
    this.producerIds = new ProducerIds(this.sql);
    this.counters = new ControllerCounters(this.sql);
    this.subscriptions = new SubscriptionNames(this.sql);
    this.alerting = new Alerting(this.sql, this.alarms, env, this.store, this.counters, () => this.subscriptions.list());
  }

  /** Hands out a fresh producer id, epoch 0 (Kafka's InitProducerId without a transactional id). Never the same id twice. */
  async initProducerId(): Promise<{ ok: true; producerId: number; producerEpoch: number } | Failure> {
    return this.producerIds.next();
  }

  /** How many producer ids were handed out: every id below `issued` was, none at or above it. */
  async producerIdsIssued(): Promise<{ ok: true; issued: number } | Failure> {
    return { ok: true, issued: this.producerIds.issued() };
  }

  /** Notes a consumer group, so that it is listed. Idempotent. */
  async registerGroup(groupId: string): Promise<Ok | Failure> {
    this.sql.exec("INSERT OR IGNORE INTO groups (group_id, created_at_ms) VALUES (?, ?)", groupId, Date.now());
    return { ok: true };
  }

  /** Every consumer group ever registered, by id. */
  async listGroups(): Promise<{ ok: true; groups: string[] } | Failure> {
    return { ok: true, groups: this.#groupIds() };
  }

  /** Lists push subscription `name` (its object calls this when it is made); 400 past `limits.subscriptionsCountMax`. */
  async registerSubscription(name: string): Promise<Ok | Failure> {
    return this.subscriptions.register(name, Date.now());
  }

  /** Stops listing push subscription `name` (its object calls this when it is deleted). */
  async unregisterSubscription(name: string): Promise<Ok | Failure> {
    this.subscriptions.unregister(name);
    return { ok: true };
  }

  /** Every push subscription, by name. */
  async listSubscriptions(): Promise<{ ok: true; subscriptions: string[] } | Failure> {
    return { ok: true, subscriptions: this.subscriptions.list() };
  }

  /** Every topic, by name. */
  async listTopics(): Promise<{ ok: true; topics: TopicInfo[] } | Failure> {
    return { ok: true, topics: this.store.list() };
  }

  /** One topic with its partitions' leaders, epochs and ISRs, or UNKNOWN_TOPIC_OR_PARTITION. */
  async getTopic(name: string): Promise<({ ok: true } & TopicMeta) | Failure> {
    const topic = this.store.find(name);
    return topic === null ? unknownTopic(name) : { ok: true, ...topic, partitions: this.store.roles(topic) };
  }

  /**
   * A leader's proposal to change its ISR (drop laggards, take back
   * followers that caught up). Accepted only from the current leader in
   * its epoch; may hand leadership back to the preferred replica.
   */
  async alterIsr(args: { topicId: string; partition: number; leaderEpoch: number; isr: number[] }): Promise<RoleOk | Failure> {
    return this.#serially(async () => {
      const found = this.#partition(args.topicId, args.partition);
      if (!("role" in found)) return found;
      const { topic, role } = found;
      if (role.leaderEpoch !== args.leaderEpoch) return failure(ErrorCode.FENCED_LEADER_EPOCH, `epoch ${args.leaderEpoch} is not current (${role.leaderEpoch})`);
      const isr = role.replicas.filter((b) => args.isr.includes(b));
      if (!isr.includes(role.leader)) return failure(ErrorCode.BAD_REQUEST, "the leader must stay in its ISR");
      let next: PartitionRole = { ...role, isr };
      this.counters.roleChanged(role, next);
      this.store.saveRole(topic.topicId, args.partition, next);
      const preferred = preferredLeaderRole(next);
      if (preferred !== null) next = await this.#handOver(topic, args.partition, next, preferred);
      return { ok: true, role: next };
    });
  }

  /**
   * A Worker could not reach a partition's leader. If the leader of that
   * epoch indeed does not answer, elects another from the ISR (or, when
   * the topic allows unclean election, from any replica) in a new epoch.
   */
  async leaderUnreachable(args: { topicId: string; partition: number; leaderEpoch: number }): Promise<RoleOk | Failure> {
    return this.#serially(async () => {
      const found = this.#partition(args.topicId, args.partition);
      if (!("role" in found)) return found;
      const { topic, role } = found;
      if (role.leaderEpoch !== args.leaderEpoch) return { ok: true, role }; // already handled
      if (role.leader >= 0 && (await answers(this.env, topic.topicId, args.partition, role.leader))) return { ok: true, role };
      const reachable = new Set<number>();
      await Promise.all(role.replicas.map(async (b) => {
        if (b !== role.leader && (await answers(this.env, topic.topicId, args.partition, b))) reachable.add(b);
      }));
      const unclean = resolveConfigs(topic.configs)["unclean.leader.election.enable"];
      const next = electAfterFailure(role, role.leader, reachable, unclean);
      if (next === role) return { ok: true, role }; // still no replica to lead
      return { ok: true, role: await this.#handOver(topic, args.partition, role, next) };
    });
  }

  /** Creates a topic: every replica is initialised before the topic becomes visible. */
  async createTopic(args: CreateTopicArgs): Promise<({ ok: true } & TopicInfo) | Failure> {
    return this.#serially(async () => {
      const checked = checkCreateTopic(args, brokersOf(this.env).length);
      if (!checked.ok) return failure(ErrorCode.BAD_REQUEST, checked.message, checked.errorName);
      const { topicName: name, partitionsCount, replicationFactor, configs } = checked.value;
      if (this.store.find(name) !== null) return failure(ErrorCode.TOPIC_ALREADY_EXISTS, `topic '${name}' already exists`);
      if (this.store.count() >= this.topicsCountMax) return failure(ErrorCode.BAD_REQUEST, `the cluster has the most topics allowed (${this.topicsCountMax})`, "POLICY_VIOLATION");
      const topic: TopicInfo = {
        topicName: name,
        topicId: crypto.randomUUID(),
        partitionsCount,
        replicationFactor,
        configs,
        createdAtMs: Date.now(),
      };
      if (!(await this.tasks.initPartitions(topic, 0, topic.partitionsCount))) {
        this.tasks.owesWipe(topic);
        await this.tasks.settleWipe(topic.topicId);
        return retriable("BROKER_NOT_AVAILABLE", `could not create topic '${name}': a partition replica did not answer; try again`);
      }
      this.ctx.storage.transactionSync(() => this.store.insert(topic));
      return { ok: true, ...topic };
    });
  }

  /** Deletes a topic at once; its replicas' storage is wiped now or, failing that, by the alarm. */
  async deleteTopic(name: string): Promise<Ok | Failure> {
    return this.#serially(async () => {
      const topic = this.store.find(name);
      if (topic === null) return unknownTopic(name);
      this.ctx.storage.transactionSync(() => {
        this.store.remove(topic.topicId);
        this.tasks.forgetConfigPush(topic.topicId);
        this.tasks.owesWipe(topic);
      });
      await this.tasks.settleWipe(topic.topicId);
      return { ok: true };
    });
  }

  /** Raises the partition count (a larger one, else INVALID_PARTITIONS); new partitions start empty, existing ones keep every record. */
  async increasePartitions(name: string, partitionsCount: unknown): Promise<({ ok: true } & TopicInfo) | Failure> {
    return this.#serially(async () => {
      const topic = this.store.find(name);
      if (topic === null) return unknownTopic(name);
      const problem = inputProblem(PartitionsCount, partitionsCount, "partitions_count");
      if (problem !== null) return failure(ErrorCode.BAD_REQUEST, problem, "INVALID_PARTITIONS");
      const count = partitionsCount as number;
      // Kafka's CreatePartitions (and so Confluent's PATCH) refuses the same count as well as fewer.
      if (count <= topic.partitionsCount) return failure(ErrorCode.BAD_REQUEST, `partitions_count can only grow: topic '${name}' has ${topic.partitionsCount}, asked ${count}`, "INVALID_PARTITIONS");
      if (!(await this.tasks.initPartitions(topic, topic.partitionsCount, count))) {
        return retriable("BROKER_NOT_AVAILABLE", "a new partition replica did not answer; try again");
      }
      this.ctx.storage.transactionSync(() => this.store.grow(topic, count));
      return { ok: true, ...topic, partitionsCount: count };
    });
  }

  /** Applies config changes all together (already validated by the caller's parse). */
  async alterConfigs(name: string, changes: ConfigChange[]): Promise<({ ok: true } & TopicInfo) | Failure> {
    return this.#serially(async () => {
      const topic = this.store.find(name);
      if (topic === null) return unknownTopic(name);
      const configs = withChanges(topic.configs, changes);
      const conflict = configsConflict(configs);
      if (conflict !== null) return failure(ErrorCode.BAD_REQUEST, conflict, "INVALID_CONFIG");
      this.ctx.storage.transactionSync(() => {
        this.store.setConfigs(topic.topicId, configs);
        this.tasks.owesConfigPush(topic.topicId);
      });
      await this.tasks.settleConfigPush(topic.topicId);
      return { ok: true, ...topic, configs };
    });
  }

  /** Topics with their partitions' roles, groups, counters and alert states, for GET /metrics (see metrics.ts). */
  async metrics(): Promise<ControllerMetricsOk | Failure> {
    return controllerMetrics(this.store, this.counters, this.#groupIds(), this.alerting.alerts.all(), this.subscriptions.list());
  }

  /** Creates, lists, reads or deletes alert rules (see alerting.ts). */
  async alerts(request: AlertRequest): Promise<AlertsOk | Failure> {
    return this.alerting.handle(request);
  }

  /**
   * Retries the wipes and config pushes replicas missed, then evaluates
   * the alert rules and delivers their notices (which never throws). A
   * bug in the first is logged by RunnelObject and the alarm set again.
   */
  protected override async onAlarm(): Promise<void> {
    try {
      await this.tasks.settleAll();
    } finally {
      await this.alerting.alarm();
    }
  }

  logContext(): Record<string, unknown> {
    return { object: "Controller" };
  }

  #serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work, work);
    this.#queue = next.catch(() => undefined); // the failure goes to `next`'s caller; the queue only orders
    return next;
  }

  /** Partition `partition` of the topic with id `topicId` and its role, or why there is none. */
  #partition(topicId: string, partition: number): { topic: TopicInfo; role: PartitionRole } | Failure {
    const topic = this.store.findById(topicId);
    if (topic === null) return failure(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `no topic has id ${topicId} (it was deleted)`);
    const role = this.store.roles(topic)[partition];
    if (role === undefined) return failure(ErrorCode.UNKNOWN_PARTITION, `topic '${topic.topicName}' has no partition ${partition}`);
    return { topic, role };
  }

  #groupIds(): string[] {
    return this.sql.exec<{ group_id: string }>("SELECT group_id FROM groups ORDER BY group_id").toArray().map((r) => r.group_id);
  }

  /** Records a new role (replacing `before`) and tells the replicas (see hand-over.ts). */
  async #handOver(topic: TopicInfo, partition: number, before: PartitionRole, role: PartitionRole): Promise<PartitionRole> {
    this.counters.roleChanged(before, role); // `before`: the role the caller read, not a second read of every partition's
    this.store.saveRole(topic.topicId, partition, role);
    await tellRole(this.env, topic.topicId, partition, role);
    return role;
  }
}

function unknownTopic(name: string): Failure {
  return failure(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic '${name}' does not exist`);
}

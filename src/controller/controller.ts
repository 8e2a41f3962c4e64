/**
 * The controller: the one object that knows every topic, its id, its
 * partition count and its configs. Admin changes are serialised through
 * it; the partition replicas hold the data.
 */
import { DurableObject } from "cloudflare:workers";
import { brokersOf, replicaBrokers } from "../cluster/brokers";
import type { Env } from "../env";
import { ErrorCode, failure, type Failure } from "../errors";
import { limits } from "../limits";
import { replicaStub } from "../partition/replica-stub";
import { applySchema } from "../storage/schema";
import type { PartitionRole } from "../partition/types";
import { resolveConfigs, type ConfigOverrides } from "../topic/configs";
import type { ConfigChange, CreateTopicArgs, TopicInfo, TopicMeta } from "../topic/types";
import { integerProblem, parseConfigList, topicNameProblem } from "../topic/validate";
import { electAfterFailure, initialRole, preferredLeaderRole } from "./election";
import { CONTROLLER_SCHEMA } from "./schema";

type PartitionRow = { partition: number; leader: number; leader_epoch: number; replicas: string; isr: string };

type TopicRow = {
  topic_name: string;
  topic_id: string;
  partitions_count: number;
  replication_factor: number;
  configs: string;
  created_at_ms: number;
};

/** How long to wait before retrying cleanup a replica did not take. */
const RETRY_DELAY_MS = 5_000;

export class Controller extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  /** `limits.topicsCountMax`; tests lower it to reach it. */
  topicsCountMax: number = limits.topicsCountMax;
  /** Admin changes run one at a time, so a create cannot race a delete. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    applySchema(this.sql, CONTROLLER_SCHEMA);
  }

  /** Notes a consumer group, so that it is listed. Idempotent. */
  async registerGroup(groupId: string): Promise<{ ok: true } | Failure> {
    this.sql.exec("INSERT OR IGNORE INTO groups (group_id, created_at_ms) VALUES (?, ?)", groupId, Date.now());
    return { ok: true };
  }

  /** Every consumer group ever registered, by id. */
  async listGroups(): Promise<{ ok: true; groups: string[] } | Failure> {
    const groups = this.sql.exec<{ group_id: string }>("SELECT group_id FROM groups ORDER BY group_id").toArray().map((r) => r.group_id);
    return { ok: true, groups };
  }

  /** Every topic, by name. */
  async listTopics(): Promise<{ ok: true; topics: TopicInfo[] } | Failure> {
    return { ok: true, topics: this.sql.exec<TopicRow>("SELECT * FROM topics ORDER BY topic_name").toArray().map(toTopic) };
  }

  /** One topic with its partitions' leaders, epochs and ISRs, or UNKNOWN_TOPIC_OR_PARTITION. */
  async getTopic(name: string): Promise<({ ok: true } & TopicMeta) | Failure> {
    const topic = this.find(name);
    return topic === null ? unknownTopic(name) : { ok: true, ...topic, partitions: this.roles(topic) };
  }

  /**
   * A leader's proposal to change its ISR (drop laggards, take back
   * followers that caught up). Accepted only from the current leader in
   * its epoch; may hand leadership back to the preferred replica.
   */
  async alterIsr(args: { topicId: string; partition: number; leaderEpoch: number; isr: number[] }): Promise<{ ok: true; role: PartitionRole } | Failure> {
    return this.serially(async () => {
      const topic = this.findById(args.topicId);
      if (topic === null) return failure(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "topic does not exist");
      const role = this.roles(topic)[args.partition];
      if (role === undefined) return failure(ErrorCode.UNKNOWN_PARTITION, `no partition ${args.partition}`);
      if (role.leaderEpoch !== args.leaderEpoch) return failure(ErrorCode.FENCED_LEADER_EPOCH, `epoch ${args.leaderEpoch} is not current (${role.leaderEpoch})`);
      const isr = role.replicas.filter((b) => args.isr.includes(b));
      if (!isr.includes(role.leader)) return failure(ErrorCode.BAD_REQUEST, "the leader must stay in its ISR");
      let next: PartitionRole = { ...role, isr };
      this.saveRole(topic.topicId, args.partition, next);
      const preferred = preferredLeaderRole(next);
      if (preferred !== null) next = await this.handOver(topic, args.partition, preferred);
      return { ok: true, role: next };
    });
  }

  /**
   * A Worker could not reach a partition's leader. If the leader of that
   * epoch indeed does not answer, elects another from the ISR (or, when
   * the topic allows unclean election, from any replica) in a new epoch.
   */
  async leaderUnreachable(args: { topicId: string; partition: number; leaderEpoch: number }): Promise<{ ok: true; role: PartitionRole } | Failure> {
    return this.serially(async () => {
      const topic = this.findById(args.topicId);
      if (topic === null) return failure(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "topic does not exist");
      const role = this.roles(topic)[args.partition];
      if (role === undefined) return failure(ErrorCode.UNKNOWN_PARTITION, `no partition ${args.partition}`);
      if (role.leaderEpoch !== args.leaderEpoch) return { ok: true, role }; // already handled
      if (role.leader >= 0 && (await this.answers(topic, args.partition, role.leader))) return { ok: true, role };
      const reachable = new Set<number>();
      await Promise.all(role.replicas.map(async (b) => {
        if (b !== role.leader && (await this.answers(topic, args.partition, b))) reachable.add(b);
      }));
      const unclean = resolveConfigs(topic.configs)["unclean.leader.election.enable"];
      const next = electAfterFailure(role, role.leader, reachable, unclean);
      return { ok: true, role: await this.handOver(topic, args.partition, next) };
    });
  }

  /** Creates a topic: every replica is initialised before the topic becomes visible. */
  async createTopic(args: CreateTopicArgs): Promise<({ ok: true } & TopicInfo) | Failure> {
    return this.serially(async () => {
      const brokers = brokersOf(this.env);
      const rf = args.replicationFactor;
      const problem =
        topicNameProblem(args.topicName) ??
        integerProblem("partitions_count", args.partitionsCount, 1, limits.partitionsCountMax) ??
        (typeof rf === "number" && rf > brokers.length ? `replication_factor ${rf} is larger than the ${brokers.length} available brokers` : null) ??
        integerProblem("replication_factor", rf, 1, brokers.length);
      if (problem !== null) return failure(ErrorCode.BAD_REQUEST, problem);
      const configs = parseConfigList(args.configs);
      if (typeof configs === "string") return failure(ErrorCode.BAD_REQUEST, configs);
      const name = args.topicName as string;
      if (this.find(name) !== null) return failure(ErrorCode.TOPIC_ALREADY_EXISTS, `topic '${name}' already exists`);
      const topicsCount = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM topics").one().n;
      if (topicsCount >= this.topicsCountMax) return failure(ErrorCode.BAD_REQUEST, `the cluster has the most topics allowed (${this.topicsCountMax})`);
      const topic: TopicInfo = {
        topicName: name,
        topicId: crypto.randomUUID(),
        partitionsCount: args.partitionsCount as number,
        replicationFactor: args.replicationFactor as number,
        configs,
        createdAtMs: Date.now(),
      };
      const ready = await this.initPartitions(topic, 0, topic.partitionsCount);
      if (!ready) {
        this.owesWipe(topic);
        await this.settleWipe(topic.topicId);
        return failure(ErrorCode.RETRIABLE, `could not create topic '${name}': a partition replica did not answer; try again`);
      }
      this.ctx.storage.transactionSync(() => {
        this.sql.exec(
          "INSERT INTO topics (topic_name, topic_id, partitions_count, replication_factor, configs, created_at_ms) VALUES (?, ?, ?, ?, ?, ?)",
          topic.topicName, topic.topicId, topic.partitionsCount, topic.replicationFactor, JSON.stringify(configs), topic.createdAtMs,
        );
        this.saveInitialRoles(topic, 0, topic.partitionsCount);
      });
      return { ok: true, ...topic };
    });
  }

  /** Deletes a topic at once; its replicas' storage is wiped now or, failing that, by the alarm. */
  async deleteTopic(name: string): Promise<{ ok: true } | Failure> {
    return this.serially(async () => {
      const topic = this.find(name);
      if (topic === null) return unknownTopic(name);
      this.ctx.storage.transactionSync(() => {
        this.sql.exec("DELETE FROM topics WHERE topic_id = ?", topic.topicId);
        this.sql.exec("DELETE FROM partitions WHERE topic_id = ?", topic.topicId);
        this.sql.exec("DELETE FROM pending_config_pushes WHERE topic_id = ?", topic.topicId);
        this.owesWipe(topic);
      });
      await this.settleWipe(topic.topicId);
      return { ok: true };
    });
  }

  /** Raises the partition count; new partitions start empty. */
  async increasePartitions(name: string, partitionsCount: unknown): Promise<({ ok: true } & TopicInfo) | Failure> {
    return this.serially(async () => {
      const topic = this.find(name);
      if (topic === null) return unknownTopic(name);
      const problem = integerProblem("partitions_count", partitionsCount, 1, limits.partitionsCountMax);
      if (problem !== null) return failure(ErrorCode.BAD_REQUEST, problem);
      const count = partitionsCount as number;
      if (count < topic.partitionsCount) return failure(ErrorCode.BAD_REQUEST, `partitions_count can only grow: topic '${name}' has ${topic.partitionsCount}`);
      if (count === topic.partitionsCount) return { ok: true, ...topic };
      if (!(await this.initPartitions(topic, topic.partitionsCount, count))) {
        return failure(ErrorCode.RETRIABLE, "a new partition replica did not answer; try again");
      }
      this.ctx.storage.transactionSync(() => {
        this.sql.exec("UPDATE topics SET partitions_count = ? WHERE topic_id = ?", count, topic.topicId);
        this.saveInitialRoles(topic, topic.partitionsCount, count);
      });
      return { ok: true, ...topic, partitionsCount: count };
    });
  }

  /** Applies config changes all together (already validated by the caller's parse). */
  async alterConfigs(name: string, changes: ConfigChange[]): Promise<({ ok: true } & TopicInfo) | Failure> {
    return this.serially(async () => {
      const topic = this.find(name);
      if (topic === null) return unknownTopic(name);
      const configs: ConfigOverrides = { ...topic.configs };
      for (const c of changes) {
        if (c.value === null) delete configs[c.name as keyof ConfigOverrides];
        else configs[c.name as keyof ConfigOverrides] = c.value;
      }
      this.ctx.storage.transactionSync(() => {
        this.sql.exec("UPDATE topics SET configs = ? WHERE topic_id = ?", JSON.stringify(configs), topic.topicId);
        this.sql.exec("INSERT OR IGNORE INTO pending_config_pushes (topic_id) VALUES (?)", topic.topicId);
      });
      await this.settleConfigPush(topic.topicId);
      return { ok: true, ...topic, configs };
    });
  }

  /** Retries cleanup and config pushes replicas missed. */
  override async alarm(): Promise<void> {
    const wipes = this.sql.exec<{ topic_id: string }>("SELECT topic_id FROM pending_wipes").toArray();
    const pushes = this.sql.exec<{ topic_id: string }>("SELECT topic_id FROM pending_config_pushes").toArray();
    for (const w of wipes) await this.settleWipe(w.topic_id);
    for (const p of pushes) await this.settleConfigPush(p.topic_id);
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private find(name: string): TopicInfo | null {
    const row = this.sql.exec<TopicRow>("SELECT * FROM topics WHERE topic_name = ?", name).toArray()[0];
    return row === undefined ? null : toTopic(row);
  }

  private findById(topicId: string): TopicInfo | null {
    const row = this.sql.exec<TopicRow>("SELECT * FROM topics WHERE topic_id = ?", topicId).toArray()[0];
    return row === undefined ? null : toTopic(row);
  }

  /** Every partition's role, in partition order; rows missing from before schema step 2 get the initial role. */
  private roles(topic: TopicInfo): PartitionRole[] {
    const rows = new Map(
      this.sql.exec<PartitionRow>("SELECT partition, leader, leader_epoch, replicas, isr FROM partitions WHERE topic_id = ?", topic.topicId)
        .toArray()
        .map((r) => [r.partition, { leader: r.leader, leaderEpoch: r.leader_epoch, replicas: JSON.parse(r.replicas) as number[], isr: JSON.parse(r.isr) as number[] }]),
    );
    return Array.from({ length: topic.partitionsCount }, (_, p) => rows.get(p) ?? placedRole(this.env, p, topic.replicationFactor));
  }

  private saveInitialRoles(topic: TopicInfo, from: number, to: number): void {
    for (let p = from; p < to; p++) this.saveRole(topic.topicId, p, placedRole(this.env, p, topic.replicationFactor));
  }

  private saveRole(topicId: string, partition: number, role: PartitionRole): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO partitions (topic_id, partition, leader, leader_epoch, replicas, isr) VALUES (?, ?, ?, ?, ?, ?)",
      topicId, partition, role.leader, role.leaderEpoch, JSON.stringify(role.replicas), JSON.stringify(role.isr),
    );
  }

  /** Records a new role and tells the replicas: the new leader first, the others after (best effort). */
  private async handOver(topic: TopicInfo, partition: number, role: PartitionRole): Promise<PartitionRole> {
    this.saveRole(topic.topicId, partition, role);
    const brokers = brokersOf(this.env);
    const tell = (brokerId: number) => {
      const broker = brokers.find((b) => b.id === brokerId)!;
      const stub = replicaStub(this.env, topic.topicId, partition, broker);
      return withTimeout(Promise.resolve(stub.assumeRole(topic.topicId, role)) as Promise<unknown>, limits.replicaProbeMs).catch(() => null);
    };
    if (role.leader >= 0) await tell(role.leader);
    for (const b of role.replicas) if (b !== role.leader) void tell(b);
    return role;
  }

  /** Whether the replica on `brokerId` answers within the probe time. */
  private async answers(topic: TopicInfo, partition: number, brokerId: number): Promise<boolean> {
    const broker = brokersOf(this.env).find((b) => b.id === brokerId);
    if (broker === undefined) return false;
    try {
      const pong = replicaStub(this.env, topic.topicId, partition, broker).ping(topic.topicId);
      return ((await withTimeout(Promise.resolve(pong) as Promise<{ ok: boolean }>, limits.replicaProbeMs)) as { ok: boolean }).ok;
    } catch {
      return false;
    }
  }

  private async initPartitions(topic: TopicInfo, from: number, to: number): Promise<boolean> {
    return this.onEveryReplica(topic.topicId, topic.replicationFactor, from, to, (stub, partition, brokerId) =>
      stub.init({
        topicId: topic.topicId, topicName: topic.topicName, partition, brokerId, configs: topic.configs,
        role: placedRole(this.env, partition, topic.replicationFactor),
      }),
    );
  }

  /**
   * Calls `call` on the replica of every partition in [from, to) on each of
   * its brokers, all at once; true when every one answered ok.
   */
  private async onEveryReplica(
    topicId: string,
    replicationFactor: number,
    from: number,
    to: number,
    call: (stub: ReturnType<typeof replicaStub>, partition: number, brokerId: number) => unknown,
  ): Promise<boolean> {
    const brokers = brokersOf(this.env);
    const calls: unknown[] = [];
    for (let p = from; p < to; p++) {
      for (const broker of replicaBrokers(p, replicationFactor, brokers)) calls.push(call(replicaStub(this.env, topicId, p, broker), p, broker.id));
    }
    const results = await Promise.allSettled(calls);
    return results.every((r) => r.status === "fulfilled" && (r.value as { ok: boolean }).ok);
  }

  private owesWipe(topic: TopicInfo): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO pending_wipes (topic_id, partitions_count, replication_factor) VALUES (?, ?, ?)",
      topic.topicId, topic.partitionsCount, topic.replicationFactor,
    );
  }

  private async settleWipe(topicId: string): Promise<void> {
    const row = this.sql
      .exec<{ partitions_count: number; replication_factor: number }>("SELECT * FROM pending_wipes WHERE topic_id = ?", topicId)
      .toArray()[0];
    if (row === undefined) return;
    const wiped = await this.onEveryReplica(topicId, row.replication_factor, 0, row.partitions_count, (stub) => stub.wipe());
    if (wiped) this.sql.exec("DELETE FROM pending_wipes WHERE topic_id = ?", topicId);
    else await this.retryLater();
  }

  private async settleConfigPush(topicId: string): Promise<void> {
    const row = this.sql.exec<TopicRow>("SELECT * FROM topics WHERE topic_id = ?", topicId).toArray()[0];
    if (row === undefined) {
      this.sql.exec("DELETE FROM pending_config_pushes WHERE topic_id = ?", topicId);
      return;
    }
    const topic = toTopic(row);
    const pushed = await this.onEveryReplica(topicId, topic.replicationFactor, 0, topic.partitionsCount, (stub) => stub.setConfigs(topicId, topic.configs));
    if (pushed) this.sql.exec("DELETE FROM pending_config_pushes WHERE topic_id = ?", topicId);
    else await this.retryLater();
  }

  private async retryLater(): Promise<void> {
    const at = Date.now() + RETRY_DELAY_MS;
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }
}

/** The initial role of partition `partition`: its replicas placed by the rule, replica 0 leading. */
function placedRole(env: Env, partition: number, replicationFactor: number): PartitionRole {
  return initialRole(replicaBrokers(partition, replicationFactor, brokersOf(env)).map((b) => b.id));
}

function toTopic(row: TopicRow): TopicInfo {
  return {
    topicName: row.topic_name,
    topicId: row.topic_id,
    partitionsCount: row.partitions_count,
    replicationFactor: row.replication_factor,
    configs: JSON.parse(row.configs) as ConfigOverrides,
    createdAtMs: row.created_at_ms,
  };
}

function unknownTopic(name: string): Failure {
  return failure(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `topic '${name}' does not exist`);
}

/** `promise`, or a rejection after `ms`. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> = 0 as unknown as ReturnType<typeof setTimeout>;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Work the controller owes partition replicas: creating them, wiping the
 * replicas of a deleted topic (or of a creation that failed halfway) and
 * then its objects in the segment bucket, and pushing changed configs. Owed wipes and pushes are rows
 * (`pending_wipes`, `pending_config_pushes`): settled at once when every
 * replica answers, else retried from the controller's alarm.
 */
import { brokersOf, replicaBrokers } from "../cluster/brokers";
import type { AlarmClock } from "../rpc/alarm-clock";
import { callReplica } from "../rpc/objects";
import type { Env } from "../env";
import type { PartitionReplica } from "../replication/partition-replica";
import type { Caller } from "../rpc/call";
import type { TopicInfo } from "../topic/types";
import { deleteTopicObjects } from "../tiered/topic-objects";
import { placedRole, type TopicStore } from "./topic-store";

/** How long to wait before retrying work a replica did not take. */
const RETRY_DELAY_MS = 5_000;

export class ReplicaTasks {
  constructor(
    private readonly sql: SqlStorage,
    private readonly alarms: AlarmClock,
    private readonly env: Env,
    private readonly store: TopicStore,
  ) {}

  /** Initialises the replicas of partitions [from, to) of `topic`; true when every one answered ok. */
  initPartitions(topic: TopicInfo, from: number, to: number): Promise<boolean> {
    return this.onEveryReplica(topic.topicId, topic.replicationFactor, from, to, "init", (stub, partition, brokerId) =>
      stub.init({
        topicId: topic.topicId, topicName: topic.topicName, partition, brokerId, configs: topic.configs,
        role: placedRole(this.env, partition, topic.replicationFactor),
      }),
    );
  }

  /** Notes that every replica of `topic` must be wiped (inside the caller's transaction, if any). */
  owesWipe(topic: TopicInfo): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO pending_wipes (topic_id, partitions_count, replication_factor) VALUES (?, ?, ?)",
      topic.topicId, topic.partitionsCount, topic.replicationFactor,
    );
  }

  /** Notes that every replica of topic `topicId` must be told its configs again. */
  owesConfigPush(topicId: string): void {
    this.sql.exec("INSERT OR IGNORE INTO pending_config_pushes (topic_id) VALUES (?)", topicId);
  }

  /** Drops an owed config push (its topic is gone). */
  forgetConfigPush(topicId: string): void {
    this.sql.exec("DELETE FROM pending_config_pushes WHERE topic_id = ?", topicId);
  }

  /** Wipes every replica of `topicId` if a wipe is owed; what does not answer is retried by the alarm. */
  async settleWipe(topicId: string): Promise<void> {
    const row = this.sql
      .exec<{ partitions_count: number; replication_factor: number }>("SELECT * FROM pending_wipes WHERE topic_id = ?", topicId)
      .toArray()[0];
    if (row === undefined) return;
    const wiped = await this.onEveryReplica(topicId, row.replication_factor, 0, row.partitions_count, "wipe", (stub) => stub.wipe());
    // Then its objects in the bucket (tiered storage): no replica is left to upload more.
    if (wiped && (await deleteTopicObjects(this.env, topicId))) this.sql.exec("DELETE FROM pending_wipes WHERE topic_id = ?", topicId);
    else await this.retryLater();
  }

  /** Pushes `topicId`'s configs to every replica if a push is owed; what does not answer is retried by the alarm. */
  async settleConfigPush(topicId: string): Promise<void> {
    const topic = this.store.findById(topicId);
    if (topic === null) return this.forgetConfigPush(topicId);
    const pushed = await this.onEveryReplica(topicId, topic.replicationFactor, 0, topic.partitionsCount, "setConfigs", (stub) =>
      stub.setConfigs(topicId, topic.configs),
    );
    if (pushed) this.forgetConfigPush(topicId);
    else await this.retryLater();
  }

  /** Everything owed: the alarm's work. */
  async settleAll(): Promise<void> {
    const wipes = this.sql.exec<{ topic_id: string }>("SELECT topic_id FROM pending_wipes").toArray();
    const pushes = this.sql.exec<{ topic_id: string }>("SELECT topic_id FROM pending_config_pushes").toArray();
    for (const w of wipes) await this.settleWipe(w.topic_id);
    for (const p of pushes) await this.settleConfigPush(p.topic_id);
  }

  /** Sets the alarm to try again in `RETRY_DELAY_MS`, unless it is due sooner. */
  async retryLater(): Promise<void> {
    await this.alarms.atOrBefore(Date.now() + RETRY_DELAY_MS);
  }

  /**
   * Calls `call` on the replica of every partition in [from, to) on each
   * of its brokers, all at once; true when every one answered ok. One that
   * cannot be reached, or refuses, makes it false (the caller retries).
   */
  private async onEveryReplica(
    topicId: string,
    replicationFactor: number,
    from: number,
    to: number,
    method: string,
    call: (replica: Caller<PartitionReplica>, partition: number, brokerId: number) => Promise<{ ok: boolean }>,
  ): Promise<boolean> {
    const brokers = brokersOf(this.env);
    const calls: Promise<{ ok: boolean }>[] = [];
    for (let p = from; p < to; p++) {
      for (const broker of replicaBrokers(p, replicationFactor, brokers)) {
        calls.push(call(callReplica(this.env, topicId, p, broker, { where: `Controller.${method}` }), p, broker.id));
      }
    }
    return (await Promise.all(calls)).every((r) => r.ok);
  }
}

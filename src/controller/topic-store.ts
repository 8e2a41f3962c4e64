/**
 * The controller's tables of topics and of each partition's role (who
 * leads, in which epoch, which replicas are in sync). Bookkeeping only:
 * the controller decides, the store keeps.
 *
 * Invariant: a partition's stored leader epoch only grows (asserted in
 * `saveRole`), so no replica is ever told an epoch older than one it was
 * told before.
 */
import { brokersOf, replicaBrokers } from "../cluster/brokers";
import type { Env } from "../env";
import { assert } from "../errors";
import type { PartitionRole } from "../replication/types";
import type { ConfigOverrides } from "../topic/configs";
import type { TopicInfo } from "../topic/types";
import { initialRole } from "./election";

type PartitionRow = { partition: number; leader: number; leader_epoch: number; replicas: string; isr: string };

type TopicRow = {
  topic_name: string;
  topic_id: string;
  partitions_count: number;
  replication_factor: number;
  configs: string;
  created_at_ms: number;
};

export class TopicStore {
  constructor(
    private readonly sql: SqlStorage,
    private readonly env: Env,
  ) {}

  /** Every topic, by name. */
  list(): TopicInfo[] {
    return this.sql.exec<TopicRow>("SELECT * FROM topics ORDER BY topic_name").toArray().map(toTopic);
  }

  find(name: string): TopicInfo | null {
    const row = this.sql.exec<TopicRow>("SELECT * FROM topics WHERE topic_name = ?", name).toArray()[0];
    return row === undefined ? null : toTopic(row);
  }

  findById(topicId: string): TopicInfo | null {
    const row = this.sql.exec<TopicRow>("SELECT * FROM topics WHERE topic_id = ?", topicId).toArray()[0];
    return row === undefined ? null : toTopic(row);
  }

  count(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM topics").one().n;
  }

  /** Records a new topic and its partitions' initial roles (inside the caller's transaction). */
  insert(topic: TopicInfo): void {
    this.sql.exec(
      "INSERT INTO topics (topic_name, topic_id, partitions_count, replication_factor, configs, created_at_ms) VALUES (?, ?, ?, ?, ?, ?)",
      topic.topicName, topic.topicId, topic.partitionsCount, topic.replicationFactor, JSON.stringify(topic.configs), topic.createdAtMs,
    );
    this.saveInitialRoles(topic, 0, topic.partitionsCount);
  }

  /** Forgets a topic and its partitions' roles. */
  remove(topicId: string): void {
    this.sql.exec("DELETE FROM topics WHERE topic_id = ?", topicId);
    this.sql.exec("DELETE FROM partitions WHERE topic_id = ?", topicId);
  }

  /** Raises a topic's partition count to `count`; the new partitions get their initial roles. */
  grow(topic: TopicInfo, count: number): void {
    this.sql.exec("UPDATE topics SET partitions_count = ? WHERE topic_id = ?", count, topic.topicId);
    this.saveInitialRoles(topic, topic.partitionsCount, count);
  }

  setConfigs(topicId: string, configs: ConfigOverrides): void {
    this.sql.exec("UPDATE topics SET configs = ? WHERE topic_id = ?", JSON.stringify(configs), topicId);
  }

  /** Every partition's role, in partition order; rows missing from before schema step 2 get the initial role. */
  roles(topic: TopicInfo): PartitionRole[] {
    const rows = new Map(
      this.sql.exec<PartitionRow>("SELECT partition, leader, leader_epoch, replicas, isr FROM partitions WHERE topic_id = ?", topic.topicId)
        .toArray()
        .map((r) => [r.partition, { leader: r.leader, leaderEpoch: r.leader_epoch, replicas: JSON.parse(r.replicas) as number[], isr: JSON.parse(r.isr) as number[] }]),
    );
    return Array.from({ length: topic.partitionsCount }, (_, p) => rows.get(p) ?? placedRole(this.env, p, topic.replicationFactor));
  }

  /** Stores a partition's role; its leader epoch may not go down. */
  saveRole(topicId: string, partition: number, role: PartitionRole): void {
    const stored = this.sql
      .exec<{ leader_epoch: number }>("SELECT leader_epoch FROM partitions WHERE topic_id = ? AND partition = ?", topicId, partition)
      .toArray()[0];
    assert(
      stored === undefined || role.leaderEpoch >= stored.leader_epoch,
      `leader epoch only grows: partition ${partition} of topic id ${topicId} is at ${stored?.leader_epoch}, not ${role.leaderEpoch}`,
    );
    this.sql.exec(
      "INSERT OR REPLACE INTO partitions (topic_id, partition, leader, leader_epoch, replicas, isr) VALUES (?, ?, ?, ?, ?, ?)",
      topicId, partition, role.leader, role.leaderEpoch, JSON.stringify(role.replicas), JSON.stringify(role.isr),
    );
  }

  private saveInitialRoles(topic: TopicInfo, from: number, to: number): void {
    for (let p = from; p < to; p++) this.saveRole(topic.topicId, p, placedRole(this.env, p, topic.replicationFactor));
  }
}

/** The initial role of partition `partition`: its replicas placed by the rule, replica 0 leading. */
export function placedRole(env: Env, partition: number, replicationFactor: number): PartitionRole {
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

/**
 * What the controller tells `GET /metrics`: every topic with each
 * partition's role (the Worker derives under-replicated and offline
 * partitions from them, and knows which replicas to ask), the consumer
 * groups, the push subscriptions, its counters of leadership events, and the alert rules' state.
 * The counters are rows of the `counters` table, written in the same
 * transaction as the role change they count: they survive any restart and
 * never go down.
 */
import type { PartitionRole } from "../replication/types";
import type { AlertView } from "../alerts/alert-rules";
import type { TopicStore } from "./topic-store";

/** One topic as a scrape sees it. */
export interface ScrapedTopic {
  name: string;
  topicId: string;
  replicationFactor: number;
  roles: PartitionRole[];
}

/** The controller's answer to a scrape. */
export interface ControllerMetricsOk {
  ok: true;
  topics: ScrapedTopic[];
  groups: string[];
  /** The push subscriptions' names. */
  subscriptions: string[];
  /** By counter name: isr_shrinks, isr_expands, leader_elections, unclean_leader_elections, alert deliveries. */
  counters: Record<string, number>;
  alerts: { name: string; kind: string; firing: boolean }[];
}

export class ControllerCounters {
  constructor(private readonly sql: SqlStorage) {}

  /** Adds `n` to counter `name` (inside the caller's transaction, if any). */
  add(name: string, n = 1): void {
    this.sql.exec("INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + excluded.value", name, n);
  }

  /**
   * Counts what changes from `before` to `after` in one partition's role:
   * an ISR shrink (a replica left it), an expand (one joined), a leader
   * election (a new leader), unclean when the new leader was not in sync.
   */
  roleChanged(before: PartitionRole, after: PartitionRole): void {
    if (before.isr.some((b) => !after.isr.includes(b))) this.add("isr_shrinks");
    if (after.isr.some((b) => !before.isr.includes(b))) this.add("isr_expands");
    if (after.leader >= 0 && after.leader !== before.leader) {
      this.add("leader_elections");
      if (!before.isr.includes(after.leader)) this.add("unclean_leader_elections");
    }
  }

  /** Every counter by name. */
  all(): Record<string, number> {
    return Object.fromEntries(this.sql.exec<{ name: string; value: number }>("SELECT name, value FROM counters").toArray().map((r) => [r.name, r.value]));
  }
}

/** The controller's answer to a scrape: its topics with their roles (read from `store`), and the groups and alert rules given. */
export function controllerMetrics(store: TopicStore, counters: ControllerCounters, groups: string[], rules: AlertView[], subscriptions: string[]): ControllerMetricsOk {
  const topics = store.list().map((t) => ({ name: t.topicName, topicId: t.topicId, replicationFactor: t.replicationFactor, roles: store.roles(t) }));
  const alerts = rules.map((r) => ({ name: r.name, kind: r.kind, firing: r.status === "firing" }));
  return { ok: true, topics, groups, subscriptions, counters: counters.all(), alerts };
}

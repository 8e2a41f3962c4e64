/**
 * A KIP-848 group's own group-level state, in the coordinator's `meta`
 * table beside the group id and generation (the generation is the group
 * epoch): the target assignment's epoch, what the subscribed topics
 * resolved to when the target was last planned, and the group's configs.
 * Also which kind the group is — a group is one kind at a time, as in
 * Kafka: classic (JoinGroup, HTTP instances, WebSocket subscribers) or
 * consumer (KIP-848).
 */
import { limits } from "../../limits";
import type { MemberState } from "../types";
import type { Kip848Configs } from "./kip848-types";

/** The meta key both kinds of member write when they join a group without members: which kind it is now. */
export const GROUP_TYPE_KEY = "group_type";

/** A group's kind as Kafka's ListGroups names it. */
export type GroupType = "classic" | "consumer";

export class Kip848Store {
  constructor(private readonly sql: SqlStorage) {}

  /** The epoch of the target assignment (0 before the first). */
  get targetEpoch(): number {
    return Number(this.meta("kip848_target_epoch") ?? "0");
  }

  set targetEpoch(epoch: number) {
    this.setMeta("kip848_target_epoch", String(epoch));
  }

  /** What the members' subscriptions resolved to when the target was last planned ("" before). */
  get topicsSeen(): string {
    return this.meta("kip848_topics_seen") ?? "";
  }

  set topicsSeen(signature: string) {
    this.setMeta("kip848_topics_seen", signature);
  }

  /** The group's configs: its own where set, else the defaults. */
  get configs(): Kip848Configs {
    return {
      sessionTimeoutMs: Number(this.meta("kip848_session_timeout_ms") ?? limits.consumerGroupSessionTimeoutMsDefault),
      heartbeatIntervalMs: Number(this.meta("kip848_heartbeat_interval_ms") ?? limits.consumerGroupHeartbeatIntervalMsDefault),
    };
  }

  /** Sets the group's configs (null: back to the default). */
  setConfigs(c: { [K in keyof Kip848Configs]?: number | null }): void {
    const keys = { sessionTimeoutMs: "kip848_session_timeout_ms", heartbeatIntervalMs: "kip848_heartbeat_interval_ms" } as const;
    for (const [name, key] of Object.entries(keys) as [keyof Kip848Configs, string][]) {
      const value = c[name];
      if (value === null) this.sql.exec("DELETE FROM meta WHERE key = ?", key);
      else if (value !== undefined) this.setMeta(key, String(value));
    }
  }

  /** Which kind the group is: that of its members, else that of the last members it had (classic for a group never joined). */
  groupType(members: MemberState[]): GroupType {
    const first = members[0];
    if (first !== undefined) return first.kind === "kip848" ? "consumer" : "classic";
    return this.meta(GROUP_TYPE_KEY) === "consumer" ? "consumer" : "classic";
  }

  /** Records that the group is a KIP-848 group now (its first such member joins). */
  markConsumer(): void {
    this.setMeta(GROUP_TYPE_KEY, "consumer");
  }

  private meta(key: string): string | undefined {
    return this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value;
  }

  private setMeta(key: string, value: string): void {
    this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", key, value);
  }
}

/**
 * What a group coordinator tells `GET /metrics`: its state, members, open
 * WebSocket subscribers, rebalances (the generation: one per rebalance,
 * and it only grows), its committed offsets and subscriptions (the Worker
 * turns them into lag per partition with the high watermarks it gathers
 * anyway), and records delivered to WebSocket subscribers per topic. The
 * delivered counts are kept in the group's `meta` table (key `counters`),
 * written on a short schedule and before every scrape (see
 * metrics/counter-set.ts), so they never go down.
 */
import type { Failure } from "../errors";
import { CounterSet } from "../metrics/counter-set";
import type { GroupParts } from "./group-admin";
import { type ConfluentGroupState, confluentGroupState } from "./kafka/kafka-describe";
import { noGroup } from "./membership";
import type { TopicPartition } from "./types";


/** One committed offset, with the id of the topic it was committed in ("" before ids were kept). */
export interface CommittedRow extends TopicPartition {
  offset: number;
  topicId: string;
}

/** A coordinator's answer to a scrape. */
export interface GroupMetricsOk {
  ok: true;
  groupId: string;
  /** As the v3 group describes it (group-admin.ts). */
  state: ConfluentGroupState;
  members: number;
  /** Rebalances so far (the generation). */
  generation: number;
  /** Open WebSocket subscriber sockets. */
  websockets: number;
  committed: CommittedRow[];
  /**
   * The topics the members' subscriptions resolved to at the last
   * rebalance (patterns matched, and only topics each member may read):
   * what the group's lags cover besides its committed offsets.
   */
  subscribedTopics: string[];
  /** Topics members read by hand-assigned partitions. */
  manualTopics: string[];
  /** Records sent to WebSocket subscribers, per topic. */
  delivered: Record<string, number>;
}

export class GroupCounters {
  private readonly counters: CounterSet;
  private readonly sql: SqlStorage;

  /** Loads the stored counts from the coordinator's storage (`ctx`, whose sockets it also counts). */
  constructor(private readonly ctx: DurableObjectState) {
    const sql = (this.sql = ctx.storage.sql);
    const stored = sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'counters'").toArray()[0]?.value;
    const save = (json: string) => sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('counters', ?)", json);
    this.counters = new CounterSet(stored, save, "GroupCoordinator");
  }

  /** `records` records of `tp` were sent to a WebSocket subscriber. */
  delivered(tp: TopicPartition, records: number): void {
    this.counters.add(tp.topic, records);
  }

  /** The group's answer to a scrape (counts stored first); 40405 when this coordinator never served a group. */
  snapshot(g: GroupParts): GroupMetricsOk | Failure {
    const groupId = g.membership.groupId;
    if (groupId === "") return noGroup("(none)");
    const members = g.members.all();
    const committed = this.sql
      .exec<{ topic: string; partition: number; offset: number; topic_id: string }>("SELECT topic, partition, offset, topic_id FROM offsets")
      .toArray()
      .map((r) => ({ topic: r.topic, partition: r.partition, offset: r.offset, topicId: r.topic_id }));
    return {
      ok: true,
      groupId,
      state: confluentGroupState(g),
      members: members.length,
      generation: g.membership.generation,
      websockets: this.ctx.getWebSockets().length,
      committed,
      subscribedTopics: this.subscribedTopics(),
      manualTopics: [...new Set(members.flatMap((m) => (m.manual ?? []).map((tp) => tp.topic)))],
      delivered: this.counters.flushed(),
    };
  }

  /** The subscribed topics membership.ts noted at the last rebalance (`topics_seen`: "name/partitions/topic id" joined by commas). */
  private subscribedTopics(): string[] {
    const seen = this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'topics_seen'").toArray()[0]?.value ?? "";
    return seen === "" ? [] : seen.split(",").map((entry) => entry.slice(0, entry.indexOf("/")));
  }
}

// KIP-848 members of a group through the Worker's …/kafka/consumer-heartbeat
// route, as the front door calls it, with a small client that keeps what a
// real consumer keeps (its epoch and what it owns) and acknowledges a
// revocation the way one does: by leaving the partition out of its next
// heartbeat's owned partitions.
import { env } from "cloudflare:test";
import { expect } from "vitest";
import { call, createTopic, type Reply } from "../helpers";
import { kafkaPath } from "./kafka-helpers";

export interface Beat {
  memberId: string;
  memberEpoch: number;
  instanceId?: string | null;
  rebalanceTimeoutMs?: number;
  topics?: string[] | null;
  regex?: string | null;
  assignor?: string | null;
  /** [topic id, partitions]; null: not sent. */
  owned?: { topic_id: string; partitions: number[] }[] | null;
  version?: number;
}

/** One ConsumerGroupHeartbeat. */
export function beat(group: string, b: Beat): Promise<Reply> {
  return call("POST", `${kafkaPath(group)}/consumer-heartbeat`, {
    version: b.version ?? 1,
    member_id: b.memberId,
    member_epoch: b.memberEpoch,
    instance_id: b.instanceId ?? null,
    rack_id: null,
    rebalance_timeout_ms: b.rebalanceTimeoutMs ?? (b.memberEpoch === 0 ? 30_000 : -1),
    subscribed_topic_names: b.topics === undefined ? null : b.topics,
    subscribed_topic_regex: b.regex ?? null,
    server_assignor: b.assignor ?? null,
    owned_partitions: b.owned === undefined ? (b.memberEpoch === 0 ? [] : null) : b.owned,
    client_id: "kip848-test",
    client_host: "/127.0.0.1",
  });
}

export const describeConsumers = (group: string) => call("GET", `${kafkaPath(group)}/consumer`);

/** Creates a topic; returns its id. */
export async function topicWithId(name: string, partitions: number): Promise<string> {
  return (await createTopic(name, partitions)).topic_id;
}

/** A KIP-848 consumer as a client keeps it: its id, epoch, and what it owns (by topic id). */
export class Member {
  epoch = 0;
  /** Its assignment as last answered. */
  owned = new Map<string, number[]>();
  /** What its last heartbeat said it owned: a partition taken away is still read until the next heartbeat leaves it out. */
  reported = new Map<string, number[]>();
  /** Topic id -> name, for `partitions()`. */
  constructor(
    readonly group: string,
    readonly memberId: string,
    private readonly names: Map<string, string>,
    private readonly opts: Omit<Beat, "memberId" | "memberEpoch" | "owned"> = {},
  ) {}

  /** A heartbeat with what it owns; takes the answer's epoch and assignment (what it owns from then on). */
  async heartbeat(extra: Partial<Beat> = {}): Promise<Reply> {
    const owned = [...this.owned].map(([topic_id, partitions]) => ({ topic_id, partitions }));
    this.reported = new Map(this.owned);
    const first = this.epoch === 0;
    const r = await beat(this.group, { memberId: this.memberId, memberEpoch: this.epoch, owned, ...(first ? this.opts : {}), ...extra });
    if (r.status !== 200) return r;
    this.epoch = r.body.member_epoch;
    if (r.body.assignment !== null) this.owned = new Map(r.body.assignment.map((t: { topic_id: string; partitions: number[] }) => [t.topic_id, [...t.partitions].sort((a, b) => a - b)]));
    return r;
  }

  /** What it owns, as "topic-partition", sorted. */
  partitions(): string[] {
    return this.named(this.owned);
  }

  /** What it may be reading now: what it owns, and what it has not yet said it let go. */
  holding(): string[] {
    return [...new Set([...this.named(this.owned), ...this.named(this.reported)])].sort();
  }

  private named(m: Map<string, number[]>): string[] {
    return [...m].flatMap(([id, ps]) => ps.map((p) => `${this.names.get(id) ?? id}-${p}`)).sort();
  }
}

/** Fails when a partition is owned by two of `members` at once, as their clients see it (a revoked partition stays owned until the member's heartbeat leaves it out). */
export function assertDisjoint(...members: Member[]): void {
  const holders = new Map<string, string>();
  for (const m of members) {
    for (const tp of m.holding()) {
      expect(holders.get(tp), `${tp} owned by ${holders.get(tp)} and ${m.memberId}`).toBeUndefined();
      holders.set(tp, m.memberId);
    }
  }
}

/** Sets the group's session timeout and heartbeat interval (Kafka's group configs) on its coordinator. */
export async function configure(group: string, sessionTimeoutMs: number | null, heartbeatIntervalMs: number | null) {
  const stub = env.GROUPS.get(env.GROUPS.idFromName(group)) as unknown as {
    kafkaConsumerConfigure(g: string, c: { sessionTimeoutMs: number | null; heartbeatIntervalMs: number | null }): Promise<{ ok: boolean }>;
  };
  const r = await stub.kafkaConsumerConfigure(group, { sessionTimeoutMs, heartbeatIntervalMs });
  expect(r.ok).toBe(true);
  return r;
}

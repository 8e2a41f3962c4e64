/**
 * Partition assignment, done by the coordinator for the whole group (as
 * in Kafka's server-side assignor). Pure functions: every partition of a
 * subscribed topic goes to exactly one member subscribed to it.
 */

export type Assignor = "range" | "roundrobin" | "sticky";

export const ASSIGNORS: readonly Assignor[] = ["range", "roundrobin", "sticky"];

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface MemberSubscription {
  memberId: string;
  /** Topics this member wants (patterns already resolved). */
  topics: string[];
  /** What it owned before this rebalance (used by sticky). */
  owned: TopicPartition[];
}

/** memberId -> its partitions, each list sorted by topic then partition. */
export type Assignment = Map<string, TopicPartition[]>;

/**
 * Assigns every partition of every subscribed topic (`partitionsCount` per
 * topic) to exactly one subscribed member, by `assignor`.
 */
export function assign(assignor: Assignor, members: MemberSubscription[], partitionsCount: Map<string, number>): Assignment {
  const sorted = [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
  const out: Assignment = new Map(sorted.map((m) => [m.memberId, []]));
  if (assignor === "range") range(sorted, partitionsCount, out);
  else if (assignor === "roundrobin") roundRobin(sorted, partitionsCount, out);
  else sticky(sorted, partitionsCount, out);
  for (const list of out.values()) list.sort(compareTp);
  return out;
}

function compareTp(a: TopicPartition, b: TopicPartition): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
}

function subscribedTopics(members: MemberSubscription[], partitionsCount: Map<string, number>): string[] {
  return [...new Set(members.flatMap((m) => m.topics))].filter((t) => partitionsCount.has(t)).sort();
}

/** Kafka's RangeAssignor: per topic, contiguous ranges; the first members get one more. */
function range(members: MemberSubscription[], partitionsCount: Map<string, number>, out: Assignment): void {
  for (const topic of subscribedTopics(members, partitionsCount)) {
    const takers = members.filter((m) => m.topics.includes(topic));
    const count = partitionsCount.get(topic)!;
    const each = Math.floor(count / takers.length);
    const extra = count % takers.length;
    let next = 0;
    takers.forEach((m, i) => {
      const n = each + (i < extra ? 1 : 0);
      for (let k = 0; k < n; k++) out.get(m.memberId)!.push({ topic, partition: next++ });
    });
  }
}

/** Kafka's RoundRobinAssignor: all partitions in order, dealt to the subscribed members in turn. */
function roundRobin(members: MemberSubscription[], partitionsCount: Map<string, number>, out: Assignment): void {
  let turn = 0;
  for (const topic of subscribedTopics(members, partitionsCount)) {
    for (let p = 0; p < partitionsCount.get(topic)!; p++) {
      for (let tries = 0; tries < members.length; tries++) {
        const m = members[turn++ % members.length]!;
        if (m.topics.includes(topic)) {
          out.get(m.memberId)!.push({ topic, partition: p });
          break;
        }
      }
    }
  }
}

/**
 * Sticky: members keep what they owned while that stays balanced; the
 * rest goes to the least loaded subscribed member. Moves as few
 * partitions as balance allows (counts differ by at most one among
 * members subscribed to the same topics).
 */
function sticky(members: MemberSubscription[], partitionsCount: Map<string, number>, out: Assignment): void {
  const all: TopicPartition[] = subscribedTopics(members, partitionsCount).flatMap((topic) =>
    Array.from({ length: partitionsCount.get(topic)! }, (_, partition) => ({ topic, partition })),
  );
  const key = (tp: TopicPartition) => `${tp.topic}\u0000${tp.partition}`;
  const taken = new Set<string>();
  const fair = Math.ceil(all.length / Math.max(1, members.length));
  // Keep previous ownership, up to a fair share each.
  for (const m of members) {
    for (const tp of [...m.owned].sort(compareTp)) {
      const k = key(tp);
      const exists = (partitionsCount.get(tp.topic) ?? 0) > tp.partition;
      if (exists && m.topics.includes(tp.topic) && !taken.has(k) && out.get(m.memberId)!.length < fair) {
        out.get(m.memberId)!.push(tp);
        taken.add(k);
      }
    }
  }
  // Everything else to the least loaded member subscribed to its topic.
  for (const tp of all) {
    if (taken.has(key(tp))) continue;
    const takers = members.filter((m) => m.topics.includes(tp.topic));
    if (takers.length === 0) continue;
    const least = takers.reduce((a, b) => (out.get(b.memberId)!.length < out.get(a.memberId)!.length ? b : a));
    out.get(least.memberId)!.push(tp);
    taken.add(key(tp));
  }
}

/**
 * KIP-848's server-side assignors, by the names clients ask for
 * (group.remote.assignor): `uniform` (Kafka's default) and `range`.
 * Pure functions: the coordinator computes the group's target assignment
 * with one of them whenever the group epoch moves past the target's.
 * Every partition of a subscribed topic goes to exactly one member
 * subscribed to it.
 */
import type { TopicPartition } from "../types";

export const SERVER_ASSIGNORS = ["uniform", "range"] as const;
export type ServerAssignor = (typeof SERVER_ASSIGNORS)[number];
/** The assignor of a group whose members ask for none (Kafka's first of group.consumer.assignors). */
export const DEFAULT_SERVER_ASSIGNOR: ServerAssignor = "uniform";

export function isServerAssignor(name: string): name is ServerAssignor {
  return (SERVER_ASSIGNORS as readonly string[]).includes(name);
}

/** A member as the assignors see it. */
export interface AssignorMember {
  memberId: string;
  instanceId: string | null;
  /** The topics it subscribes to that exist now. */
  topics: string[];
  /** Its part of the current target assignment (the uniform assignor keeps what it can). */
  current: TopicPartition[];
}

/** memberId -> its target partitions, each list sorted by topic then partition. */
export type TargetAssignment = Map<string, TopicPartition[]>;

/** The target assignment of `members` over topics with `partitionsCount` partitions each, by `assignor`. */
export function targetAssignment(assignor: ServerAssignor, members: AssignorMember[], partitionsCount: Map<string, number>): TargetAssignment {
  const out: TargetAssignment = assignor === "range" ? range(members, partitionsCount) : uniform(members, partitionsCount);
  for (const list of out.values()) list.sort(compareTp);
  return out;
}

export function compareTp(a: TopicPartition, b: TopicPartition): number {
  return a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition;
}

const byId = (a: AssignorMember, b: AssignorMember) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0);

/**
 * Kafka's server-side range assignor: members in order — static members
 * first by instance id, then the others by member id — and per topic
 * contiguous ranges of partitions, the first members one more when the
 * count does not divide. Topics with the same subscribers and partition
 * count are co-partitioned: a member gets the same partition numbers of each.
 */
function range(members: AssignorMember[], partitionsCount: Map<string, number>): TargetAssignment {
  const ordered = [...members].sort((a, b) => {
    if (a.instanceId !== null && b.instanceId !== null) return a.instanceId < b.instanceId ? -1 : a.instanceId > b.instanceId ? 1 : 0;
    if (a.instanceId !== null || b.instanceId !== null) return a.instanceId !== null ? -1 : 1;
    return byId(a, b);
  });
  const out: TargetAssignment = new Map(ordered.map((m) => [m.memberId, []]));
  const topics = [...new Set(ordered.flatMap((m) => m.topics))].filter((t) => partitionsCount.has(t)).sort();
  for (const topic of topics) {
    const takers = ordered.filter((m) => m.topics.includes(topic));
    const count = partitionsCount.get(topic)!;
    const each = Math.floor(count / takers.length);
    const extra = count % takers.length;
    let next = 0;
    takers.forEach((m, i) => {
      const n = each + (i < extra ? 1 : 0);
      for (let k = 0; k < n; k++) out.get(m.memberId)!.push({ topic, partition: next++ });
    });
  }
  return out;
}

/**
 * The uniform assignor: as balanced as the subscriptions allow (two
 * members subscribed to a partition's topic never hold more than one
 * partition apart when moving it would even them), and sticky — each
 * member keeps what it had in the current target unless balance needs
 * it elsewhere, so a rebalance moves few partitions. Kafka's uniform
 * assignor promises the same two properties (its algorithm differs).
 */
function uniform(members: AssignorMember[], partitionsCount: Map<string, number>): TargetAssignment {
  const ordered = [...members].sort(byId);
  const out: TargetAssignment = new Map(ordered.map((m) => [m.memberId, []]));
  const subscribers = new Map<string, AssignorMember[]>();
  for (const m of ordered) {
    for (const t of new Set(m.topics)) if (partitionsCount.has(t)) subscribers.set(t, [...(subscribers.get(t) ?? []), m]);
  }
  const taken = new Set<string>();
  const key = (tp: TopicPartition) => `${tp.topic}\u0000${tp.partition}`;
  // Keep what each had, where it is still subscribed and the partition still exists.
  for (const m of ordered) {
    for (const tp of [...m.current].sort(compareTp)) {
      if (!subscribers.get(tp.topic)?.includes(m) || tp.partition >= partitionsCount.get(tp.topic)! || taken.has(key(tp))) continue;
      out.get(m.memberId)!.push(tp);
      taken.add(key(tp));
    }
  }
  const load = (m: AssignorMember) => out.get(m.memberId)!.length;
  const leastLoaded = (ms: AssignorMember[]) => ms.reduce((a, b) => (load(b) < load(a) ? b : a));
  // Give out the rest, topics with the fewest subscribers first, each partition to its least loaded subscriber.
  const topics = [...subscribers.keys()].sort((a, b) => subscribers.get(a)!.length - subscribers.get(b)!.length || (a < b ? -1 : 1));
  for (const topic of topics) {
    for (let partition = 0; partition < partitionsCount.get(topic)!; partition++) {
      if (taken.has(key({ topic, partition }))) continue;
      out.get(leastLoaded(subscribers.get(topic)!).memberId)!.push({ topic, partition });
    }
  }
  balance(ordered, out, subscribers, load, leastLoaded);
  return out;
}

/**
 * Moves partitions from a member to a less loaded subscriber of their
 * topic while that evens the two out (loads two or more apart). Each
 * move lowers the sum of squared loads, so this ends.
 */
function balance(
  ordered: AssignorMember[],
  out: TargetAssignment,
  subscribers: Map<string, AssignorMember[]>,
  load: (m: AssignorMember) => number,
  leastLoaded: (ms: AssignorMember[]) => AssignorMember,
): void {
  for (let moved = true; moved; ) {
    moved = false;
    const heaviestFirst = [...ordered].sort((a, b) => load(b) - load(a));
    for (const from of heaviestFirst) {
      const list = out.get(from.memberId)!;
      const at = list.findLastIndex((tp) => load(leastLoaded(subscribers.get(tp.topic)!)) + 1 < list.length);
      if (at < 0) continue;
      const [tp] = list.splice(at, 1);
      out.get(leastLoaded(subscribers.get(tp!.topic)!).memberId)!.push(tp!);
      moved = true;
      break;
    }
  }
}

/**
 * What a KIP-848 member's subscription resolves to: the topic names it
 * subscribes to that exist, and those its regular expression matches
 * whole (RE2, as Kafka's RE2/J) that its principal may READ — Kafka
 * resolves a regex only to topics the member may describe. Also the
 * group's picture of that (`topicsSignature`), which moves the group
 * epoch when it changes: a topic created or deleted, partitions added, a
 * topic a regex member may now read.
 */
import { RE2JS } from "re2js";
import { ErrorCode, failure, type Failure } from "../../errors";
import { limits } from "../../limits";
import { OFFSETS_TOPIC } from "../offsets-topic";
import type { TopicReadable } from "../topic-access";
import { patternMatches } from "../topic-pattern";
import type { MemberState, TopicIndex, TopicPartition } from "../types";
import type { Kip848MemberInfo, NamedTopicPartitions, TopicIdPartitions } from "./kip848-types";

/** The topics `m` subscribes to now, of those in `topics`, sorted. */
export function kip848Topics(m: Pick<Kip848MemberInfo, "subscribedTopicNames" | "subscribedTopicRegex">, principal: string, topics: TopicIndex, readable: TopicReadable): string[] {
  const named = m.subscribedTopicNames.filter((t) => topics.has(t));
  const regex = m.subscribedTopicRegex;
  // As Kafka, a regex never takes the internal offsets topic.
  const matched = regex === null ? [] : [...topics.keys()].filter((t) => t !== OFFSETS_TOPIC && patternMatches(regex, t) && readable(principal, t));
  return [...new Set([...named, ...matched])].sort();
}

/** Every KIP-848 member's resolved topics, and each such topic's partition count and id: equal signatures plan the same target. */
export function topicsSignature(members: MemberState[], topics: TopicIndex, readable: TopicReadable): string {
  const used = new Set<string>();
  const parts: string[] = [];
  for (const m of [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : 1))) {
    if (m.kip848 === undefined) continue;
    const resolved = kip848Topics(m.kip848, m.principal, topics, readable);
    for (const t of resolved) used.add(t);
    parts.push(`${m.memberId}=${resolved.join(",")}`);
  }
  const described = [...used].sort().map((t) => `${t}/${topics.get(t)!.partitionsCount}/${topics.get(t)!.topicId}`);
  return `${parts.join(";")}|${described.join(",")}`;
}

/** INVALID_REGULAR_EXPRESSION when `regex` is not one RE2 compiles (or is longer than `topicPatternLengthMax`); else null. */
export function regexProblem(regex: string): Failure | null {
  if (regex.length > limits.topicPatternLengthMax) {
    return failure(ErrorCode.BAD_REQUEST, `INVALID_REGULAR_EXPRESSION: SubscribedTopicRegex is ${regex.length} characters; at most ${limits.topicPatternLengthMax} are accepted`, "INVALID_REGULAR_EXPRESSION");
  }
  try {
    RE2JS.compile(regex);
    return null;
  } catch (e) {
    const message = `INVALID_REGULAR_EXPRESSION: SubscribedTopicRegex \`${regex}\` is not a valid regular expression (RE2 syntax): ${(e as Error).message}`;
    return failure(ErrorCode.BAD_REQUEST, message, "INVALID_REGULAR_EXPRESSION");
  }
}

/** Partitions named by topic id, by topic name; ids of topics that do not exist now are left out. */
export function named(list: TopicIdPartitions[], topics: TopicIndex): TopicPartition[] {
  const names = new Map([...topics].map(([name, t]) => [t.topicId, name]));
  return list.flatMap((t) => {
    const topic = names.get(t.topicId);
    return topic === undefined ? [] : t.partitions.map((partition) => ({ topic, partition }));
  });
}

/** Partitions grouped by topic, with each topic's id; topics that do not exist now are left out. */
export function byTopic(list: TopicPartition[], topics: TopicIndex): NamedTopicPartitions[] {
  const out = new Map<string, NamedTopicPartitions>();
  for (const tp of list) {
    const t = topics.get(tp.topic);
    if (t === undefined) continue;
    const entry = out.get(tp.topic) ?? { topic: tp.topic, topicId: t.topicId, partitions: [] };
    entry.partitions.push(tp.partition);
    out.set(tp.topic, entry);
  }
  return [...out.values()];
}

/** Which topics a group's members subscribe to, as the group's rebalances see them. */
import { kip848Topics } from "./kip848/kip848-topics";
import type { TopicReadable } from "./topic-access";
import { patternMatches } from "./topic-pattern";
import type { MemberState, TopicIndex } from "./types";

/**
 * The topics a member's subscription names, or its pattern matches, of
 * those that exist; a pattern takes only topics its member may READ (as
 * Kafka clients see only the topics they may describe).
 */
export function subscribedTopics(m: MemberState, topics: TopicIndex, readable: TopicReadable): string[] {
  if (m.kip848 !== undefined) return kip848Topics(m.kip848, m.principal, topics, readable);
  if (m.subscription === null) return [];
  if ("topics" in m.subscription) return m.subscription.topics.filter((t) => topics.has(t));
  const { pattern } = m.subscription;
  return [...topics.keys()].filter((t) => patternMatches(pattern, t) && readable(m.principal, t));
}

/** What the subscriptions resolve to: every subscribed topic with its partition count and id. */
export function topicsSignature(members: MemberState[], topics: TopicIndex, readable: TopicReadable): string {
  const names = new Set(members.flatMap((m) => subscribedTopics(m, topics, readable)));
  return [...names].sort().map((t) => `${t}/${topics.get(t)!.partitionsCount}/${topics.get(t)!.topicId}`).join(",");
}

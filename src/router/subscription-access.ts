/** What the access rules of push subscription routes read from a request (access.ts applies them). */
import type { ResourceType } from "../access/acl";

/** A push subscription route's last segment: `{name}`, `{name}:pause` or `{name}:resume`. */
export function subscriptionInPath(segment: string): { name: string; action: "pause" | "resume" | null } {
  const m = /^(.*):(pause|resume)$/.exec(segment);
  return m === null ? { name: segment, action: null } : { name: m[1]!, action: m[2] as "pause" | "resume" };
}

/**
 * What creating a subscription from `body` needs: READ on the group of
 * its `name` and on each of its `topics`, WRITE on its
 * `dead_letter_topic` — of those fields that are there as strings (a
 * body without them is refused by the route, which checks it whole).
 */
export function subscriptionWants(body: unknown): { name: string | null; reads: [ResourceType, string][]; writes: string[] } {
  const b = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  const name = typeof b.name === "string" ? b.name : null;
  const topics = Array.isArray(b.topics) ? b.topics.filter((t): t is string => typeof t === "string") : [];
  const reads: [ResourceType, string][] = [...(name === null ? [] : [["GROUP", name] as [ResourceType, string]]), ...topics.map((t) => ["TOPIC", t] as [ResourceType, string])];
  return { name, reads, writes: typeof b.dead_letter_topic === "string" ? [b.dead_letter_topic] : [] };
}

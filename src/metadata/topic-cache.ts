/**
 * The Worker's short-lived copy of topic metadata, so that produce and
 * fetch do not ask the controller every time. Entries live for
 * `limits.metadataCacheMs`; admin changes made through this isolate drop
 * them at once, and a partition that no longer knows the cached topic id
 * makes the caller look again.
 */
import type { Env } from "../env";
import { unwrap } from "../errors";
import { limits } from "../limits";
import type { TopicMeta } from "../topic/types";
import { callController } from "../rpc/objects";

const cache = new Map<string, { topic: TopicMeta; fetchedAtMs: number }>();

/** A topic's metadata, from the cache when fresh; 40401 when it does not exist. */
export async function topicMeta(env: Env, name: string): Promise<TopicMeta> {
  const hit = cache.get(name);
  const nowMs = Date.now();
  if (hit !== undefined && nowMs - hit.fetchedAtMs < limits.metadataCacheMs) return hit.topic;
  const topic = unwrap(await callController(env).getTopic(name));
  cache.set(name, { topic, fetchedAtMs: nowMs });
  return topic;
}

/** Drops the cached copy of a topic (after an admin change, or a stale topic id). */
export function forgetTopic(name: string): void {
  cache.delete(name);
}

/**
 * READ on topics for group members. The router checks READ on the group;
 * the coordinator checks every topic a member subscribes to, is assigned,
 * reads, commits or seeks — with the principal of the request, or, for a
 * rebalance and WebSocket frames, the member's own principal (the one it
 * joined or last subscribed as). Decisions come from the isolate's copy
 * of the ACLs (access-cache.ts), so an ACL change is seen within
 * `accessCacheMs`. Served open (development without an admin key),
 * every topic may be read.
 */
import { accessState } from "../access/access-cache";
import { notAuthorized } from "../access/acl";
import { authMode } from "../access/authenticate";
import type { Env } from "../env";
import type { Failure } from "../errors";
import { logBug } from "../rpc/boundary";
import { callAccess } from "../rpc/objects";

/** Whether `principal` may READ `topic` now. */
export type TopicReadable = (principal: string, topic: string) => boolean;

/** The READ check as of now (always true when served open). */
export async function topicReadability(env: Env): Promise<TopicReadable> {
  if (authMode(env) !== "on") return () => true;
  const state = await accessState(env);
  return (principal, topic) => state.allowed(principal, "TOPIC", topic, "READ");
}

/**
 * The 40301 TOPIC_AUTHORIZATION_FAILED for `principal` reading `topic`
 * (as the router words denials), recorded in the audit log as a denied
 * `action`.
 */
export function readDenied(env: Env, principal: string, topic: string, action: string): Failure {
  const refusal = notAuthorized(principal, "READ", "TOPIC", topic);
  const entry = { time: Date.now(), principal, action, resource: `TOPIC:${topic}`, outcome: "denied" as const, error_code: refusal.error_code };
  const write = async () => {
    const r = (await callAccess(env).appendAudit([entry])) as { ok: true } | Failure;
    if (!r.ok) logBug("group audit", new Error(r.message), { entry });
  };
  write().catch((e) => logBug("group audit", e, { entry }));
  return refusal;
}

/** The 40301 for the first of `topics` that `principal` may not READ (audited as `action`), or null when it may read them all. */
export async function unreadable(env: Env, principal: string, topics: Iterable<string>, action: string): Promise<Failure | null> {
  const readable = await topicReadability(env);
  for (const topic of topics) if (!readable(principal, topic)) return readDenied(env, principal, topic, action);
  return null;
}

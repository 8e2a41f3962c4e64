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
import { authMode } from "../access/authenticate";
import type { Env } from "../env";
import { ErrorCode, failure, type Failure } from "../errors";
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
 * The 403 for `principal` reading `topic` (named as the router names
 * denials), recorded in the audit log as a denied `action`.
 */
export function readDenied(env: Env, principal: string, topic: string, action: string): Failure {
  const entry = { time: Date.now(), principal, action, resource: `TOPIC:${topic}`, outcome: "denied" as const, error_code: ErrorCode.FORBIDDEN };
  const write = async () => {
    const r = (await callAccess(env).appendAudit([entry])) as { ok: true } | Failure;
    if (!r.ok) logBug("group audit", new Error(r.message), { entry });
  };
  write().catch((e) => logBug("group audit", e, { entry }));
  return failure(ErrorCode.FORBIDDEN, `not authorized: ${principal} may not READ TOPIC '${topic}'`, "TOPIC_AUTHORIZATION_FAILED");
}

/** The 403 for the first of `topics` that `principal` may not READ (audited as `action`), or null when it may read them all. */
export async function unreadable(env: Env, principal: string, topics: Iterable<string>, action: string): Promise<Failure | null> {
  const readable = await topicReadability(env);
  for (const topic of topics) if (!readable(principal, topic)) return readDenied(env, principal, topic, action);
  return null;
}

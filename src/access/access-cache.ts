/**
 * The Worker's copy of keys, ACLs and quotas, so that checking a request
 * costs no round trip in the common case. The copy is trusted for
 * `limits.accessCacheMs` (1 s); after that the next request asks the
 * access-control object whether its version moved (a small call) and
 * fetches a new copy only when it did. A change made through this isolate
 * drops the copy at once; other isolates see it within `accessCacheMs`.
 * Decisions are memoised per (principal, resource, operation) until the
 * copy changes.
 */
import type { Env } from "../env";
import { unwrap } from "../errors";
import { limits } from "../limits";
import { decide, type Acl, type Operation, type ResourceType } from "./acl";
import type { AccessSnapshot, KeyEntry, Quota } from "./types";
import { callAccess } from "../rpc/objects";

/** A snapshot indexed for lookups. */
export class AccessState {
  readonly keys: Map<string, KeyEntry>;
  readonly quotas: Map<string, Quota>;
  private readonly aclsByPrincipal = new Map<string, Acl[]>();
  private readonly decisions = new Map<string, boolean>();

  constructor(readonly snapshot: AccessSnapshot) {
    this.keys = new Map(snapshot.keys.map((k) => [k.keyId, k]));
    this.quotas = new Map(snapshot.quotas.map((q) => [q.principal, q]));
    for (const acl of snapshot.acls) {
      const list = this.aclsByPrincipal.get(acl.principal);
      if (list === undefined) this.aclsByPrincipal.set(acl.principal, [acl]);
      else list.push(acl);
    }
  }

  /** Kafka's decision (see acl.ts), memoised; the bootstrap admin may do everything. */
  allowed(principal: string, type: ResourceType, name: string, operation: Operation): boolean {
    if (principal === ADMIN_PRINCIPAL) return true;
    const key = `${principal}\u0000${type}\u0000${name}\u0000${operation}`;
    const known = this.decisions.get(key);
    if (known !== undefined) return known;
    const relevant = [...(this.aclsByPrincipal.get(principal) ?? []), ...(this.aclsByPrincipal.get("User:*") ?? [])];
    const answer = decide(relevant, principal, type, name, operation);
    if (this.decisions.size >= limits.accessDecisionsCachedMax) this.decisions.clear();
    this.decisions.set(key, answer);
    return answer;
  }
}

/** The bootstrap principal: key id `admin`, secret RUNNEL_ADMIN_KEY; it may do everything. */
export const ADMIN_PRINCIPAL = "User:admin";

let cached: { state: AccessState; checkedAtMs: number } | null = null;

/**
 * The current access state (from the copy when fresh; see above). Each
 * request that finds the copy stale asks on its own: awaiting a call
 * another request made would resume this one in that request's context,
 * where its own I/O (its body) is out of reach ("Cannot perform I/O on
 * behalf of a different request").
 */
export async function accessState(env: Env): Promise<AccessState> {
  const nowMs = Date.now();
  if (cached !== null && nowMs - cached.checkedAtMs < limits.accessCacheMs) return cached.state;
  return refresh(env);
}

async function refresh(env: Env): Promise<AccessState> {
  const known = cached?.state.snapshot.version ?? -1;
  const answer = unwrap(await callAccess(env).snapshot(known));
  const state = answer.changed ? new AccessState(answer) : cached!.state;
  cached = { state, checkedAtMs: Date.now() };
  return state;
}

/** Drops this isolate's copy (after a change made through it). */
export function forgetAccess(): void {
  cached = null;
}

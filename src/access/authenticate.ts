/**
 * Who is asking. Authentication is on when the RUNNEL_ADMIN_KEY secret is
 * set; without it, development mode serves open (and says so) and
 * production mode refuses everything (fails closed).
 */
import type { Env } from "../env";
import { ErrorCode, RunnelError } from "../errors";
import { ADMIN_PRINCIPAL, accessState } from "./access-cache";
import type { Credentials } from "./credentials";
import { sameText, secretMatches } from "./secrets";

/** on: keys checked; open: development without a key, every request allowed; closed: production without a key. */
export type AuthMode = "on" | "open" | "closed";

/** The mode `env` puts authentication in. */
export function authMode(env: Pick<Env, "RUNNEL_ADMIN_KEY" | "MODE">): AuthMode {
  if (env.RUNNEL_ADMIN_KEY !== undefined && env.RUNNEL_ADMIN_KEY !== "") return "on";
  return env.MODE === "development" ? "open" : "closed";
}

/**
 * Served open over a state that holds keys or ACLs — development mode
 * without an admin key, restarted on a directory an authenticated run
 * filled — would hand them to anyone, so it is refused (503 / 50301)
 * unless `AUTH_OFF` is "true" (`npm start -- --auth-off`): the answer
 * says what was found and the two ways forward. Null when serving open
 * is fine. Uses the Worker's copy of the access state (accessCacheMs).
 */
export async function openOverKeys(env: Env): Promise<RunnelError | null> {
  if (env.AUTH_OFF === "true") return null;
  const state = await accessState(env);
  const keys = state.keys.size;
  const acls = state.snapshot.acls.length;
  if (keys === 0 && acls === 0) return null;
  const found = [count(keys, "API key"), count(acls, "ACL")].filter((s) => s !== null).join(" and ");
  return new RunnelError(
    ErrorCode.NOT_CONFIGURED,
    `this state holds ${found}, but without an admin key authentication is off: anyone who can reach the server could do anything. ` +
      "Start with the admin key to use them (RUNNEL_ADMIN_KEY, or npm start -- --admin-key …), " +
      'or serve without authentication on purpose, leaving them unused (npm start -- --auth-off, or the AUTH_OFF var set to "true")',
  );
}

function count(n: number, what: string): string | null {
  return n === 0 ? null : `${n} ${what}${n === 1 ? "" : "s"}`;
}

/** The key id of the bootstrap admin key. */
export const ADMIN_KEY_ID = "admin";

/**
 * The principal behind `credentials`, or a 401. Unknown key ids and wrong
 * secrets get the same answer; "disabled" is said only to a caller that
 * knows the secret.
 */
export async function principalOf(env: Env, credentials: Credentials): Promise<string> {
  if (credentials.keyId === ADMIN_KEY_ID) {
    if (await sameText(credentials.secret, env.RUNNEL_ADMIN_KEY ?? "")) return ADMIN_PRINCIPAL;
    throw unauthenticated("unknown API key or wrong secret");
  }
  const key = (await accessState(env)).keys.get(credentials.keyId);
  if (key === undefined || !(await secretMatches(credentials.secret, key.salt, key.hash))) throw unauthenticated("unknown API key or wrong secret");
  if (key.disabled) throw unauthenticated(`API key '${key.keyId}' is disabled`);
  return key.principal;
}

/** A 401 with `message`. */
export function unauthenticated(message: string): RunnelError {
  return new RunnelError(ErrorCode.UNAUTHENTICATED, message);
}

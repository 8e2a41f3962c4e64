import { SELF } from "cloudflare:test";
import { V3 } from "../helpers";

/** The bootstrap admin key in the workers-auth test project (vitest.config.mts). */
export const ADMIN = "admin.test-admin-secret";

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** Calls the Worker with `key` (a `{key_id}.{secret}` Bearer token, or null for none). */
export async function as<T = any>(key: string | null, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
  const init: RequestInit = { method, headers: { "content-type": "application/json", ...(key === null ? {} : { authorization: `Bearer ${key}` }), ...headers } };
  if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
  const res = await SELF.fetch(`http://runnel.test${path}`, init);
  const text = new TextDecoder().decode(await res.arrayBuffer());
  let parsed: unknown = text;
  try {
    parsed = text === "" ? null : JSON.parse(text);
  } catch {
    /* left as text */
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

/** Creates a key for `principal` as admin; returns its `{key_id}.{secret}`. */
export async function keyFor(principal: string): Promise<string> {
  const res = await as(ADMIN, "POST", `${V3}/keys`, { principal });
  if (res.status !== 201) throw new Error(`key for ${principal}: ${res.status} ${JSON.stringify(res.body)}`);
  return `${res.body.key_id}.${res.body.secret}`;
}

/** Adds an ACL as admin. */
export async function allow(principal: string, resource_type: string, resource_name: string, operation: string, extra: Record<string, string> = {}) {
  const res = await as(ADMIN, "POST", `${V3}/acls`, { resource_type, resource_name, pattern_type: "LITERAL", principal, host: "*", operation, permission: "ALLOW", ...extra });
  if (res.status !== 201) throw new Error(`acl: ${res.status} ${JSON.stringify(res.body)}`);
}

/** Creates a topic as admin. */
export async function adminTopic(name: string, partitions = 1) {
  const res = await as(ADMIN, "POST", `${V3}/topics`, { topic_name: name, partitions_count: partitions });
  if (res.status !== 201) throw new Error(`create ${name}: ${res.status} ${JSON.stringify(res.body)}`);
}

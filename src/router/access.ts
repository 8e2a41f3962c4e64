/**
 * Authentication and authorization for every route. `authenticate` runs
 * first on every request: it finds the principal (or answers 401 / 40101, or 503
 * in production without an admin key, or serves open in development
 * without one, with `Runnel-Auth: off`). Each route then passes its rule
 * (access-rules.ts): the ACL check, the principal's quotas, and the audit
 * log. A denied WebSocket upgrade is accepted and closed at once with
 * 4401 / 4403, so browsers can see why.
 */
import type { Context, Hono, MiddlewareHandler } from "hono";
import { accessState, type AccessState } from "../access/access-cache";
import { CLUSTER_RESOURCE, notAuthorized, type Operation, type ResourceType } from "../access/acl";
import { authMode, openOverKeys, principalOf, unauthenticated } from "../access/authenticate";
import { credentialsOf } from "../access/credentials";
import { enforceQuotas, chargeConsumed } from "../access/quota-check";
import type { AuditEntry } from "../access/types";
import type { Env } from "../env";
import { readBounded } from "../bytes/read-bounded";
import { ErrorCode, errorOf, RunnelError } from "../errors";
import { limits } from "../limits";
import { logBug } from "../rpc/boundary";
import { isInternalTopic } from "../group/offsets-topic";
import { ACCESS_RULES, type AccessRule } from "./access-rules";
import { subscriptionInPath, subscriptionWants } from "./subscription-access";
import { callAccess } from "../rpc/objects";
import { answeredErrorCode } from "./on-error";

type C = Context<{ Bindings: Env }>;

/** The principal of requests served open (development mode without an admin key), as Kafka names it. */
export const ANONYMOUS = "User:ANONYMOUS";

/** The principal this request was authenticated as. */
export function principalIn(c: C): string {
  return (c.get("principal" as never) as string | undefined) ?? ANONYMOUS;
}

/** Whether this request's principal may do `operation` on a resource (always, when served open). */
export async function mayDo(c: C, type: ResourceType, name: string, operation: Operation): Promise<boolean> {
  if (authMode(c.env) === "open") return true;
  return (await accessState(c.env)).allowed(principalIn(c), type, name, operation);
}

/** The items of a list the principal may DESCRIBE (lists show only those). */
export async function describable<T>(c: C, type: ResourceType, items: T[], nameOf: (item: T) => string): Promise<T[]> {
  if (authMode(c.env) === "open") return items;
  const state = await accessState(c.env);
  return items.filter((item) => state.allowed(principalIn(c), type, nameOf(item), "DESCRIBE"));
}

/**
 * Production without an admin key answers every request 503 / 50301, and
 * so does development without one over stored keys or ACLs (openOverKeys):
 * runs before anything else looks at the request (media types included).
 */
export const refuseUnconfigured: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  const mode = authMode(c.env);
  if (mode === "closed") {
    throw new RunnelError(ErrorCode.NOT_CONFIGURED, "authentication is not configured: set the RUNNEL_ADMIN_KEY secret (wrangler secret put RUNNEL_ADMIN_KEY)");
  }
  const refused = mode === "open" ? await openOverKeys(c.env) : null;
  if (refused !== null) throw refused;
  await next();
};

/** Finds who is asking; see the module comment. */
export const authenticate: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  const mode = authMode(c.env);
  if (mode === "closed") return refuseUnconfigured(c, next);
  if (mode === "open") {
    await next();
    markOpen(c);
    return;
  }
  try {
    const credentials = credentialsOf(c.req.raw, new URL(c.req.url));
    if (credentials === null) throw unauthenticated("an API key is required: send Authorization: Bearer {key_id}.{secret}");
    c.set("principal" as never, (await principalOf(c.env, credentials)) as never);
  } catch (e) {
    if (e instanceof RunnelError && e.errorCode === ErrorCode.UNAUTHENTICATED && isUpgrade(c)) return wsRefusal(4401, e.message);
    throw e;
  }
  await next();
};

function markOpen(c: C): void {
  try {
    c.res.headers.set("runnel-auth", "off");
  } catch {
    // Passed through from another object (immutable headers): copy once. A copy of a WebSocket upgrade keeps its socket.
    c.res = new Response(c.res.body, c.res);
    c.res.headers.set("runnel-auth", "off");
  }
}

/** Registers each rule of `ACCESS_RULES` as middleware in front of its route. Call before the routes. */
export function guardRoutes(app: Hono<{ Bindings: Env }>): void {
  for (const rule of ACCESS_RULES) app.on(rule.method, rule.path, authorize(rule));
}

function authorize(rule: AccessRule): MiddlewareHandler<{ Bindings: Env }> {
  return async (c, next) => {
    const open = authMode(c.env) === "open";
    const principal = principalIn(c);
    if (open && rule.authOnly === true) throw refusedOpen(c, rule);
    if (rule.need.on === "topic" && INTERNAL_REFUSED.has(rule.need.op)) refuseInternal(c.req.param("t") ?? "");
    const state = open ? null : await accessState(c.env);
    if (state !== null) {
      const denied = await deniedBy(c, state, principal, rule);
      if (denied !== null) {
        const refusal = notAuthorized(principal, denied.operation, denied.type, denied.name);
        audit(c, { principal, action: rule.action, resource: `${denied.type}:${denied.name}`, outcome: "denied", error_code: refusal.error_code });
        if (isUpgrade(c)) return wsRefusal(4403, refusal.message);
        throw errorOf(refusal);
      }
      await enforceQuotas(c, state, principal, rule);
    }
    try {
      await next();
    } finally {
      if (rule.audit) auditOutcome(c, rule, principal);
    }
    if (state !== null && rule.quota === "consume") await chargeConsumed(c, state, principal);
  };
}

/** What no one may do to an internal topic (Kafka refuses it to clients too): only Runnel writes `__consumer_offsets`. */
const INTERNAL_REFUSED = new Set<Operation>(["WRITE", "DELETE", "ALTER", "ALTER_CONFIGS"]);

/** 403 naming the topic internal when `topic` is (writes, deletes, partition and config changes; reads pass). */
export function refuseInternal(topic: string): void {
  if (!isInternalTopic(topic)) return;
  throw new RunnelError(ErrorCode.FORBIDDEN, `topic '${topic}' is internal: the group coordinators write it in Kafka's formats; clients may only read it`, undefined, "INVALID_TOPIC_EXCEPTION");
}

/** Keys and ACLs served open (see AccessRule.authOnly): refused, and audited as a denial. */
function refusedOpen(c: C, rule: AccessRule): RunnelError {
  audit(c, { principal: ANONYMOUS, action: rule.action, resource: `CLUSTER:${CLUSTER_RESOURCE}`, outcome: "denied", error_code: ErrorCode.FORBIDDEN });
  // Kafka's name for ACL calls to a broker without an authorizer.
  return new RunnelError(
    ErrorCode.FORBIDDEN,
    "keys and ACLs are managed only with authentication on: this server runs without an admin key, so it cannot tell who is asking (start it with RUNNEL_ADMIN_KEY or --admin-key)",
    undefined,
    "SECURITY_DISABLED",
  );
}

interface Denial {
  type: ResourceType;
  name: string;
  operation: Operation;
}

/** The first check of `rule` that `principal` fails, or null. */
async function deniedBy(c: C, state: AccessState, principal: string, rule: AccessRule): Promise<Denial | null> {
  const need = rule.need;
  const check = (type: ResourceType, name: string, operation: Operation): Denial | null =>
    state.allowed(principal, type, name, operation) ? null : { type, name, operation };
  switch (need.on) {
    case "none":
    case "authenticated":
      return null;
    case "cluster":
      return check("CLUSTER", CLUSTER_RESOURCE, need.op);
    case "topic":
      return check("TOPIC", c.req.param("t") ?? "", need.op);
    case "group":
      return check("GROUP", c.req.param("g") ?? "", need.op);
    case "topic-create": {
      const name = await topicNameInBody(c);
      if (name !== null) auditAs(c, `TOPIC:${name}`);
      if (check("CLUSTER", CLUSTER_RESOURCE, "CREATE") === null) return null;
      return name === null ? { type: "CLUSTER", name: CLUSTER_RESOURCE, operation: "CREATE" } : check("TOPIC", name, "CREATE");
    }
    case "subscription": {
      const topics = (c.req.query("topics") ?? "").split(",").filter((t) => t.length > 0);
      return check("GROUP", c.req.param("g") ?? "", "READ") ?? topics.map((t) => check("TOPIC", t, "READ")).find((d) => d !== null) ?? null;
    }
    case "push":
      return check("GROUP", subscriptionInPath(c.req.param("s") ?? "").name, need.op);
    case "push-create": {
      const wants = subscriptionWants(await bodyCopy(c));
      if (wants.name !== null) auditAs(c, `GROUP:${wants.name}`);
      return wants.reads.map(([type, name]) => check(type, name, "READ")).find((d) => d !== null) ?? wants.writes.map((t) => check("TOPIC", t, "WRITE")).find((d) => d !== null) ?? null;
    }
  }
}

/** The `topic_name` of a topic-create body, read from a copy (bounded), or null. */
async function topicNameInBody(c: C): Promise<string | null> {
  const name = ((await bodyCopy(c)) as { topic_name?: unknown } | null)?.topic_name;
  return typeof name === "string" ? name : null;
}

/** The JSON body, read from a copy (bounded; the route reads the original), or null when it is none. */
async function bodyCopy(c: C): Promise<unknown> {
  const body = c.req.raw.clone().body;
  if (body === null) return null;
  try {
    // A copy: never drained (its twin would buffer what it skips).
    const bytes = await readBounded(body, limits.adminRequestBytesMax, 0);
    return bytes === null ? null : JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
}

function auditOutcome(c: C, rule: AccessRule, principal: string): void {
  const status = c.res.status;
  const failed = status >= 400;
  const errorCode = answeredErrorCode(c) ?? status; // the answer's error_code (40401, say), else its status
  audit(c, { principal, action: rule.action, resource: auditResourceOf(c), outcome: failed ? "failure" : "success", ...(failed ? { error_code: errorCode } : {}) });
}

/** Names the resource an admin action acted on, for its audit entry (else it is read from the path). */
export function auditAs(c: C, resource: string): void {
  c.set("auditResource" as never, resource as never);
}

function auditResourceOf(c: C): string {
  const named = c.get("auditResource" as never) as string | undefined;
  if (named !== undefined) return named;
  const p = (name: string) => c.req.param(name);
  if (p("t") !== undefined) return `TOPIC:${p("t")}`;
  if (p("g") !== undefined) return `GROUP:${p("g")}`;
  if (p("k") !== undefined) return `KEY:${p("k")}`;
  if (p("principal") !== undefined) return `QUOTA:${p("principal")}`;
  if (p("b") !== undefined) return `BROKER:${p("b")}`;
  return `CLUSTER:${CLUSTER_RESOURCE}`;
}

/** Writes an audit entry without holding up the response; a failed write is logged, never dropped silently. */
export function audit(c: C, entry: Omit<AuditEntry, "time">): void {
  const write = Promise.resolve(callAccess(c.env).appendAudit([{ time: Date.now(), ...entry }]))
    .then((r) => {
      if (!r.ok) logBug("audit", new Error(r.message), { entry });
    })
    .catch((e) => logBug("audit", e, { entry }));
  try {
    c.executionCtx.waitUntil(write);
  } catch {
    // No execution context (unit tests of the router): the write still runs.
  }
}

function isUpgrade(c: C): boolean {
  return c.req.header("upgrade")?.toLowerCase() === "websocket";
}

/** Accepts a WebSocket and closes it at once with `code`, so a browser learns why it was refused. */
function wsRefusal(code: number, reason: string): Response {
  const pair = new WebSocketPair();
  pair[1].accept();
  pair[1].close(code, reason.slice(0, 120));
  return new Response(null, { status: 101, webSocket: pair[0] });
}

export { unauthenticated };

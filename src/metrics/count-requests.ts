/**
 * The router's counting middleware: every request by route (the path
 * pattern it matched, `unmatched` for none), method and error code (the
 * API error code of a refused request, the HTTP status of a served one),
 * with its latency to the response headers; and produce requests by
 * topic and outcome (for produce_error_rate). A topic is named only once
 * the produce route has found it (`markProducedTopic`), so a client cannot
 * make up series: a request refused before that (a bad body, an unknown
 * topic, no access) counts under the topic "".
 */
import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { Env } from "../env";
import { ErrorCode, RunnelError } from "../errors";
import { ACCESS_RULES } from "../router/access-rules";
import { flushIfDue, routerCounters } from "./router-counters";
import { REQUESTS } from "./series";

type C = Context<{ Bindings: Env }>;

const PRODUCE_ROUTES = new Set(ACCESS_RULES.filter((r) => r.quota === "produce").map((r) => `${r.method} ${r.path}`));

/** Counts every request; see the module comment. Register first, so it sees every answer. */
export const countRequests: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  const startedMs = Date.now();
  await next();
  const seconds = (Date.now() - startedMs) / 1000;
  const route = routeOf(c);
  const code = errorCodeOf(c);
  routerCounters.count(REQUESTS.requests.name, { route: route.path, method: route.method, error_code: code });
  routerCounters.observe(REQUESTS.duration.name, { route: route.path, method: route.method }, seconds);
  if (PRODUCE_ROUTES.has(`${route.method} ${route.path}`)) {
    const failedWith = (c.get("produceFailure" as never) as number | undefined) ?? null;
    routerCounters.count(REQUESTS.produce.name, { topic: (c.get("producedTopic" as never) as string | undefined) ?? "", error_code: failedWith === null ? code : String(failedWith) });
  }
  flushIfDue(c.env, executionCtxOf(c));
};

/** Notes the topic a produce request found (it exists): its produce requests are counted under its name. */
export function markProducedTopic(c: C, topicName: string): void {
  c.set("producedTopic" as never, topicName as never);
}

/**
 * Notes that a produce request answered with per-record reports had
 * refused records (v2 `offsets[].error_code`, v3 batch failures): the
 * request counts as failed, with the first refused record's code.
 */
export function markProduceFailures(c: C, outcomes: readonly ({ ok: true } | { ok: false; error_code: number })[]): void {
  const failed = outcomes.find((o) => !o.ok) as { error_code: number } | undefined;
  if (failed !== undefined && c.get("produceFailure" as never) === undefined) c.set("produceFailure" as never, failed.error_code as never);
}

/** The route a request matched (its pattern and method), or `unmatched`. */
function routeOf(c: C): { path: string; method: string } {
  const last = matchedRoutes(c).findLast((r) => r.method !== "ALL");
  return last === undefined ? { path: "unmatched", method: c.req.method } : { path: last.path, method: last.method };
}

function errorCodeOf(c: C): string {
  const e = c.error;
  if (e instanceof RunnelError) return String(e.errorCode);
  if (e !== undefined) return String(ErrorCode.INTERNAL);
  return String(c.res.status);
}

function executionCtxOf(c: C): { waitUntil(p: Promise<unknown>): void } | null {
  try {
    return c.executionCtx;
  } catch {
    return null; // no execution context (the router's unit tests): counted, flushed by the next request or scrape
  }
}

/**
 * The router's one error boundary. Every response carries a request id
 * (`Runnel-Request-Id`). A `RunnelError` becomes its JSON body (with
 * `error_name`, Kafka's name, when it has one) and status; a 40101 adds
 * `WWW-Authenticate: Bearer realm="runnel"`;
 * anything else is a bug: logged once with the request id, the route and
 * the internal text, while the client gets a generic message naming the
 * request id and never the internal text. A 500 for a bug already logged
 * where it happened (a Durable Object's boundary, a call — rpc/call.ts)
 * is not logged again: its answer names that line's bug id.
 */
import type { Context, ErrorHandler, MiddlewareHandler } from "hono";
import { ErrorCode, httpStatusOf, RunnelError } from "../errors";
import { bugBody } from "../rpc/boundary";

/** The response header that names each request. */
export const REQUEST_ID_HEADER = "runnel-request-id";

/** Gives every request an id (a random UUID), echoed in `Runnel-Request-Id`. */
export const requestId: MiddlewareHandler = async (c, next) => {
  const id = crypto.randomUUID();
  c.set("requestId" as never, id as never);
  await next();
  if (c.res.status === 101) return; // an upgraded WebSocket's response is the runtime's own
  try {
    c.res.headers.set(REQUEST_ID_HEADER, id);
  } catch {
    // Responses passed through from another object have immutable headers: copy once.
    c.res = new Response(c.res.body, c.res);
    c.res.headers.set(REQUEST_ID_HEADER, id);
  }
};

/** The `error_code` this request was answered with, when `onError` answered it (the audit log records it). */
export function answeredErrorCode(c: Context): number | undefined {
  return c.get("errorCode" as never) as number | undefined;
}

/** This request's id, or a fresh one when the middleware did not run. */
export function requestIdOf(c: Context): string {
  return (c.get("requestId" as never) as string | undefined) ?? crypto.randomUUID();
}

/**
 * Hono's `onError`: JSON errors for expected failures, with their Kafka
 * `error_name` when they have one; a logged, generic 500 for bugs.
 */
export const onError: ErrorHandler = (err, c) => {
  const id = requestIdOf(c);
  const expected = err instanceof RunnelError && err.errorCode !== ErrorCode.INTERNAL;
  c.set("errorCode" as never, (expected ? err.errorCode : ErrorCode.INTERNAL) as never);
  if (expected) {
    const headers: Record<string, string> = { [REQUEST_ID_HEADER]: id };
    if (err.retryAfterS !== undefined) headers["retry-after"] = String(err.retryAfterS);
    if (err.errorCode === ErrorCode.UNAUTHENTICATED) headers["www-authenticate"] = 'Bearer realm="runnel"';
    return c.json(err.body(), httpStatusOf(err.errorCode) as 400, headers);
  }
  return c.json(bugBody(err, `${c.req.method} ${c.req.routePath}`, id, { path: c.req.path }), 500, { [REQUEST_ID_HEADER]: id });
};

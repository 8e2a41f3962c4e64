/**
 * The v2 media-type rules for every v2 route (`/topics…`, `/brokers`,
 * `/consumers…`): a body whose type is not JSON of some kind is a 415, and
 * an `Accept` that allows none of the endpoint's types a 406 / 40601,
 * before the route runs; JSON answers (errors too) carry
 * the negotiated v2 type instead of `application/json`.
 */
import type { Context, MiddlewareHandler } from "hono";
import { ErrorCode, RunnelError } from "../errors";
import { isJsonType, negotiate, V2_JSON, V2_OFFERS, V2_RECORD_OFFERS } from "./media";

const V2_PATH = /^\/(?:topics|brokers|consumers)(?:\/|$)/;
/** GETs that answer records in an embedded format (the last: a v1 consumer's read of one topic). */
const RECORDS_PATH = /^\/(?:(?:topics\/[^/]+\/partitions\/[^/]+|consumers\/[^/]+\/instances\/[^/]+)\/records|consumers\/[^/]+\/instances\/[^/]+\/topics\/[^/]+)\/?$/;
const KEY = "v2MediaType";

/** The response type this v2 request negotiated (V2_JSON when the middleware did not run). */
export function negotiatedType(c: Context): string {
  return (c.get(KEY as never) as string | undefined) ?? V2_JSON;
}

/** Whether `path` is a v2 route (its media rules are this module's). */
export function isV2Path(path: string): boolean {
  return V2_PATH.test(path);
}

/** Hono middleware applying the v2 media rules to v2 paths; other paths pass through. */
export const v2Media: MiddlewareHandler = async (c, next) => {
  if (!isV2Path(c.req.path)) return next();
  const sent = c.req.header("content-type");
  if (sent !== undefined && c.req.method !== "GET" && c.req.method !== "DELETE" && !isJsonType(sent)) {
    // Produce routes check their embedded format themselves; every v2 body is JSON of some kind.
    const e = new RunnelError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, `content type '${sent}' is not supported; send application/vnd.kafka.v2+json or application/json`);
    c.res = c.json(e.body(), 415, { "content-type": V2_JSON });
    return;
  }
  const records = c.req.method === "GET" && RECORDS_PATH.test(c.req.path);
  const chosen = negotiate(c.req.header("accept"), records ? V2_RECORD_OFFERS : V2_OFFERS);
  if (chosen === null) {
    const e = new RunnelError(ErrorCode.NOT_ACCEPTABLE, `Accept '${c.req.header("accept")}' allows none of this endpoint's types (${(records ? V2_RECORD_OFFERS : V2_OFFERS).join(", ")})`);
    c.res = c.json(e.body(), 406, { "content-type": V2_JSON });
    return;
  }
  c.set(KEY as never, chosen as never);
  await next();
  const type = c.res.headers.get("content-type");
  if (type === null || !type.startsWith("application/json")) return; // routes that chose their own type keep it
  // Embedded types belong to records only; any other JSON answer (errors too) is plain v2.
  const answer = /\.(binary|json|string)\.v[12]\+json$/.test(chosen) ? V2_JSON : chosen;
  try {
    c.res.headers.set("content-type", answer);
  } catch {
    c.res = new Response(c.res.body, c.res); // immutable headers of a passed-through response
    c.res.headers.set("content-type", answer);
  }
};

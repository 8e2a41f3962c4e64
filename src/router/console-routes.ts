/**
 * `GET /console` and `GET /console/{asset}`: the web console (docs/console.md).
 * Registered before authentication: the page and its assets need no key,
 * as the page signs in itself; every API call it makes then passes the
 * API's own rules.
 */
import { Hono } from "hono";
import { authMode } from "../access/authenticate";
import { consoleAsset } from "../console/assets";
import { consoleHeaders, consolePage } from "../console/page";
import type { Env } from "../env";
import { ErrorCode, RunnelError } from "../errors";

export const consoleRoutes = new Hono<{ Bindings: Env }>();

consoleRoutes.get("/console", (c) => {
  const open = authMode(c.env) === "open";
  const headers = consoleHeaders("text/html; charset=utf-8", false);
  // As every answer of a server that serves open says (src/router/access.ts).
  if (open) headers["runnel-auth"] = "off";
  return new Response(consolePage(open ? "off" : "on"), { headers });
});

consoleRoutes.get("/console/:asset", (c) => {
  const name = c.req.param("asset");
  const asset = consoleAsset(name);
  if (asset === null) throw new RunnelError(ErrorCode.NOT_FOUND, `the console has no asset '${name}'`);
  return new Response(asset.body, { headers: consoleHeaders(asset.type, true) });
});

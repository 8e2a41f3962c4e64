/**
 * `GET /metrics` (ext): Prometheus text exposition 0.0.4 of the whole
 * cluster, gathered on each scrape with a bounded fan-out (metrics/
 * scrape.ts). Needs DESCRIBE on the cluster when authentication is on.
 */
import { Hono } from "hono";
import type { Env } from "../env";
import { EXPOSITION_CONTENT_TYPE } from "../metrics/exposition";
import { render } from "../metrics/render";
import { gather } from "../metrics/scrape";

export const metricsRoutes = new Hono<{ Bindings: Env }>();

metricsRoutes.get("/metrics", async (c) => c.body(render(await gather(c.env)), 200, { "content-type": EXPOSITION_CONTENT_TYPE }));

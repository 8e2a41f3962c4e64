/**
 * Faults on demand (development mode only; production answers 403):
 * `POST /v3/clusters/{c}/brokers/{b}/faults {"mode": "down"|"slow"|"heal",
 * "latency_ms"?}` and `POST /v3/clusters/{c}/brokers/{b}/restart`.
 */
import { Hono, type Context } from "hono";
import { brokerById } from "../cluster/brokers";
import type { Env } from "../env";
import { ErrorCode, RunnelError, unwrap } from "../errors";
import { callFaults, faultsAllowed } from "./call-faults";
import { limits } from "../limits";
import { readJsonObject } from "../router/body";
import { intParam } from "../router/params";

export const faultRoutes = new Hono<{ Bindings: Env }>();

/** Most extra latency a slow broker may be given. */
const SLOW_LATENCY_MS_MAX = 60_000;

function brokerParam(c: Context<{ Bindings: Env }>): number {
  if (!faultsAllowed(c.env)) throw new RunnelError(ErrorCode.FORBIDDEN, "fault injection is only available in development mode");
  const id = intParam("broker_id", c.req.param("b"));
  if (brokerById(c.env, id) === undefined) throw new RunnelError(ErrorCode.BROKER_NOT_FOUND, `broker ${id} does not exist`);
  return id;
}

faultRoutes.post("/v3/clusters/:c/brokers/:b/faults", async (c) => {
  const brokerId = brokerParam(c);
  const body = await readJsonObject(c.req.raw, limits.adminRequestBytesMax);
  const mode = body.mode;
  if (mode !== "down" && mode !== "slow" && mode !== "heal") throw new RunnelError(ErrorCode.BAD_REQUEST, "mode must be down, slow or heal");
  const latency = body.latency_ms ?? (mode === "slow" ? 100 : 0);
  if (typeof latency !== "number" || !Number.isInteger(latency) || latency < 0 || latency > SLOW_LATENCY_MS_MAX) {
    throw new RunnelError(ErrorCode.BAD_REQUEST, `latency_ms must be an integer from 0 to ${SLOW_LATENCY_MS_MAX}`);
  }
  unwrap(await callFaults(c.env).set(brokerId, mode === "heal" ? "none" : mode, latency));
  return c.body(null, 204);
});

faultRoutes.post("/v3/clusters/:c/brokers/:b/restart", async (c) => {
  unwrap(await callFaults(c.env).restart(brokerParam(c)));
  return c.body(null, 204);
});

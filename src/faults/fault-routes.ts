/**
 * Faults on demand (development mode only; production answers 403):
 * `POST /v3/clusters/{c}/brokers/{b}/faults {"mode": "down"|"slow"|"heal",
 * "latency_ms"?}` and `POST /v3/clusters/{c}/brokers/{b}/restart`.
 */
import { Hono, type Context } from "hono";
import * as v from "valibot";
import { brokerById } from "../cluster/brokers";
import type { Env } from "../env";
import { ErrorCode, RunnelError, unwrap } from "../errors";
import { callFaults, faultsAllowed } from "./call-faults";
import { parseInput } from "../input";
import { limits } from "../limits";
import { readJsonObject } from "../router/body";
import { intParam } from "../router/params";

export const faultRoutes = new Hono<{ Bindings: Env }>();

/** Most extra latency a slow broker may be given. */
const SLOW_LATENCY_MS_MAX = 60_000;

const LATENCY = `must be an integer from 0 to ${SLOW_LATENCY_MS_MAX}`;

/** A fault's body (other fields are ignored); latency_ms absent or null: 100 for slow, else 0. */
const FaultBody = v.object({
  mode: v.picklist(["down", "slow", "heal"], "must be down, slow or heal"),
  latency_ms: v.nullish(v.pipe(v.number(LATENCY), v.integer(LATENCY), v.minValue(0, LATENCY), v.maxValue(SLOW_LATENCY_MS_MAX, LATENCY))),
});

function brokerParam(c: Context<{ Bindings: Env }>): number {
  if (!faultsAllowed(c.env)) throw new RunnelError(ErrorCode.FORBIDDEN, "fault injection is only available in development mode");
  const id = intParam("broker_id", c.req.param("b"));
  if (brokerById(c.env, id) === undefined) throw new RunnelError(ErrorCode.BROKER_NOT_FOUND, `broker ${id} does not exist`);
  return id;
}

faultRoutes.post("/v3/clusters/:c/brokers/:b/faults", async (c) => {
  const brokerId = brokerParam(c);
  const { mode, latency_ms } = parseInput(FaultBody, await readJsonObject(c.req.raw, limits.adminRequestBytesMax));
  const latency = latency_ms ?? (mode === "slow" ? 100 : 0);
  unwrap(await callFaults(c.env).set(brokerId, mode === "heal" ? "none" : mode, latency));
  return c.body(null, 204);
});

faultRoutes.post("/v3/clusters/:c/brokers/:b/restart", async (c) => {
  unwrap(await callFaults(c.env).restart(brokerParam(c)));
  return c.body(null, 204);
});

/**
 * The fault-injection paths in a deployed build, which has no fault
 * injection in it at all (src/dev.ts adds the real ones for `npm start`
 * and the tests): both answer 40301, as API.md says of production.
 */
import { Hono } from "hono";
import type { Env } from "../env";
import { ErrorCode, RunnelError } from "../errors";

export const refusedFaultRoutes = new Hono<{ Bindings: Env }>();

const refuse = () => {
  throw new RunnelError(ErrorCode.FORBIDDEN, "fault injection is only available in development builds (npm start, the tests); this deployment has none", undefined, null);
};
refusedFaultRoutes.post("/v3/clusters/:c/brokers/:b/faults", refuse);
refusedFaultRoutes.post("/v3/clusters/:c/brokers/:b/restart", refuse);

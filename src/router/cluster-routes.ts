/** `GET /v3/clusters`, `/v3/clusters/{c}`, `/v3/clusters/{c}/brokers[/{b}]`. */
import { Hono } from "hono";
import { brokersOf } from "../cluster/brokers";
import type { Env } from "../env";
import { ErrorCode, RunnelError } from "../errors";
import { intParam } from "./params";
import { baseUrl } from "./url";
import { brokerView, clusterView, list } from "./views";

export const clusterRoutes = new Hono<{ Bindings: Env }>();

clusterRoutes.get("/v3/clusters", (c) => c.json(list("Cluster", `${baseUrl(c)}/v3/clusters`, [clusterView(baseUrl(c), c.env.CLUSTER_ID)])));

clusterRoutes.get("/v3/clusters/:c", (c) => c.json(clusterView(baseUrl(c), c.env.CLUSTER_ID)));

clusterRoutes.get("/v3/clusters/:c/brokers", (c) => {
  const views = brokersOf(c.env).map((b) => brokerView(baseUrl(c), c.env.CLUSTER_ID, b));
  return c.json(list("Broker", `${baseUrl(c)}/v3/clusters/${c.env.CLUSTER_ID}/brokers`, views));
});

clusterRoutes.get("/v3/clusters/:c/brokers/:b", (c) => {
  const id = intParam("broker_id", c.req.param("b"));
  const broker = brokersOf(c.env).find((b) => b.id === id);
  if (broker === undefined) throw new RunnelError(ErrorCode.BROKER_NOT_FOUND, `broker ${id} does not exist`);
  return c.json(brokerView(baseUrl(c), c.env.CLUSTER_ID, broker));
});

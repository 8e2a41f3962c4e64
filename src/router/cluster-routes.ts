/** `GET /v3/clusters`, `/v3/clusters/{c}`, `/v3/clusters/{c}/brokers[/{b}]`, and a broker's configs (`…/brokers/{b}/configs[/{name}]`). */
import { Hono } from "hono";
import { brokerConfigs } from "../cluster/broker-configs";
import { type Broker, brokersOf } from "../cluster/brokers";
import type { Env } from "../env";
import { ErrorCode, RunnelError } from "../errors";
import { intParam } from "./params";
import { baseUrl } from "./url";
import { brokerConfigView, brokerView, clusterView, list } from "./views";

export const clusterRoutes = new Hono<{ Bindings: Env }>();

clusterRoutes.get("/v3/clusters", (c) => c.json(list("Cluster", `${baseUrl(c)}/v3/clusters`, [clusterView(baseUrl(c), c.env.CLUSTER_ID)])));

clusterRoutes.get("/v3/clusters/:c", (c) => c.json(clusterView(baseUrl(c), c.env.CLUSTER_ID)));

clusterRoutes.get("/v3/clusters/:c/brokers", (c) => {
  const views = brokersOf(c.env).map((b) => brokerView(baseUrl(c), c.env.CLUSTER_ID, b));
  return c.json(list("Broker", `${baseUrl(c)}/v3/clusters/${c.env.CLUSTER_ID}/brokers`, views));
});

/** The broker named in the path; 40406 when the cluster has none of that id. */
function brokerIn(env: Env, raw: string | undefined): Broker {
  const id = intParam("broker_id", raw);
  const broker = brokersOf(env).find((b) => b.id === id);
  if (broker === undefined) throw new RunnelError(ErrorCode.BROKER_NOT_FOUND, `broker ${id} does not exist`);
  return broker;
}

clusterRoutes.get("/v3/clusters/:c/brokers/:b", (c) => c.json(brokerView(baseUrl(c), c.env.CLUSTER_ID, brokerIn(c.env, c.req.param("b")))));

// Confluent's broker configs: Runnel's, the same on every broker, all read-only.
clusterRoutes.get("/v3/clusters/:c/brokers/:b/configs", (c) => {
  const broker = brokerIn(c.env, c.req.param("b"));
  const views = brokerConfigs(broker.id).map((config) => brokerConfigView(baseUrl(c), c.env.CLUSTER_ID, broker.id, config));
  return c.json(list("BrokerConfig", `${baseUrl(c)}${c.req.path}`, views));
});

clusterRoutes.get("/v3/clusters/:c/brokers/:b/configs/:name", (c) => {
  const broker = brokerIn(c.env, c.req.param("b"));
  const config = brokerConfigs(broker.id).find((b) => b.name === c.req.param("name"));
  if (config === undefined) throw new RunnelError(ErrorCode.NOT_FOUND, `broker config '${c.req.param("name")}' does not exist`);
  return c.json(brokerConfigView(baseUrl(c), c.env.CLUSTER_ID, broker.id, config));
});

/** The Hono router: every route, one error handler, JSON 404s. */
import { Hono, type MiddlewareHandler } from "hono";
import type { Env } from "../env";
import { ErrorCode, RunnelError } from "../errors";
import { countRequests } from "../metrics/count-requests";
import { authenticate, guardRoutes, refuseUnconfigured } from "./access";
import { accessRoutes } from "./access-routes";
import { alertRoutes } from "./alert-routes";
import { batchRoutes } from "./batch-routes";
import { drainUnreadBody } from "./body";
import { clusterRoutes } from "./cluster-routes";
import { consoleRoutes } from "./console-routes";
import { consumerRoutes } from "./consumer-routes";
import { refusedFaultRoutes } from "./refused-fault-routes";
import { fetchRoutes } from "./fetch-routes";
import { groupRoutes } from "./group-routes";
import { kafkaGroupRoutes } from "./kafka-group-routes";
import { logDirRoutes } from "./log-dir-routes";
import { kip848Routes } from "./kip848-routes";
import { metricsRoutes } from "./metrics-routes";
import { onError, requestId } from "./on-error";
import { partitionStateRoutes } from "./partition-state-routes";
import { produceRoutes } from "./produce-routes";
import { producerIdRoutes } from "./producer-id-routes";
import { sseRoutes } from "./sse-routes";
import { subscriptionRoutes } from "./subscription-routes";
import { topicConfigRoutes } from "./topic-config-routes";
import { topicRoutes } from "./topic-routes";
import { refuseMalformedPath } from "./url";
import { v2Media } from "./v2-media";
import { v2MetadataRoutes } from "./v2-metadata-routes";

/**
 * The router of a build. `faultRoutes` serve faults on demand: the
 * development build's (src/dev.ts) inject them; the deployed build's
 * answer 40301, as fault injection is not in it at all.
 */
export function createApp(faultRoutes: Hono<{ Bindings: Env }> = refusedFaultRoutes): Hono<{ Bindings: Env }> {
  // strict: false — a trailing slash on any route is the same route.
  const app = new Hono<{ Bindings: Env }>({ strict: false });
  middleware(app);
  routes(app, faultRoutes);
  app.notFound((c) => c.json({ error_code: ErrorCode.NOT_FOUND, message: `no route for ${c.req.method} ${c.req.path}` }, 404));
  app.onError(onError);
  return app;
}

const sameCluster: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  if (c.req.param("c") !== c.env.CLUSTER_ID) throw new RunnelError(ErrorCode.NOT_FOUND, `cluster '${c.req.param("c")}' not found`);
  await next();
};

function middleware(app: Hono<{ Bindings: Env }>): void {
  // First: a body left unread by a refusal is drained before the answer leaves.
  app.use("*", drainUnreadBody);
  app.use("*", countRequests);
  app.use("*", requestId);
  // A production deployment without an admin key refuses everything, before any other check.
  app.use("*", refuseUnconfigured);
  // A path that does not decode names nothing (src/router/url.ts).
  app.use("*", refuseMalformedPath);
  // v2 media types wrap everything after them, errors of authentication included.
  app.use("*", v2Media);
  app.route("/", consoleRoutes); // before authentication: the console's page signs in itself (access-rules.ts)
  app.use("*", authenticate);

  // Every /v3/clusters/{c}... route belongs to this cluster only.
  app.use("/v3/clusters/:c", sameCluster);
  app.use("/v3/clusters/:c/*", sameCluster);

  // Every route passes its access rule (access-rules.ts) before it runs.
  guardRoutes(app);
}

function routes(app: Hono<{ Bindings: Env }>, faultRoutes: Hono<{ Bindings: Env }>): void {
  app.route("/", clusterRoutes);
  app.route("/", accessRoutes);
  app.route("/", faultRoutes);
  app.route("/", topicRoutes);
  app.route("/", topicConfigRoutes);
  app.route("/", produceRoutes);
  app.route("/", sseRoutes); // before fetchRoutes: the same path, chosen by Accept: text/event-stream
  app.route("/", fetchRoutes);
  app.route("/", batchRoutes);
  app.route("/", partitionStateRoutes);
  app.route("/", logDirRoutes);
  app.route("/", producerIdRoutes);
  app.route("/", consumerRoutes);
  app.route("/", groupRoutes);
  app.route("/", kafkaGroupRoutes);
  app.route("/", kip848Routes);
  app.route("/", v2MetadataRoutes);
  app.route("/", metricsRoutes);
  app.route("/", alertRoutes);
  app.route("/", subscriptionRoutes);
}

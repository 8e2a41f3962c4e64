/**
 * Runnel's Worker entry as deployed (wrangler.toml): the router and every
 * Durable Object class. Fault injection is not in it; the development
 * build (src/dev.ts) adds it.
 */
import { createApp } from "./router/app";

export { AccessControl } from "./access/access-control";
export { PrincipalQuota } from "./access/principal-quota";
export { Controller } from "./controller/controller";
export { GroupCoordinator } from "./group/coordinator";
export { RouterMetrics } from "./metrics/router-metrics";
export { PushSubscription } from "./push/push-subscription";
export { PartitionReplica } from "./replication/partition-replica";
export { RunnelService } from "./service/runnel-service";

export default createApp();

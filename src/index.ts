/** Runnel's Worker entry: the router, and the Durable Object classes it binds. */
import { app } from "./router/app";

export { AccessControl } from "./access/access-control";
export { PrincipalQuota } from "./access/principal-quota";
export { Controller } from "./controller/controller";
export { Faults } from "./faults/faults";
export { GroupCoordinator } from "./group/coordinator";
export { RouterMetrics } from "./metrics/router-metrics";
export { PartitionReplica } from "./replication/partition-replica";

export default app;

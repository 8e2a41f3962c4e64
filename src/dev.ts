/**
 * The development build's Worker entry (`npm start`, `npm run dev`, the
 * tests): the deployed Worker (src/index.ts) plus faults on demand — the
 * Faults object (binding FAULTS), its routes, and the gate every replica
 * passes. Nothing of it is in the deployed bundle. Faults still work only
 * in development mode (MODE), as a production-mode server refuses them.
 */
import { faultRoutes } from "./faults/fault-routes";
import { FaultGate } from "./faults/gate";
import { installReplicaGate } from "./replication/replica-gate";
import { createApp } from "./router/app";

installReplicaGate((env, restarted) => new FaultGate(env, restarted));

export { AccessControl } from "./access/access-control";
export { PrincipalQuota } from "./access/principal-quota";
export { Controller } from "./controller/controller";
export { Faults } from "./faults/faults";
export { GroupCoordinator } from "./group/coordinator";
export { RouterMetrics } from "./metrics/router-metrics";
export { PushSubscription } from "./push/push-subscription";
export { PartitionReplica } from "./replication/partition-replica";
export { RunnelService } from "./service/runnel-service";

export default createApp(faultRoutes);

import type { AccessControl } from "./access/access-control";
import type { PrincipalQuota } from "./access/principal-quota";
import type { Controller } from "./controller/controller";
import type { Faults } from "./faults/faults";
import type { GroupCoordinator } from "./group/coordinator";
import type { RouterMetrics } from "./metrics/router-metrics";
import type { PushSubscription } from "./push/push-subscription";
import type { PartitionReplica } from "./replication/partition-replica";

/** Bindings and vars from wrangler.toml. */
export interface Env {
  /** The cluster id clients put in /v3/clusters/{c}. */
  CLUSTER_ID: string;
  /** "development" allows fault injection and, without RUNNEL_ADMIN_KEY, serves open; anything else is production. */
  MODE: string;
  /** The bootstrap admin key's secret (key id `admin`); authentication is on when it is set. A secret, never a var. */
  RUNNEL_ADMIN_KEY?: string;
  /** "true": development mode without RUNNEL_ADMIN_KEY serves open even over stored keys or ACLs (else refused; `npm start -- --auth-off`). */
  AUTH_OFF?: string;
  /** JSON list of broker slots: [{"id", "name", "location_hint"?, "jurisdiction"?}]. */
  BROKERS: string;
  CONTROLLER: DurableObjectNamespace<Controller>;
  PARTITIONS: DurableObjectNamespace<PartitionReplica>;
  /** Development builds only (src/dev.ts: `npm start` and the tests): the Faults object. A deployed Worker has no such binding. */
  FAULTS?: DurableObjectNamespace<Faults>;
  GROUPS: DurableObjectNamespace<GroupCoordinator>;
  ACCESS: DurableObjectNamespace<AccessControl>;
  QUOTAS: DurableObjectNamespace<PrincipalQuota>;
  /** The Worker's own counters, gathered from every isolate (metrics/router-metrics.ts). */
  ROUTER_METRICS: DurableObjectNamespace<RouterMetrics>;
  /** One push subscription per object, named by the subscription (src/push). */
  SUBSCRIPTIONS: DurableObjectNamespace<PushSubscription>;
  /** Tiered storage: the R2 bucket partition leaders copy closed segments to (reached only through src/tiered/bucket.ts). */
  SEGMENTS: R2Bucket;
}

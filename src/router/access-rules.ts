/**
 * What every route needs, as API.md lists it (Kafka's operations):
 * produce → WRITE on the topic; fetch and live tails → READ; consumer
 * instances, WebSocket subscriptions and Kafka consumers → READ on the
 * group (and on every topic they read or commit, checked where the topics
 * are known; DESCRIBE on each topic whose committed offsets a Kafka client
 * fetches); create topic →
 * CREATE on the cluster or the topic; delete (and deleting records) → DELETE; partitions →
 * ALTER; configs → DESCRIBE_CONFIGS / ALTER_CONFIGS; describe and lists →
 * DESCRIBE (lists are filtered); group admin → DESCRIBE, offset resets →
 * DELETE on the group; push subscriptions → their group (create: READ on
 * it and on their topics, WRITE on the dead-letter topic; describe →
 * DESCRIBE, delete → DELETE, pause and resume → READ); keys, ACLs, quotas, audit, faults, alert rules →
 * ALTER on the cluster (keys and ACLs are refused when served open);
 * metrics → DESCRIBE on the cluster. Cluster and broker descriptions
 * need only a valid key, as Kafka shows brokers to every client, and so
 * does a producer id. The console's page and assets
 * need no key (the page signs in; what it fetches passes these rules).
 * A test checks every route has a rule.
 */
import type { Operation } from "../access/acl";

export type Need =
  /** No key at all: only the console's page and assets (registered before authentication; the page signs in itself). */
  | { on: "none" }
  | { on: "authenticated" }
  | { on: "cluster"; op: Operation }
  /** The topic in the path (`:t`). */
  | { on: "topic"; op: Operation }
  /** CREATE on the cluster, or on the topic named in the body's `topic_name`. */
  | { on: "topic-create" }
  /** The group in the path (`:g`). */
  | { on: "group"; op: Operation }
  /** A WebSocket subscription: READ on the group and on each topic in `?topics=`. */
  | { on: "subscription" }
  /** The push subscription in the path (`:s`, less a `:pause` or `:resume` suffix): `op` on its consumer group (a subscription is its group). */
  | { on: "push"; op: Operation }
  /** A push subscription's creation: READ on the group named by the body's `name` and on each of its `topics`, WRITE on its `dead_letter_topic`. */
  | { on: "push-create" };

export interface AccessRule {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** The route's path pattern, exactly as registered (Hono syntax). */
  path: string;
  need: Need;
  /** Names the action in the audit log; admin actions are audited whatever their outcome. */
  action: string;
  audit?: boolean;
  /** Counts towards the principal's producer or consumer byte quota. */
  quota?: "produce" | "consume";
  /** Refused when served open (no admin key): keys and ACLs mean nothing then, and listing or planting them for later is a hole (docs/security.md). */
  authOnly?: true;
}

const C = "/v3/clusters/:c";
const T = `${C}/topics`;
const G = `${C}/consumer-groups`;
const S = `${C}/subscriptions`;
const I = "/consumers/:g/instances/:i";

const authenticated = { on: "authenticated" } as const;
const cluster = (op: Operation) => ({ on: "cluster", op }) as const;
const topic = (op: Operation) => ({ on: "topic", op }) as const;
const group = (op: Operation) => ({ on: "group", op }) as const;

/** The rule of every route. */
export const ACCESS_RULES: AccessRule[] = [
  // the web console (console-routes.ts): served before authentication
  { method: "GET", path: "/console", need: { on: "none" }, action: "console.page" },
  { method: "GET", path: "/console/:asset", need: { on: "none" }, action: "console.asset" },
  // cluster and brokers
  { method: "GET", path: "/v3/clusters", need: authenticated, action: "cluster.describe" },
  { method: "GET", path: C, need: authenticated, action: "cluster.describe" },
  { method: "GET", path: `${C}/brokers`, need: authenticated, action: "broker.describe" },
  { method: "GET", path: `${C}/brokers/:b`, need: authenticated, action: "broker.describe" },
  // Kafka's DescribeConfigs of a broker asks DESCRIBE_CONFIGS on the cluster.
  { method: "GET", path: `${C}/brokers/:b/configs`, need: cluster("DESCRIBE_CONFIGS"), action: "broker.configs.describe" },
  { method: "GET", path: `${C}/brokers/:b/configs/:name`, need: cluster("DESCRIBE_CONFIGS"), action: "broker.configs.describe" },
  { method: "POST", path: `${C}/brokers/:b/faults`, need: cluster("ALTER"), action: "broker.fault", audit: true },
  { method: "POST", path: `${C}/brokers/:b/restart`, need: cluster("ALTER"), action: "broker.restart", audit: true },
  // topics (v3)
  { method: "GET", path: T, need: authenticated, action: "topic.list" },
  { method: "POST", path: T, need: { on: "topic-create" }, action: "topic.create", audit: true },
  { method: "GET", path: `${T}/:t`, need: topic("DESCRIBE"), action: "topic.describe" },
  { method: "PATCH", path: `${T}/:t`, need: topic("ALTER"), action: "topic.partitions.increase", audit: true },
  { method: "DELETE", path: `${T}/:t`, need: topic("DELETE"), action: "topic.delete", audit: true },
  { method: "GET", path: `${T}/:t/configs`, need: topic("DESCRIBE_CONFIGS"), action: "topic.configs.describe" },
  { method: "GET", path: `${T}/:t/configs/:name`, need: topic("DESCRIBE_CONFIGS"), action: "topic.configs.describe" },
  { method: "POST", path: `${T}/:t/:action{configs:alter}`, need: topic("ALTER_CONFIGS"), action: "topic.configs.alter", audit: true },
  { method: "GET", path: `${T}/:t/partitions`, need: topic("DESCRIBE"), action: "topic.describe" },
  { method: "GET", path: `${T}/:t/partitions/:p`, need: topic("DESCRIBE"), action: "topic.describe" },
  { method: "GET", path: `${T}/:t/partitions/:p/offsets`, need: topic("DESCRIBE"), action: "topic.describe" },
  { method: "GET", path: `${T}/:t/partitions/:p/offset`, need: topic("DESCRIBE"), action: "topic.describe" },
  { method: "POST", path: `${T}/:t/partitions/:p/:action{records:delete-before}`, need: topic("DELETE"), action: "topic.records.delete", audit: true },
  { method: "GET", path: `${T}/:t/partitions/:p/leader-epochs/:e`, need: topic("DESCRIBE"), action: "topic.describe" },
  // Kafka's DescribeProducers asks READ on the topic.
  { method: "GET", path: `${T}/:t/partitions/:p/producers`, need: topic("READ"), action: "topic.producers.describe" },
  { method: "PUT", path: `${T}/:t/configs/:name`, need: topic("ALTER_CONFIGS"), action: "topic.configs.alter", audit: true },
  { method: "DELETE", path: `${T}/:t/configs/:name`, need: topic("ALTER_CONFIGS"), action: "topic.configs.alter", audit: true },
  // v2 metadata
  { method: "GET", path: "/brokers", need: authenticated, action: "broker.describe" },
  { method: "GET", path: "/topics", need: authenticated, action: "topic.list" },
  { method: "GET", path: "/topics/:t", need: topic("DESCRIBE"), action: "topic.describe" },
  { method: "GET", path: "/topics/:t/partitions", need: topic("DESCRIBE"), action: "topic.describe" },
  { method: "GET", path: "/topics/:t/partitions/:p", need: topic("DESCRIBE"), action: "topic.describe" },
  { method: "GET", path: "/topics/:t/partitions/:p/offsets", need: topic("DESCRIBE"), action: "topic.describe" },
  // produce and fetch
  { method: "POST", path: `${T}/:t/records`, need: topic("WRITE"), action: "topic.produce", quota: "produce" },
  { method: "POST", path: `${T}/:t/:action{records:batch}`, need: topic("WRITE"), action: "topic.produce", quota: "produce" },
  { method: "POST", path: "/topics/:t", need: topic("WRITE"), action: "topic.produce", quota: "produce" },
  { method: "POST", path: "/topics/:t/partitions/:p", need: topic("WRITE"), action: "topic.produce", quota: "produce" },
  { method: "GET", path: `${T}/:t/partitions/:p/records`, need: topic("READ"), action: "topic.fetch", quota: "consume" },
  { method: "GET", path: "/topics/:t/partitions/:p/records", need: topic("READ"), action: "topic.fetch", quota: "consume" },
  // live tails (SSE): the per-partition one shares the fetch route's path and rule
  { method: "GET", path: `${T}/:t/records`, need: topic("READ"), action: "topic.tail", quota: "consume" },
  { method: "POST", path: `${T}/:t/partitions/:p/batches`, need: topic("WRITE"), action: "topic.produce", quota: "produce" },
  { method: "GET", path: `${T}/:t/partitions/:p/batches`, need: topic("READ"), action: "topic.fetch", quota: "consume" },
  // Kafka asks IDEMPOTENT_WRITE on the cluster or WRITE on any topic; an id alone writes nothing (every batch still needs WRITE on its topic).
  { method: "POST", path: `${C}/producer-ids`, need: authenticated, action: "producer.init" },
  // consumer instances (v2)
  { method: "POST", path: "/consumers/:g", need: group("READ"), action: "consumer.create" },
  { method: "DELETE", path: I, need: group("READ"), action: "consumer.delete", audit: true },
  { method: "POST", path: `${I}/subscription`, need: group("READ"), action: "consumer.subscribe" },
  { method: "GET", path: `${I}/subscription`, need: group("READ"), action: "consumer.subscription" },
  { method: "DELETE", path: `${I}/subscription`, need: group("READ"), action: "consumer.unsubscribe" },
  { method: "GET", path: `${I}/assignments`, need: group("READ"), action: "consumer.assignments" },
  { method: "POST", path: `${I}/assignments`, need: group("READ"), action: "consumer.assign" },
  { method: "GET", path: `${I}/records`, need: group("READ"), action: "consumer.records", quota: "consume" },
  { method: "GET", path: `${I}/topics/:t`, need: group("READ"), action: "consumer.records", quota: "consume" },
  { method: "POST", path: `${I}/offsets`, need: group("READ"), action: "consumer.commit" },
  { method: "GET", path: `${I}/offsets`, need: group("READ"), action: "consumer.committed" },
  { method: "POST", path: `${I}/positions`, need: group("READ"), action: "consumer.seek" },
  { method: "POST", path: `${I}/positions/beginning`, need: group("READ"), action: "consumer.seek" },
  { method: "POST", path: `${I}/positions/end`, need: group("READ"), action: "consumer.seek" },
  // consumer groups (v3 admin) and WebSocket subscriptions
  { method: "GET", path: G, need: authenticated, action: "group.list" },
  { method: "GET", path: `${G}/:g`, need: group("DESCRIBE"), action: "group.describe" },
  { method: "GET", path: `${G}/:g/consumers`, need: group("DESCRIBE"), action: "group.describe" },
  { method: "GET", path: `${G}/:g/consumers/:m`, need: group("DESCRIBE"), action: "group.describe" },
  { method: "GET", path: `${G}/:g/consumers/:m/assignments`, need: group("DESCRIBE"), action: "group.describe" },
  { method: "GET", path: `${G}/:g/consumers/:m/assignments/:t/partitions/:p`, need: group("DESCRIBE"), action: "group.describe" },
  { method: "GET", path: `${G}/:g/lags`, need: group("DESCRIBE"), action: "group.describe" },
  { method: "GET", path: `${G}/:g/lags/:t/partitions/:p`, need: group("DESCRIBE"), action: "group.describe" },
  { method: "GET", path: `${G}/:g/lag-summary`, need: group("DESCRIBE"), action: "group.describe" },
  { method: "POST", path: `${G}/:g/:action{offsets:reset}`, need: group("DELETE"), action: "group.offsets.reset", audit: true },
  // Kafka's DeleteGroups and OffsetDelete: DELETE on the group (OffsetDelete also READ on each topic, checked in the route).
  { method: "DELETE", path: `${G}/:g`, need: group("DELETE"), action: "group.delete", audit: true },
  { method: "POST", path: `${G}/:g/:action{offsets:delete}`, need: group("DELETE"), action: "group.offsets.delete", audit: true },
  { method: "GET", path: "/ws/v1/consumer/:g", need: { on: "subscription" }, action: "consumer.subscribe" },
  // Kafka consumers through the front door (ext); topics are checked in the routes, as Kafka checks them
  { method: "POST", path: `${G}/:g/kafka/join`, need: group("READ"), action: "consumer.join" },
  { method: "POST", path: `${G}/:g/kafka/sync`, need: group("READ"), action: "consumer.sync" },
  { method: "POST", path: `${G}/:g/kafka/heartbeat`, need: group("READ"), action: "consumer.heartbeat" },
  { method: "POST", path: `${G}/:g/kafka/leave`, need: group("READ"), action: "consumer.leave", audit: true },
  { method: "POST", path: `${G}/:g/kafka/commit`, need: group("READ"), action: "consumer.commit" },
  { method: "POST", path: `${G}/:g/kafka/offsets`, need: group("READ"), action: "consumer.committed" },
  { method: "GET", path: `${G}/:g/kafka`, need: group("DESCRIBE"), action: "group.describe" },
  { method: "POST", path: `${G}/:g/kafka/consumer-heartbeat`, need: group("READ"), action: "consumer.heartbeat" },
  { method: "GET", path: `${G}/:g/kafka/consumer`, need: group("DESCRIBE"), action: "group.describe" },
  // push subscriptions (ext): each is a consumer group of its name; lists show those whose group may be described
  { method: "POST", path: S, need: { on: "push-create" }, action: "subscription.create", audit: true },
  { method: "GET", path: S, need: authenticated, action: "subscription.list" },
  { method: "GET", path: `${S}/:s`, need: { on: "push", op: "DESCRIBE" }, action: "subscription.describe" },
  { method: "DELETE", path: `${S}/:s`, need: { on: "push", op: "DELETE" }, action: "subscription.delete", audit: true },
  { method: "POST", path: `${S}/:s`, need: { on: "push", op: "READ" }, action: "subscription.pause-resume", audit: true },
  // keys, ACLs, quotas, audit
  { method: "POST", path: `${C}/keys`, need: cluster("ALTER"), action: "key.create", audit: true, authOnly: true },
  { method: "GET", path: `${C}/keys`, need: cluster("ALTER"), action: "key.list", authOnly: true },
  { method: "GET", path: `${C}/keys/:k`, need: cluster("ALTER"), action: "key.describe", authOnly: true },
  { method: "PATCH", path: `${C}/keys/:k`, need: cluster("ALTER"), action: "key.update", audit: true, authOnly: true },
  { method: "DELETE", path: `${C}/keys/:k`, need: cluster("ALTER"), action: "key.delete", audit: true, authOnly: true },
  { method: "POST", path: `${C}/acls`, need: cluster("ALTER"), action: "acl.create", audit: true, authOnly: true },
  { method: "GET", path: `${C}/acls`, need: cluster("ALTER"), action: "acl.list", authOnly: true },
  { method: "DELETE", path: `${C}/acls`, need: cluster("ALTER"), action: "acl.delete", audit: true, authOnly: true },
  { method: "PUT", path: `${C}/quotas/:principal`, need: cluster("ALTER"), action: "quota.set", audit: true },
  { method: "GET", path: `${C}/quotas`, need: cluster("ALTER"), action: "quota.list" },
  { method: "DELETE", path: `${C}/quotas/:principal`, need: cluster("ALTER"), action: "quota.delete", audit: true },
  { method: "GET", path: `${C}/audit`, need: cluster("ALTER"), action: "audit.read" },
  // Kafka's DescribeLogDirs asks DESCRIBE on the cluster.
  { method: "GET", path: `${C}/log-dirs`, need: cluster("DESCRIBE"), action: "cluster.log-dirs.describe" },
  // metrics and alerts
  { method: "GET", path: "/metrics", need: cluster("DESCRIBE"), action: "metrics.scrape" },
  { method: "POST", path: `${C}/alerts`, need: cluster("ALTER"), action: "alert.create", audit: true },
  { method: "GET", path: `${C}/alerts`, need: cluster("ALTER"), action: "alert.list" },
  { method: "GET", path: `${C}/alerts/:name`, need: cluster("ALTER"), action: "alert.describe" },
  { method: "DELETE", path: `${C}/alerts/:name`, need: cluster("ALTER"), action: "alert.delete", audit: true },
];

/**
 * Administration over the v3 API: topics, configs, partitions and
 * offsets, consumer groups with their lags and offset resets, push
 * subscriptions, API keys, ACLs and quotas. Each method answers the API's JSON (lists unwrapped
 * from `{"data": [...]}`) and throws `RunnelError` as the API reports.
 */
import { seg, type Http } from "./http";

export interface TopicSpec {
  partitions?: number;
  replicationFactor?: number;
  /** Config overrides by name (`{"retention.ms": "86400000"}`). */
  configs?: Record<string, string>;
}

export interface OffsetReset {
  topic: string;
  partitions?: number[];
  to: "earliest" | "latest" | "offset" | "timestamp";
  offset?: number;
  timestamp?: number;
}

export interface Acl {
  resource_type: "TOPIC" | "GROUP" | "CLUSTER";
  resource_name: string;
  pattern_type?: "LITERAL" | "PREFIXED";
  principal: string;
  host?: string;
  operation: string;
  permission: "ALLOW" | "DENY";
}

type Row = Record<string, any>;

export class Admin {
  constructor(
    private readonly http: Http,
    private readonly clusterPath: () => Promise<string>,
  ) {}

  private async get<T = Row>(path: string): Promise<T> {
    return this.http.json<T>({ path: `${await this.clusterPath()}${path}` });
  }

  private async list(path: string): Promise<Row[]> {
    return (await this.get<{ data: Row[] }>(path)).data;
  }

  private async send<T = Row>(method: "POST" | "PUT" | "PATCH" | "DELETE", path: string, body?: unknown): Promise<T> {
    return this.http.json<T>({ method, path: `${await this.clusterPath()}${path}`, body });
  }

  /** The cluster's id and brokers. */
  async cluster(): Promise<{ clusterId: string; brokers: Row[] }> {
    const path = await this.clusterPath();
    return { clusterId: decodeURIComponent(path.split("/").pop()!), brokers: await this.list("/brokers") };
  }

  listTopics(): Promise<Row[]> {
    return this.list("/topics");
  }

  /** Creates a topic (1 partition and replication factor 1 unless given). */
  createTopic(name: string, spec: TopicSpec = {}): Promise<Row> {
    const configs = Object.entries(spec.configs ?? {}).map(([n, value]) => ({ name: n, value }));
    return this.send("POST", "/topics", { topic_name: name, partitions_count: spec.partitions ?? 1, replication_factor: spec.replicationFactor, configs });
  }

  describeTopic(name: string): Promise<Row> {
    return this.get(`/topics/${seg(name)}`);
  }

  /** Raises the partition count (never lowers it). */
  setPartitions(name: string, partitions: number): Promise<Row> {
    return this.send("PATCH", `/topics/${seg(name)}`, { partitions_count: partitions });
  }

  async deleteTopic(name: string): Promise<void> {
    await this.send("DELETE", `/topics/${seg(name)}`);
  }

  configs(topic: string): Promise<Row[]> {
    return this.list(`/topics/${seg(topic)}/configs`);
  }

  /** Sets configs, all or nothing; a null value goes back to the default. */
  async alterConfigs(topic: string, configs: Record<string, string | null>): Promise<void> {
    await this.send("POST", `/topics/${seg(topic)}/configs:alter`, { data: Object.entries(configs).map(([name, value]) => ({ name, value })) });
  }

  partitions(topic: string): Promise<Row[]> {
    return this.list(`/topics/${seg(topic)}/partitions`);
  }

  /** Each partition's earliest offset (log start) and latest (high watermark). */
  async offsets(topic: string): Promise<{ partition: number; earliest: number; latest: number }[]> {
    const count = (await this.describeTopic(topic)).partitions_count as number;
    return Promise.all(
      Array.from({ length: count }, async (_, p) => {
        const o = await this.get(`/topics/${seg(topic)}/partitions/${p}/offsets`);
        return { partition: p, earliest: o.earliest_offset as number, latest: o.latest_offset as number };
      }),
    );
  }

  /** The first offset at or after `timestamp` (epoch ms) in a partition (the high watermark when none). */
  async offsetForTime(topic: string, partition: number, timestamp: number): Promise<number> {
    return (await this.get<{ offset: number }>(`/topics/${seg(topic)}/partitions/${partition}/offsets?timestamp=${timestamp}`)).offset;
  }

  listGroups(): Promise<Row[]> {
    return this.list("/consumer-groups");
  }

  describeGroup(group: string): Promise<Row> {
    return this.get(`/consumer-groups/${seg(group)}`);
  }

  groupMembers(group: string): Promise<Row[]> {
    return this.list(`/consumer-groups/${seg(group)}/consumers`);
  }

  /** Per partition: committed offset, high watermark and lag. */
  lags(group: string): Promise<Row[]> {
    return this.list(`/consumer-groups/${seg(group)}/lags`);
  }

  lagSummary(group: string): Promise<Row> {
    return this.get(`/consumer-groups/${seg(group)}/lag-summary`);
  }

  /** Moves a group's committed offsets (only while it has no live members). */
  resetOffsets(group: string, reset: OffsetReset): Promise<Row> {
    return this.send("POST", `/consumer-groups/${seg(group)}/offsets:reset`, reset);
  }

  /** Makes a key for `principal`; the answer holds the secret, shown only here. */
  createKey(principal: string, description?: string): Promise<Row> {
    return this.send("POST", "/keys", { principal, ...(description === undefined ? {} : { description }) });
  }

  listKeys(): Promise<Row[]> {
    return this.list("/keys");
  }

  describeKey(id: string): Promise<Row> {
    return this.get(`/keys/${seg(id)}`);
  }

  setKeyDisabled(id: string, disabled: boolean): Promise<Row> {
    return this.send("PATCH", `/keys/${seg(id)}`, { disabled });
  }

  async deleteKey(id: string): Promise<void> {
    await this.send("DELETE", `/keys/${seg(id)}`);
  }

  createAcl(acl: Acl): Promise<Row> {
    return this.send("POST", "/acls", { pattern_type: "LITERAL", host: "*", ...acl });
  }

  /** ACLs matching every field given (absent fields match all). */
  listAcls(filter: Partial<Acl> = {}): Promise<Row[]> {
    return this.list(`/acls${query(filter)}`);
  }

  /** Deletes the ACLs matching `filter` (which must name at least resource_type); returns them. */
  async deleteAcls(filter: Partial<Acl>): Promise<Row[]> {
    return (await this.send<{ data: Row[] }>("DELETE", `/acls${query(filter)}`)).data;
  }

  setQuota(principal: string, quota: { producer_byte_rate?: number; consumer_byte_rate?: number; request_rate?: number }): Promise<Row> {
    return this.send("PUT", `/quotas/${seg(principal)}`, quota);
  }

  listQuotas(): Promise<Row[]> {
    return this.list("/quotas");
  }

  async deleteQuota(principal: string): Promise<void> {
    await this.send("DELETE", `/quotas/${seg(principal)}`);
  }

  /** Makes a push subscription (docs/subscriptions.md: the body's fields); answers it, with a webhook's `signing_secret`. */
  createSubscription(body: Row): Promise<Row> {
    return this.send("POST", "/subscriptions", body);
  }

  /** Every push subscription (without its partitions). */
  listSubscriptions(): Promise<Row[]> {
    return this.list("/subscriptions");
  }

  /** One push subscription: settings, state, last error, and each partition's committed offset, lag and state. */
  describeSubscription(name: string): Promise<Row> {
    return this.get(`/subscriptions/${seg(name)}`);
  }

  /** Pauses or resumes a push subscription; answers it. */
  setSubscriptionPaused(name: string, paused: boolean): Promise<Row> {
    return this.send("POST", `/subscriptions/${seg(name)}:${paused ? "pause" : "resume"}`);
  }

  async deleteSubscription(name: string): Promise<void> {
    await this.send("DELETE", `/subscriptions/${seg(name)}`);
  }
}

function query(fields: Record<string, unknown>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) q.set(k, String(v));
  const text = q.toString();
  return text === "" ? "" : `?${text}`;
}

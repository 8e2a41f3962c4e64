/**
 * The calls the Kafka handlers make, each one request of Runnel's own
 * HTTP API (API.md). An error answer becomes a `BackendError` carrying
 * the Runnel error code, message and Kafka error name, and the Kafka code
 * the name stands for.
 */
import { kafkaCodeOf, KafkaCode } from "../errors";
import { gatewayLimits } from "../limits";
import { type Appended, type CreateTopic, type FetchedBatches, type ListedGroup, type TopicSummary, ZERO_TOPIC_ID } from "./api-types";
import { type HttpCall, type HttpClient, type HttpReply, UnreachableError } from "./http-client";

export { type Appended, type CreateTopic, type FetchedBatches, type ListedGroup, type TopicSummary, ZERO_TOPIC_ID } from "./api-types";

/** An error answer from the Worker, or no answer at all (`kafkaCode` then REQUEST_TIMED_OUT). */
export class BackendError extends Error {
  override name = "BackendError";
  constructor(
    /** Runnel's error code; 0 when the Worker did not answer. */
    readonly errorCode: number,
    message: string,
    readonly kafkaCode: number,
    /** The answer's `error_name` (Kafka's name for the condition); null when it has none. */
    readonly errorName: string | null = null,
  ) {
    super(message);
  }
}

export const RECORD_BATCH_TYPE = "application/vnd.kafka.record-batch";

/** What every `RunnelApi` of one front door shares: the Worker's cluster id, once known. */
interface Shared {
  cluster: Promise<string> | null;
}

export class RunnelApi {
  private readonly auth: Record<string, string>;
  /** Topic names by Kafka topic id, as last listed (Fetch v13+ names topics by id). */
  private topicNames = new Map<string, string>();

  /**
   * Calls the Worker through `http`, each call carrying `key`
   * (`{key_id}.{secret}`) as `Authorization: Bearer` when given.
   */
  constructor(
    private readonly http: HttpClient,
    key?: string,
    private readonly shared: Shared = { cluster: null },
  ) {
    this.auth = key === undefined ? {} : { authorization: `Bearer ${key}` };
  }

  /** The same API whose calls carry `key` instead (a client connection's own credentials). */
  withKey(key: string): RunnelApi {
    return new RunnelApi(this.http, key, this.shared);
  }

  /** The Worker's cluster id (asked once; asked again after a failure). */
  clusterId(): Promise<string> {
    if (this.shared.cluster === null) {
      const asked = this.json("GET", "/v3/clusters").then((b) => String(b.data[0].cluster_id));
      this.shared.cluster = asked;
      asked.catch(() => {
        if (this.shared.cluster === asked) this.shared.cluster = null;
      });
    }
    return this.shared.cluster;
  }

  /**
   * Whether this API's key is one the Worker accepts: resolves when it
   * is, rejects with the Worker's answer (40101 for a bad key) otherwise.
   * Asks every time, never from a cache.
   */
  async checkCredentials(): Promise<void> {
    await this.json("GET", "/v3/clusters");
  }

  async listTopics(): Promise<TopicSummary[]> {
    const body = await this.json("GET", await this.topicsPath());
    return (body.data as Record<string, unknown>[]).map(summaryOf);
  }

  /**
   * The name of the topic with Kafka topic id `id`, or null when no topic
   * this connection may describe has it (a topic deleted since, say). Asks
   * the Worker for the topics when the id is not known yet.
   */
  async topicNameOf(id: string): Promise<string | null> {
    const known = this.topicNames.get(id);
    if (known !== undefined || id === ZERO_TOPIC_ID) return known ?? null;
    this.topicNames = new Map((await this.listTopics()).map((t) => [t.topicId, t.name]));
    return this.topicNames.get(id) ?? null;
  }

  async getTopic(name: string): Promise<TopicSummary> {
    return summaryOf(await this.json("GET", `${await this.topicsPath()}/${enc(name)}`));
  }

  async createTopic(t: CreateTopic): Promise<TopicSummary> {
    const body = { topic_name: t.name, partitions_count: t.partitionsCount, replication_factor: t.replicationFactor, configs: t.configs };
    return summaryOf(await this.json("POST", await this.topicsPath(), body));
  }

  async deleteTopic(name: string): Promise<void> {
    await this.call({ method: "DELETE", path: `${await this.topicsPath()}/${enc(name)}`, timeoutMs: gatewayLimits.httpTimeoutMs });
  }

  /** Log start offset, high watermark and local log start offset (tiered storage: the first offset its leader holds itself) of a partition. */
  async offsets(topic: string, partition: number): Promise<{ earliest: number; latest: number; earliestLocal: number }> {
    const b = await this.json("GET", `${await this.partitionPath(topic, partition)}/offsets`);
    return { earliest: b.earliest_offset, latest: b.latest_offset, earliestLocal: b.earliest_local_offset ?? b.earliest_offset };
  }

  /** The first offset at or after `timestampMs`, with its record's time; timestamp null when none is that recent. */
  async offsetForTime(topic: string, partition: number, timestampMs: number): Promise<{ offset: number; timestampMs: number | null }> {
    const b = await this.json("GET", `${await this.partitionPath(topic, partition)}/offsets?timestamp=${timestampMs}`);
    return { offset: b.offset, timestampMs: b.timestamp };
  }

  /** A fresh producer id, epoch 0 (InitProducerId without a transactional id). */
  async initProducerId(): Promise<{ producerId: number; producerEpoch: number }> {
    const b = await this.json("POST", `/v3/clusters/${enc(await this.clusterId())}/producer-ids`, {});
    return { producerId: b.producer_id, producerEpoch: b.producer_epoch };
  }

  /**
   * Appends concatenated record batches as they are (record batches over
   * HTTP). A retry of an idempotent producer's batches is answered with
   * their original offsets.
   */
  async produceBatches(topic: string, partition: number, batches: Uint8Array, acks: "0" | "1" | "all"): Promise<Appended> {
    const reply = await this.call({
      method: "POST",
      path: `${await this.partitionPath(topic, partition)}/batches?acks=${acks}`,
      headers: { "content-type": RECORD_BATCH_TYPE },
      body: batches,
      timeoutMs: gatewayLimits.produceTimeoutMs,
    });
    const b = JSON.parse(reply.body.toString("utf8"));
    return { baseOffset: b.base_offset, lastOffset: b.last_offset, logAppendTimeMs: b.log_append_time, logStartOffset: b.log_start_offset ?? -1 };
  }

  /** Whole stored batches from the one holding `offset`, waiting up to `timeoutMs` at the high watermark. */
  async fetchBatches(topic: string, partition: number, offset: number, maxBytes: number, timeoutMs: number, signal?: AbortSignal): Promise<FetchedBatches> {
    const reply = await this.call({
      method: "GET",
      path: `${await this.partitionPath(topic, partition)}/batches?offset=${offset}&max_bytes=${maxBytes}&timeout_ms=${timeoutMs}`,
      headers: { accept: RECORD_BATCH_TYPE },
      timeoutMs: timeoutMs + gatewayLimits.httpSlackMs,
      ...(signal === undefined ? {} : { signal }),
    });
    return {
      bytes: reply.body,
      highWatermark: numberHeader(reply, "runnel-high-watermark"),
      logStartOffset: numberHeader(reply, "runnel-log-start-offset"),
      nextOffset: numberHeader(reply, "runnel-next-offset"),
    };
  }

  /**
   * A call to a group's Kafka routes (`…/consumer-groups/{g}/kafka[/action]`,
   * API.md): the JSON answer, or null for 204. Waits up to `timeoutMs`.
   */
  async groupCall(method: "GET" | "POST", groupId: string, action: string, body?: unknown, timeoutMs: number = gatewayLimits.httpTimeoutMs): Promise<any> {
    const path = `/v3/clusters/${enc(await this.clusterId())}/consumer-groups/${enc(groupId)}/kafka${action === "" ? "" : `/${action}`}`;
    const json = body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } };
    const reply = await this.call({ method, path, timeoutMs, ...json });
    return reply.body.length === 0 ? null : JSON.parse(reply.body.toString("utf8"));
  }

  /**
   * One call of the admin API (admin-api.ts): `path` is under
   * `/v3/clusters/{c}` (the cluster id is filled in), `body` sent as JSON;
   * the JSON answer, or null for 204.
   */
  async adminCall(method: HttpCall["method"], path: string, body?: unknown): Promise<any> {
    const json = body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } };
    const reply = await this.call({ method, path: `/v3/clusters/${enc(await this.clusterId())}${path}`, timeoutMs: gatewayLimits.httpTimeoutMs, ...json });
    return reply.body.length === 0 ? null : JSON.parse(reply.body.toString("utf8"));
  }

  /** The groups this connection may describe: id, kind (CLASSIC, or CONSUMER for KIP-848) and state, in Confluent's spelling. */
  async listGroups(): Promise<ListedGroup[]> {
    const b = await this.json("GET", `/v3/clusters/${enc(await this.clusterId())}/consumer-groups`);
    return (b.data as { consumer_group_id: string; type: string; state: string }[]).map((g) => ({ groupId: g.consumer_group_id, type: g.type, state: g.state }));
  }

  private async topicsPath(): Promise<string> {
    return `/v3/clusters/${enc(await this.clusterId())}/topics`;
  }

  private async partitionPath(topic: string, partition: number): Promise<string> {
    return `${await this.topicsPath()}/${enc(topic)}/partitions/${partition}`;
  }

  private async json(method: "GET" | "POST", path: string, body?: unknown): Promise<any> {
    const reply = await this.call({
      method,
      path,
      timeoutMs: gatewayLimits.httpTimeoutMs,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
    });
    return JSON.parse(reply.body.toString("utf8"));
  }

  /** One call; an error status becomes a `BackendError`, no answer a REQUEST_TIMED_OUT one. */
  private async call(call: Parameters<HttpClient["request"]>[0]): Promise<HttpReply> {
    let reply: HttpReply;
    try {
      reply = await this.http.request({ ...call, headers: { ...this.auth, ...call.headers } });
    } catch (e) {
      if (e instanceof UnreachableError) throw new BackendError(0, `the Worker did not answer: ${e.message}`, KafkaCode.REQUEST_TIMED_OUT);
      throw e;
    }
    if (reply.status < 400) return reply;
    throw backendErrorOf(reply);
  }
}

/**
 * The `BackendError` of an error answer: its body's `error_code`,
 * `message` and `error_name`, the Kafka code from the name (never from
 * the message). A body that is not a Runnel error (a proxy in between,
 * say) leaves the status to speak.
 */
export function backendErrorOf(reply: HttpReply): BackendError {
  try {
    const b = JSON.parse(reply.body.toString("utf8")) as { error_code?: unknown; message?: unknown; error_name?: unknown };
    if (typeof b.error_code === "number") {
      const name = typeof b.error_name === "string" ? b.error_name : null;
      return new BackendError(b.error_code, String(b.message ?? ""), kafkaCodeOf(b.error_code, name), name);
    }
  } catch {
    // not JSON: the status speaks
  }
  return new BackendError(reply.status, `HTTP ${reply.status}`, kafkaCodeOf(reply.status, null));
}

function summaryOf(t: Record<string, unknown>): TopicSummary {
  return { name: String(t.topic_name), topicId: kafkaTopicId(t.topic_id), partitionsCount: Number(t.partitions_count), replicationFactor: Number(t.replication_factor) };
}

/** A Runnel topic id (a UUID as text) in Kafka's form; the zero id for anything else. */
export function kafkaTopicId(id: unknown): string {
  if (typeof id !== "string" || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return ZERO_TOPIC_ID;
  return Buffer.from(id.replace(/-/g, ""), "hex").toString("base64url");
}

/** A Kafka topic id as Runnel names it (a UUID as text); "" for the zero id or anything that is not 16 bytes. */
export function runnelTopicId(id: string): string {
  const bytes = Buffer.from(id, "base64url");
  if (bytes.length !== 16 || id === ZERO_TOPIC_ID) return "";
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function numberHeader(reply: HttpReply, name: string): number {
  const value = Number(reply.headers[name]);
  if (!Number.isSafeInteger(value)) throw new BackendError(500, `the Worker's answer lacks the ${name} header`, KafkaCode.UNKNOWN_SERVER_ERROR);
  return value;
}

const enc = encodeURIComponent;

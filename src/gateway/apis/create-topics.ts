/**
 * CreateTopics (key 19), v0–4: `POST /v3/clusters/{c}/topics` per topic.
 * −1 partitions or replication factor take Runnel's defaults (1);
 * manual replica assignments are refused (Runnel places replicas itself).
 * `validate_only` checks the name, the counts and that the topic does not
 * exist yet, and creates nothing. A principal without CREATE (on the
 * cluster or the topic) is answered TOPIC_AUTHORIZATION_FAILED, as Kafka
 * 2.x and later answer it: the Worker names the denial for the topic it
 * was asked to create.
 */
import { BackendError } from "../backend/runnel-api";
import type { Reader } from "../codec/reader";
import type { Writer } from "../codec/writer";
import { KafkaCode } from "../errors";
import { type Context, each, type KafkaApi } from "./api";

export interface TopicToCreate {
  name: string;
  partitions: number;
  replicationFactor: number;
  assignments: number;
  configs: { name: string; value: string | null }[];
}

export interface CreateTopicsRequest {
  topics: TopicToCreate[];
  validateOnly: boolean;
}

export interface TopicCreated {
  name: string;
  errorCode: number;
  errorMessage: string | null;
}

export interface CreateTopicsResponse {
  topics: TopicCreated[];
}

export const createTopics: KafkaApi<CreateTopicsRequest, CreateTopicsResponse> = {
  key: 19,
  name: "CreateTopics",
  minVersion: 0,
  maxVersion: 4,

  decode(r: Reader, version: number): CreateTopicsRequest {
    const topics = r.array(
      (r): TopicToCreate => ({
        name: r.string(),
        partitions: r.int32(),
        replicationFactor: r.int16(),
        assignments: r.array((r) => [r.int32(), r.array((r) => r.int32())]).length,
        configs: r.array((r) => ({ name: r.string(), value: r.nullableString() })),
      }),
    );
    r.int32(); // timeout_ms: creation answers when done
    return { topics, validateOnly: version >= 1 ? r.bool() : false };
  },

  async handle(req, _version, ctx) {
    const counts = new Map<string, number>();
    for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    return {
      topics: await each(req.topics, async (t) =>
        (counts.get(t.name) ?? 0) > 1 ? refused(t.name, KafkaCode.INVALID_REQUEST, `topic '${t.name}' is named more than once in the request`) : createOne(ctx, t, req.validateOnly),
      ),
    };
  },

  encode(w: Writer, res: CreateTopicsResponse, version: number): void {
    if (version >= 2) w.int32(0); // throttle_time_ms
    w.array(res.topics, (w, t) => {
      w.string(t.name).int16(t.errorCode);
      if (version >= 1) w.string(t.errorMessage);
    });
  },

  failed(req, code) {
    return { topics: req.topics.map((t) => ({ name: t.name, errorCode: code, errorMessage: null })) };
  },
};

async function createOne(ctx: Context, t: TopicToCreate, validateOnly: boolean): Promise<TopicCreated> {
  // −1 takes the default (KIP-464); kafkajs sends it below v4 too, as Kafka since 2.4 accepts.
  const useDefault = (n: number) => (n === -1 ? 1 : n);
  const partitions = useDefault(t.partitions);
  const replicationFactor = useDefault(t.replicationFactor);
  if (t.assignments > 0) return refused(t.name, KafkaCode.INVALID_REPLICA_ASSIGNMENT, "manual replica assignment is not supported: Runnel places replicas itself");
  if (partitions < 1) return refused(t.name, KafkaCode.INVALID_PARTITIONS, `number of partitions must be at least 1, got ${t.partitions}`);
  if (replicationFactor < 1) return refused(t.name, KafkaCode.INVALID_REPLICATION_FACTOR, `replication factor must be at least 1, got ${t.replicationFactor}`);
  const configs = t.configs.filter((c): c is { name: string; value: string } => c.value !== null);
  try {
    if (validateOnly) return await validateOne(ctx, t.name);
    await ctx.api.createTopic({ name: t.name, partitionsCount: partitions, replicationFactor, configs });
    return { name: t.name, errorCode: KafkaCode.NONE, errorMessage: null };
  } catch (e) {
    if (!(e instanceof BackendError)) throw e;
    // The Worker names what it refused (INVALID_TOPIC_EXCEPTION, INVALID_PARTITIONS, TOPIC_AUTHORIZATION_FAILED, …).
    return refused(t.name, e.kafkaCode, e.message);
  }
}

/** validate_only: a topic that exists already is refused; Runnel checks the rest when the topic is really created. */
async function validateOne(ctx: Context, name: string): Promise<TopicCreated> {
  try {
    await ctx.api.getTopic(name);
    return refused(name, KafkaCode.TOPIC_ALREADY_EXISTS, `topic '${name}' already exists`);
  } catch (e) {
    if (e instanceof BackendError && e.kafkaCode === KafkaCode.UNKNOWN_TOPIC_OR_PARTITION) return { name, errorCode: KafkaCode.NONE, errorMessage: null };
    throw e;
  }
}

function refused(name: string, errorCode: number, errorMessage: string): TopicCreated {
  return { name, errorCode, errorMessage };
}

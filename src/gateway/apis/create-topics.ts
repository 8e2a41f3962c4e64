/**
 * CreateTopics (key 19), every version Kafka defines (v0–7):
 * `POST /v3/clusters/{c}/topics` per topic. −1 partitions or replication
 * factor take Runnel's defaults (1); manual replica assignments are
 * refused (Runnel places replicas itself). `validate_only` checks the
 * name, the counts and that the topic does not exist yet, and creates
 * nothing. A principal without CREATE (on the cluster or the topic) is
 * answered TOPIC_AUTHORIZATION_FAILED, as Kafka 2.x and later answer it:
 * the Worker names the denial for the topic it was asked to create. v5+
 * answer the partitions and replication factor made, v7+ the topic id.
 */
import { BackendError } from "../backend/runnel-api";
import { KafkaCode } from "../errors";
import { apis } from "../codec/generated";
import type { CreateTopicsRequestCreatableTopic } from "../codec/generated/create-topics-request";
import type { CreateTopicsResponseCreatableTopicResult } from "../codec/generated/create-topics-response";
import type { Init } from "../codec/tagged";
import { type Context, each, serve } from "./api";

type TopicToCreate = CreateTopicsRequestCreatableTopic;
type TopicCreated = Init<CreateTopicsResponseCreatableTopicResult>;

export const createTopics = serve(apis.CreateTopics, {
  async handle(req, _version, ctx) {
    const counts = new Map<string, number>();
    for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    return {
      topics: await each(req.topics, async (t) =>
        (counts.get(t.name) ?? 0) > 1 ? refused(t.name, KafkaCode.INVALID_REQUEST, `topic '${t.name}' is named more than once in the request`) : createOne(ctx, t, req.validateOnly),
      ),
    };
  },

  failed(req, code) {
    return { topics: req.topics.map((t) => ({ name: t.name, errorCode: code, errorMessage: null })) };
  },
});

async function createOne(ctx: Context, t: TopicToCreate, validateOnly: boolean): Promise<TopicCreated> {
  // −1 takes the default (KIP-464); kafkajs sends it below v4 too, as Kafka since 2.4 accepts.
  const useDefault = (n: number) => (n === -1 ? 1 : n);
  const partitions = useDefault(t.numPartitions);
  const replicationFactor = useDefault(t.replicationFactor);
  if (t.assignments.length > 0) return refused(t.name, KafkaCode.INVALID_REPLICA_ASSIGNMENT, "manual replica assignment is not supported: Runnel places replicas itself");
  if (partitions < 1) return refused(t.name, KafkaCode.INVALID_PARTITIONS, `number of partitions must be at least 1, got ${t.numPartitions}`);
  if (replicationFactor < 1) return refused(t.name, KafkaCode.INVALID_REPLICATION_FACTOR, `replication factor must be at least 1, got ${t.replicationFactor}`);
  const configs = t.configs.filter((c): c is { name: string; value: string } => c.value !== null);
  try {
    if (validateOnly) return await validateOne(ctx, t.name);
    const made = await ctx.api.createTopic({ name: t.name, partitionsCount: partitions, replicationFactor, configs });
    return { name: t.name, topicId: made.topicId, errorCode: KafkaCode.NONE, errorMessage: null, numPartitions: made.partitionsCount, replicationFactor: made.replicationFactor };
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
    if (e instanceof BackendError && e.kafkaCode === KafkaCode.UNKNOWN_TOPIC_OR_PARTITION) return { name, errorCode: KafkaCode.NONE, errorMessage: null, numPartitions: -1, replicationFactor: -1 };
    throw e;
  }
}

function refused(name: string, errorCode: number, errorMessage: string): TopicCreated {
  return { name, errorCode, errorMessage };
}

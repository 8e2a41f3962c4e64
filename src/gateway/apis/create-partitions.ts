/**
 * CreatePartitions (key 37), every version Kafka defines (v0–3):
 * `PATCH …/topics/{t}` `{"partitions_count"}` per topic, which adds
 * partitions as the controller's increase does (keyed records of the
 * existing partitions stay where they are). The same count or fewer is
 * INVALID_PARTITIONS; manual assignments are refused
 * (INVALID_REPLICA_ASSIGNMENT: Runnel places replicas itself); a topic
 * named twice is INVALID_REQUEST; a principal without ALTER on the topic
 * TOPIC_AUTHORIZATION_FAILED — as Kafka. `validate_only` checks the count
 * against the topic as it is and changes nothing.
 */
import { limits } from "../../limits";
import { increasePartitions } from "../backend/admin-api";
import { KafkaCode } from "../errors";
import { apis } from "../codec/generated";
import type { CreatePartitionsRequestCreatePartitionsTopic } from "../codec/generated/create-partitions-request";
import { type Context, each, serve } from "./api";
import { ACCEPTED, outcome, type Refusal, refusalOf } from "./refusal";

export const createPartitions = serve(apis.CreatePartitions, {
  async handle(req, _version, ctx) {
    const counts = new Map<string, number>();
    for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const results = await each(req.topics, async (t) => {
      const refused = (counts.get(t.name) ?? 0) > 1 ? { errorCode: KafkaCode.INVALID_REQUEST, errorMessage: `topic '${t.name}' is named more than once in the request` } : await grow(ctx, t, req.validateOnly);
      return { name: t.name, ...refused };
    });
    return { results };
  },

  failed(req, code) {
    return { results: req.topics.map((t) => ({ name: t.name, errorCode: code, errorMessage: null })) };
  },
});

async function grow(ctx: Context, t: CreatePartitionsRequestCreatePartitionsTopic, validateOnly: boolean): Promise<Refusal> {
  if (t.assignments !== null) return { errorCode: KafkaCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: "manual replica assignment is not supported: Runnel places replicas itself" };
  if (!validateOnly) return outcome(() => increasePartitions(ctx.api, t.name, t.count));
  try {
    const now = (await ctx.api.getTopic(t.name)).partitionsCount;
    if (t.count <= now) return { errorCode: KafkaCode.INVALID_PARTITIONS, errorMessage: `partitions_count can only grow: topic '${t.name}' has ${now}, asked ${t.count}` };
    if (t.count > limits.partitionsCountMax) return { errorCode: KafkaCode.INVALID_PARTITIONS, errorMessage: `partitions_count must be at most ${limits.partitionsCountMax}, asked ${t.count}` };
    return ACCEPTED;
  } catch (e) {
    return refusalOf(e);
  }
}

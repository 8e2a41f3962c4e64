/**
 * DeleteTopics (key 20), every version Kafka defines (v0–6):
 * `DELETE /v3/clusters/{c}/topics/{t}` per topic (v6 may name a topic by
 * id instead). A topic that does not exist is UNKNOWN_TOPIC_OR_PARTITION
 * (an unknown id UNKNOWN_TOPIC_ID), as in Kafka; a principal without
 * DELETE on it is answered TOPIC_AUTHORIZATION_FAILED, as Kafka answers it.
 */
import { BackendError, ZERO_TOPIC_ID } from "../backend/runnel-api";
import { KafkaCode } from "../errors";
import { apis } from "../codec/generated";
import type { DeleteTopicsRequest } from "../codec/generated/delete-topics-request";
import { type Context, each, serve } from "./api";

/** The first version that names topics as {name, id}. */
const BY_ID_VERSION = 6;
const UNKNOWN_TOPIC_ID = 100;

const named = (req: DeleteTopicsRequest, version: number) =>
  version < BY_ID_VERSION ? req.topicNames.map((name) => ({ name: name as string | null, topicId: ZERO_TOPIC_ID })) : req.topics;

export const deleteTopics = serve(apis.DeleteTopics, {
  async handle(req, version, ctx) {
    return { responses: await each(named(req, version), (t) => deleteOne(ctx, t.name, t.topicId)) };
  },

  failed(req, code, version) {
    return { responses: named(req, version).map((t) => ({ name: t.name, topicId: t.topicId, errorCode: code })) };
  },
});

async function deleteOne(ctx: Context, given: string | null, topicId: string) {
  const name = given ?? (await ctx.api.topicNameOf(topicId));
  if (name === null) return { name: null, topicId, errorCode: UNKNOWN_TOPIC_ID };
  try {
    await ctx.api.deleteTopic(name);
    return { name, topicId, errorCode: KafkaCode.NONE };
  } catch (e) {
    if (!(e instanceof BackendError)) throw e;
    return { name, topicId, errorCode: e.kafkaCode, errorMessage: e.message }; // a denial is TOPIC_AUTHORIZATION_FAILED, as the Worker names it
  }
}

/**
 * Metadata (key 3), every version from Kafka 0.9's v0 to v13. The front
 * door names one broker, itself, as the leader, only replica and ISR of
 * every partition and as the controller, so every request comes back here
 * and any front door can serve any client. Metadata never creates topics,
 * whatever `allow_auto_topic_creation` says. Topic ids (v10+) are
 * Runnel's own, fresh on every creation; v10+ may name topics by id.
 * Leader epochs (v7+) are −1 (unknown), so clients do not validate
 * offsets against them; authorized operations are not computed (Kafka's
 * "not asked" value).
 */
import { BackendError, type TopicSummary, ZERO_TOPIC_ID } from "../backend/runnel-api";
import { KafkaCode } from "../errors";
import { apis } from "../codec/generated";
import type { MetadataRequestTopic } from "../codec/generated/metadata-request";
import type { MetadataResponseTopic } from "../codec/generated/metadata-response";
import type { Init } from "../codec/tagged";
import { type Context, serve } from "./api";

type Topic = Init<MetadataResponseTopic>;

export const metadata = serve(apis.Metadata, {
  async handle(req, version, ctx) {
    const clusterId = await ctx.api.clusterId();
    // v0 asks for every topic with an empty list, later versions with null.
    const all = req.topics === null || (version === 0 && req.topics.length === 0);
    const found = all ? (await ctx.api.listTopics()).map(described) : await Promise.all(req.topics!.map((t) => describe(ctx, t)));
    const self = ctx.self.nodeId;
    const topics = found.map((t) => ({ ...t, partitions: t.partitions?.map((p) => ({ ...p, leaderId: self, replicaNodes: [self], isrNodes: [self] })) }));
    return { brokers: [{ nodeId: self, host: ctx.self.host, port: ctx.self.port }], clusterId, controllerId: self, topics };
  },

  failed(req, code, _version, ctx) {
    const topics = (req.topics ?? []).map((t) => ({ errorCode: code, name: t.name, topicId: t.topicId }));
    return { brokers: [{ nodeId: ctx.self.nodeId, host: ctx.self.host, port: ctx.self.port }], controllerId: ctx.self.nodeId, topics };
  },
});

function described(t: TopicSummary): Topic {
  const partitions = Array.from({ length: t.partitionsCount }, (_, partitionIndex) => ({ errorCode: KafkaCode.NONE, partitionIndex, leaderEpoch: -1 }));
  return { errorCode: KafkaCode.NONE, name: t.name, topicId: t.topicId, isInternal: false, partitions };
}

/** One named topic (by name, or by id from v10): its partitions, or the error. */
async function describe(ctx: Context, t: MetadataRequestTopic): Promise<Topic> {
  let name = t.name;
  if (name === null) {
    name = t.topicId === ZERO_TOPIC_ID ? null : await ctx.api.topicNameOf(t.topicId);
    if (name === null) return { errorCode: UNKNOWN_TOPIC_ID, name: null, topicId: t.topicId };
  }
  try {
    return described(await ctx.api.getTopic(name));
  } catch (e) {
    if (!(e instanceof BackendError)) throw e;
    return { errorCode: e.kafkaCode, name, topicId: ZERO_TOPIC_ID };
  }
}

const UNKNOWN_TOPIC_ID = 100;

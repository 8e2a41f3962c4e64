/**
 * Metadata (key 3), v0–6 (v7 would add leader epochs, which makes newer
 * librdkafka validate offsets with OffsetForLeaderEpoch). The front door
 * names one broker, itself, as the leader, only replica and ISR of every
 * partition and as the controller, so every request comes back here and
 * any front door can serve any client. Metadata never creates topics,
 * whatever `allow_auto_topic_creation` says.
 */
import { BackendError, type TopicSummary } from "../backend/runnel-api";
import type { Reader } from "../codec/reader";
import type { Writer } from "../codec/writer";
import { KafkaCode } from "../errors";
import type { BrokerAddress, Context, KafkaApi } from "./api";

export interface MetadataRequest {
  /** null: every topic (v0 sends an empty array for that). */
  topics: string[] | null;
  allowAutoTopicCreation: boolean;
}

export interface TopicMetadata {
  errorCode: number;
  name: string;
  partitionsCount: number;
}

export interface MetadataResponse {
  brokers: BrokerAddress[];
  clusterId: string | null;
  controllerId: number;
  topics: TopicMetadata[];
}

export const metadata: KafkaApi<MetadataRequest, MetadataResponse> = {
  key: 3,
  name: "Metadata",
  minVersion: 0,
  maxVersion: 6,

  decode(r: Reader, version: number): MetadataRequest {
    const named = version === 0 ? r.array((r) => r.string()) : r.nullableArray((r) => r.string());
    const topics = version === 0 && named!.length === 0 ? null : named;
    return { topics, allowAutoTopicCreation: version >= 4 ? r.bool() : true };
  },

  async handle(req, _version, ctx) {
    const clusterId = await ctx.api.clusterId();
    const topics = req.topics === null ? (await ctx.api.listTopics()).map(found) : await Promise.all(req.topics.map((name) => describe(ctx, name)));
    return { brokers: [ctx.self], clusterId, controllerId: ctx.self.nodeId, topics };
  },

  encode(w: Writer, res: MetadataResponse, version: number): void {
    if (version >= 3) w.int32(0); // throttle_time_ms
    w.array(res.brokers, (w, b) => {
      w.int32(b.nodeId).string(b.host).int32(b.port);
      if (version >= 1) w.string(null); // rack
    });
    if (version >= 2) w.string(res.clusterId);
    if (version >= 1) w.int32(res.controllerId);
    const self = res.brokers[0]?.nodeId ?? -1;
    w.array(res.topics, (w, t) => {
      w.int16(t.errorCode).string(t.name);
      if (version >= 1) w.bool(false); // is_internal
      w.array(Array.from({ length: t.partitionsCount }, (_, p) => p), (w, p) => {
        w.int16(KafkaCode.NONE).int32(p).int32(self);
        w.array([self], (w, n) => w.int32(n)); // replicas
        w.array([self], (w, n) => w.int32(n)); // isr
        if (version >= 5) w.array([], (w, n: number) => w.int32(n)); // offline replicas
      });
    });
  },

  failed(req, code, _version, ctx) {
    const topics = (req.topics ?? []).map((name) => ({ errorCode: code, name, partitionsCount: 0 }));
    return { brokers: [ctx.self], clusterId: null, controllerId: ctx.self.nodeId, topics };
  },
};

function found(t: TopicSummary): TopicMetadata {
  return { errorCode: KafkaCode.NONE, name: t.name, partitionsCount: t.partitionsCount };
}

/** One named topic: its partitions, or the error (UNKNOWN_TOPIC_OR_PARTITION when it does not exist). */
async function describe(ctx: Context, name: string): Promise<TopicMetadata> {
  try {
    return found(await ctx.api.getTopic(name));
  } catch (e) {
    if (!(e instanceof BackendError)) throw e;
    return { errorCode: e.kafkaCode, name, partitionsCount: 0 };
  }
}

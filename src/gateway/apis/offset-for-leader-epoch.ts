/**
 * OffsetForLeaderEpoch (key 23), every version Kafka defines (v0–4):
 * `GET …/partitions/{p}/leader-epochs/{e}` per partition, answered by the
 * partition's leader from the leader epochs its log's batches were written
 * in: the largest epoch at or below the one asked that wrote there, and
 * the offset where it ends (the first offset of a later epoch, or the log
 * end offset); −1 and −1 for an epoch newer than the leader's. A current
 * leader epoch (v2+) older than the leader's is FENCED_LEADER_EPOCH, newer
 * UNKNOWN_LEADER_EPOCH. Needs DESCRIBE on the topic, else
 * TOPIC_AUTHORIZATION_FAILED. The epochs are Runnel's own leader epochs
 * (Metadata names them −1, so clients that validate positions do not ask).
 */
import { epochEnd } from "../backend/admin-api";
import { KafkaCode } from "../errors";
import { apis } from "../codec/generated";
import type { OffsetForLeaderEpochRequestOffsetForLeaderPartition } from "../codec/generated/offset-for-leader-epoch-request";
import { type Context, each, serve } from "./api";
import { refusalOf } from "./refusal";

type Partition = OffsetForLeaderEpochRequestOffsetForLeaderPartition;

export const offsetForLeaderEpoch = serve(apis.OffsetForLeaderEpoch, {
  async handle(req, _version, ctx) {
    return { topics: await each(req.topics, async (t) => ({ topic: t.topic, partitions: await each(t.partitions, (p) => endOf(ctx, t.topic, p)) })) };
  },

  failed(req, code) {
    return { topics: req.topics.map((t) => ({ topic: t.topic, partitions: t.partitions.map((p) => ({ errorCode: code, partition: p.partition, leaderEpoch: -1, endOffset: -1 })) })) };
  },
});

async function endOf(ctx: Context, topic: string, p: Partition) {
  try {
    const end = await epochEnd(ctx.api, topic, p.partition, p.leaderEpoch, p.currentLeaderEpoch);
    return { errorCode: KafkaCode.NONE, partition: p.partition, leaderEpoch: end.leaderEpoch, endOffset: end.endOffset };
  } catch (e) {
    return { errorCode: refusalOf(e).errorCode, partition: p.partition, leaderEpoch: -1, endOffset: -1 };
  }
}

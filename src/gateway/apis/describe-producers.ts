/**
 * DescribeProducers (key 61), v0 (the one Kafka defines):
 * `GET …/partitions/{p}/producers` per partition — the idempotent
 * producers the partition's leader remembers (for 24 hours after their
 * last batch there): each one's epoch, last sequence and last batch's
 * timestamp. No coordinator epoch and no open transaction (−1): Runnel's
 * producers here are idempotent, not transactional. Needs READ on the
 * topic, else TOPIC_AUTHORIZATION_FAILED, as Kafka.
 */
import { producers } from "../backend/admin-api";
import { KafkaCode } from "../errors";
import { apis } from "../codec/generated";
import { type Context, each, serve } from "./api";
import { refusalOf } from "./refusal";

export const describeProducers = serve(apis.DescribeProducers, {
  async handle(req, _version, ctx) {
    return { topics: await each(req.topics, async (t) => ({ name: t.name, partitions: await each(t.partitionIndexes, (p) => describeOne(ctx, t.name, p)) })) };
  },

  failed(req, code) {
    return { topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, errorCode: code, errorMessage: null })) })) };
  },
});

async function describeOne(ctx: Context, topic: string, partitionIndex: number) {
  try {
    const activeProducers = (await producers(ctx.api, topic, partitionIndex)).map((p) => ({
      producerId: p.producerId,
      producerEpoch: p.producerEpoch,
      lastSequence: p.lastSequence,
      lastTimestamp: p.lastTimestampMs,
      coordinatorEpoch: -1,
      currentTxnStartOffset: -1,
    }));
    return { partitionIndex, errorCode: KafkaCode.NONE, errorMessage: null, activeProducers };
  } catch (e) {
    return { partitionIndex, ...refusalOf(e), activeProducers: [] };
  }
}

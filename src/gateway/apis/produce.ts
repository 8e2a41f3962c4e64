/**
 * Produce (key 0), every version from Kafka 0.9's v0 to v12. Records are
 * stored as record batches (magic 2, v3+); the legacy message sets of
 * v0–2 (magic 0 and 1) are converted to one record batch per partition on
 * the way in (`legacy-records.ts`), as Kafka 2.x and 3.x brokers did.
 * Each partition's bytes go to the Worker (`POST …/partitions/{p}/batches`),
 * appends to one partition keep this connection's order, and with acks=0
 * nothing is sent back: a failure closes the connection instead, as a
 * Kafka broker does, so the client learns of it.
 */
import { BackendError } from "../backend/runnel-api";
import { KafkaCode } from "../errors";
import { apis } from "../codec/generated";
import type { ProduceRequest } from "../codec/generated/produce-request";
import type { ProduceResponse, ProduceResponsePartitionProduceResponse } from "../codec/generated/produce-response";
import type { Init } from "../codec/tagged";
import { CloseConnection, type Context, each, serve } from "./api";
import { LegacyRecordsError, toRecordBatch } from "./legacy-records";

type Partition = Init<ProduceResponsePartitionProduceResponse>;

/** Kafka's acks as the Worker's: acks=0 still waits for the leader, so this connection's appends to a partition stay in order. */
const ACKS: Record<number, "1" | "all"> = { 0: "1", 1: "1", [-1]: "all" };

/** The first version whose records are record batches (magic 2). */
const RECORD_BATCH_VERSION = 3;

export const produce = serve(apis.Produce, {
  async handle(req, version, ctx) {
    const acks = ACKS[req.acks];
    const refused = acks === undefined ? KafkaCode.INVALID_REQUIRED_ACKS : req.transactionalId !== null ? KafkaCode.INVALID_TXN_STATE : null;
    if (refused !== null) return req.acks === 0 ? null : answerAll(req, refused);
    const legacy = version < RECORD_BATCH_VERSION;
    const responses = await each(req.topicData, async (t) => ({
      name: t.name,
      partitionResponses: await each(t.partitionData, (p) => appendOne(ctx, t.name, p.index, p.records, acks!, legacy)),
    }));
    if (req.acks !== 0) return { responses };
    const failed = responses.flatMap((t) => t.partitionResponses.filter((p) => p.errorCode !== KafkaCode.NONE).map((p) => `${t.name}/${p.index}: error ${p.errorCode}`));
    if (failed.length > 0) throw new CloseConnection(`acks=0 produce not appended (${failed.join(", ")})`);
    return null;
  },

  failed(req, code) {
    return req.acks === 0 ? null : answerAll(req, code);
  },
});

async function appendOne(ctx: Context, topic: string, index: number, records: Uint8Array | null, acks: "1" | "all", legacy: boolean): Promise<Partition> {
  if (records === null || records.length === 0) return refusedPartition(index, KafkaCode.INVALID_RECORD);
  let batches = records;
  if (legacy) {
    try {
      batches = toRecordBatch(records);
    } catch (e) {
      if (!(e instanceof LegacyRecordsError)) throw e;
      return { ...refusedPartition(index, KafkaCode.CORRUPT_MESSAGE), errorMessage: e.message };
    }
  }
  try {
    const done = await ctx.inOrder(`${topic}/${index}`, () => ctx.api.produceBatches(topic, index, batches, acks));
    return { index, errorCode: KafkaCode.NONE, baseOffset: done.baseOffset, logAppendTimeMs: done.logAppendTimeMs, logStartOffset: done.logStartOffset };
  } catch (e) {
    if (!(e instanceof BackendError)) throw e;
    return refusedPartition(index, e.kafkaCode);
  }
}

function answerAll(req: ProduceRequest, code: number): Init<ProduceResponse> {
  return {
    responses: req.topicData.map((t) => ({ name: t.name, partitionResponses: t.partitionData.map((p) => refusedPartition(p.index, code)) })),
  };
}

function refusedPartition(index: number, errorCode: number): Partition {
  return { index, errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1 };
}

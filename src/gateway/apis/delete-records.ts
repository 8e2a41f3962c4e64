/**
 * DeleteRecords (key 21), every version Kafka defines (v0–2):
 * `POST …/partitions/{p}/records:delete-before` `{"offset"}` per
 * partition, which moves the partition's log start to the offset (−1: the
 * high watermark) on its leader and in-sync followers, answering the new
 * log start as the low watermark. An offset past the high watermark (or
 * below −1) is OFFSET_OUT_OF_RANGE; a principal without DELETE on the
 * topic TOPIC_AUTHORIZATION_FAILED — as Kafka.
 */
import { deleteRecordsBefore } from "../backend/admin-api";
import { KafkaCode } from "../errors";
import { apis } from "../codec/generated";
import type { DeleteRecordsRequest } from "../codec/generated/delete-records-request";
import { type Context, each, serve } from "./api";
import { refusalOf } from "./refusal";

const answered = (req: DeleteRecordsRequest, errorCode: number) =>
  req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode })) }));

export const deleteRecords = serve(apis.DeleteRecords, {
  async handle(req, _version, ctx) {
    return { topics: await each(req.topics, async (t) => ({ name: t.name, partitions: await each(t.partitions, (p) => deleteOne(ctx, t.name, p.partitionIndex, p.offset)) })) };
  },

  failed(req, code) {
    return { topics: answered(req, code) };
  },
});

async function deleteOne(ctx: Context, topic: string, partitionIndex: number, offset: number) {
  if (offset < -1) return { partitionIndex, lowWatermark: -1, errorCode: KafkaCode.OFFSET_OUT_OF_RANGE };
  try {
    return { partitionIndex, lowWatermark: await deleteRecordsBefore(ctx.api, topic, partitionIndex, offset), errorCode: KafkaCode.NONE };
  } catch (e) {
    return { partitionIndex, lowWatermark: -1, errorCode: refusalOf(e).errorCode };
  }
}

/**
 * OffsetDelete (key 47), v0 (the one Kafka defines):
 * `POST …/consumer-groups/{g}/offsets:delete` per topic. A topic a member
 * of the group subscribes to is GROUP_SUBSCRIBED_TO_TOPIC for each of its
 * partitions, one that does not exist (or the principal may not READ)
 * UNKNOWN_TOPIC_OR_PARTITION (TOPIC_AUTHORIZATION_FAILED); a group that
 * does not exist (GROUP_ID_NOT_FOUND), may not be deleted from
 * (GROUP_AUTHORIZATION_FAILED) or whose coordinator does not answer
 * (COORDINATOR_NOT_AVAILABLE) is the request's own error — as Kafka.
 */
import { deleteGroupOffsets } from "../backend/admin-api";
import { groupCodeOf } from "../backend/group-api";
import { KafkaCode } from "../errors";
import { apis } from "../codec/generated";
import type { OffsetDeleteRequestTopic } from "../codec/generated/offset-delete-request";
import { type Context, each, serve } from "./api";

/** Refusals that are about the group, not the topic: the request's own error code. */
const GROUP_ERRORS = new Set<number>([KafkaCode.GROUP_ID_NOT_FOUND, KafkaCode.GROUP_AUTHORIZATION_FAILED, KafkaCode.COORDINATOR_NOT_AVAILABLE, KafkaCode.INVALID_GROUP_ID]);

const answered = (t: OffsetDeleteRequestTopic, errorCode: number) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) });

export const offsetDelete = serve(apis.OffsetDelete, {
  async handle(req, _version, ctx) {
    if (req.groupId === "") return { errorCode: KafkaCode.INVALID_GROUP_ID };
    const codes = await each(req.topics, (t) => deleteTopic(ctx, req.groupId, t));
    const groupError = codes.find((code) => GROUP_ERRORS.has(code));
    if (groupError !== undefined) return { errorCode: groupError };
    return { errorCode: KafkaCode.NONE, topics: req.topics.map((t, i) => answered(t, codes[i]!)) };
  },

  failed(req, code) {
    return { errorCode: code, topics: req.topics.map((t) => answered(t, code)) };
  },
});

/** One topic's offsets deleted: NONE, or the refusal's code. */
async function deleteTopic(ctx: Context, groupId: string, t: OffsetDeleteRequestTopic): Promise<number> {
  try {
    await deleteGroupOffsets(ctx.api, groupId, t.name, t.partitions.map((p) => p.partitionIndex));
    return KafkaCode.NONE;
  } catch (e) {
    return groupCodeOf(e);
  }
}

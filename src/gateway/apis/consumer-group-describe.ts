/**
 * ConsumerGroupDescribe (key 69), v0 and v1: each KIP-848 group as its
 * coordinator keeps it — state (Empty, Assigning, Reconciling, Stable),
 * group epoch, target assignment epoch, assignor, and every member with
 * its epoch, subscription, what it owns and its target (topics by id and
 * name); v1 says each member is a consumer-protocol one (member type 1).
 * A group that is not a KIP-848 group, or none, is GROUP_ID_NOT_FOUND; one
 * the client may not DESCRIBE, GROUP_AUTHORIZATION_FAILED. Authorized
 * operations are not computed (Kafka's "not asked" value).
 */
import { consumerDescribe, type IdPartitions } from "../backend/consumer-group-api";
import { groupCodeOf } from "../backend/group-api";
import { KafkaCode } from "../errors";
import { apis } from "../codec/generated";
import { each, serve } from "./api";
import { messageOf } from "./consumer-group-heartbeat";

/** KIP-1099's member type of a consumer-protocol member. */
const CONSUMER_MEMBER = 1;

const assignment = (list: IdPartitions[]) => ({ topicPartitions: list.map((t) => ({ topicId: t.topicId, topicName: t.topicName, partitions: t.partitions })) });

export const consumerGroupDescribe = serve(apis.ConsumerGroupDescribe, {
  async handle(req, _version, ctx) {
    return {
      groups: await each(req.groupIds, async (groupId) => {
        try {
          const g = await consumerDescribe(ctx.api, groupId);
          const members = g.members.map((m) => ({ ...m, assignment: assignment(m.assignment), targetAssignment: assignment(m.targetAssignment), memberType: CONSUMER_MEMBER }));
          return { errorCode: KafkaCode.NONE, groupId, groupState: g.state, groupEpoch: g.groupEpoch, assignmentEpoch: g.assignmentEpoch, assignorName: g.assignorName, members };
        } catch (e) {
          return { errorCode: groupCodeOf(e), errorMessage: messageOf(e), groupId };
        }
      }),
    };
  },

  failed(req, code) {
    return { groups: req.groupIds.map((groupId) => ({ errorCode: code, groupId })) };
  },
});

/**
 * ConsumerGroupHeartbeat (key 68), v0 and v1: KIP-848's consumer group
 * protocol, served by the group's coordinator (group/kip848/) — joining
 * (epoch 0), heartbeats that carry what the member owns and bring back
 * its epoch and, when it changed, its assignment, and leaving (epoch −1,
 * or −2 for a static member that comes back). Assignment is the server's,
 * with the `uniform` (default) or `range` assignor; any other is
 * UNSUPPORTED_ASSIGNOR. v1 members name themselves and may subscribe by
 * regular expression (RE2, as Kafka's RE2/J; INVALID_REGULAR_EXPRESSION);
 * v0 members with an empty id are named by the coordinator. Errors carry
 * Kafka's message (errorMessage). Rack ids are kept and shown, not used
 * for assignment.
 */
import { consumerHeartbeat } from "../backend/consumer-group-api";
import { groupCodeOf } from "../backend/group-api";
import { KafkaCode } from "../errors";
import { apis } from "../codec/generated";
import { serve } from "./api";

export const consumerGroupHeartbeat = serve(apis.ConsumerGroupHeartbeat, {
  async handle(req, version, ctx) {
    if (req.groupId.trim() === "") return { errorCode: KafkaCode.INVALID_REQUEST, errorMessage: "GroupId can't be empty." };
    try {
      const hb = await consumerHeartbeat(ctx.api, req.groupId, {
        version,
        memberId: req.memberId,
        memberEpoch: req.memberEpoch,
        instanceId: req.instanceId,
        rackId: req.rackId,
        rebalanceTimeoutMs: req.rebalanceTimeoutMs,
        subscribedTopicNames: req.subscribedTopicNames,
        subscribedTopicRegex: req.subscribedTopicRegex,
        serverAssignor: req.serverAssignor,
        ownedPartitions: req.topicPartitions,
        clientId: ctx.clientId ?? "",
        clientHost: ctx.clientHost,
      });
      const assignment = hb.assignment === null ? null : { topicPartitions: hb.assignment.map((t) => ({ topicId: t.topicId, partitions: t.partitions })) };
      return { errorCode: KafkaCode.NONE, memberId: hb.memberId, memberEpoch: hb.memberEpoch, heartbeatIntervalMs: hb.heartbeatIntervalMs, assignment };
    } catch (e) {
      return { errorCode: groupCodeOf(e), errorMessage: messageOf(e) };
    }
  },

  failed(_req, code) {
    return { errorCode: code };
  },
});

/** The Worker's refusal as Kafka words it: the text after the error name. */
export function messageOf(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.replace(/^[A-Z_]+: /, "");
}

/**
 * JoinGroup (key 11), every version from Kafka 0.9's v0 to v9: joins the
 * group's coordinator as a Kafka member. The coordinator assigns every
 * member's partitions itself, so the answer names as leader an id that is
 * no member's and lists no members: every client is a follower and sends
 * an empty SyncGroup. The call is held until the group has settled (every
 * Kafka member has joined again), up to the request's rebalance timeout
 * (v0 has none: its session timeout, as Kafka takes it). A group instance
 * id (v5+, static membership) and a reason (v8+) are accepted and not
 * used. No MEMBER_ID_REQUIRED round (v4+): a member id is given in the
 * first answer.
 */
import { groupCodeOf, joinGroup } from "../backend/group-api";
import { KafkaCode } from "../errors";
import { apis } from "../codec/generated";
import { serve } from "./api";

export const joinGroupApi = serve(apis.JoinGroup, {
  async handle(req, _version, ctx) {
    // v0 has no rebalance timeout: its default (-1) means the session timeout.
    const rebalanceTimeoutMs = req.rebalanceTimeoutMs < 0 ? req.sessionTimeoutMs : req.rebalanceTimeoutMs;
    try {
      const joined = await joinGroup(ctx.api, req.groupId, {
        memberId: req.memberId,
        clientId: ctx.clientId ?? "",
        clientHost: ctx.clientHost,
        sessionTimeoutMs: req.sessionTimeoutMs,
        rebalanceTimeoutMs,
        protocolType: req.protocolType,
        protocols: req.protocols,
      });
      return {
        errorCode: KafkaCode.NONE,
        generationId: joined.generation,
        protocolType: req.protocolType,
        protocolName: joined.protocol,
        leader: joined.leaderId,
        memberId: joined.memberId,
      };
    } catch (e) {
      return { errorCode: groupCodeOf(e), generationId: -1, protocolName: "", memberId: req.memberId };
    }
  },

  failed(req, code) {
    return { errorCode: code, generationId: -1, protocolName: "", memberId: req.memberId };
  },
});

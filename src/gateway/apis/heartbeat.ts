/**
 * Heartbeat (key 12), every version from Kafka 0.9's v0 to v4: a sign of
 * life to the group's coordinator. REBALANCE_IN_PROGRESS tells the member
 * to join again (the group rebalanced); UNKNOWN_MEMBER_ID that it is no
 * longer a member (its session ran out); ILLEGAL_GENERATION a generation
 * it was never given. A group instance id (v3+) is not used.
 */
import { groupCodeOf, heartbeat } from "../backend/group-api";
import { KafkaCode } from "../errors";
import { apis } from "../codec/generated";
import { serve } from "./api";

export const heartbeatApi = serve(apis.Heartbeat, {
  async handle(req, _version, ctx) {
    try {
      await heartbeat(ctx.api, req.groupId, req.memberId, req.generationId);
      return { errorCode: KafkaCode.NONE };
    } catch (e) {
      return { errorCode: groupCodeOf(e) };
    }
  },

  failed(_req, code) {
    return { errorCode: code };
  },
});

/**
 * LeaveGroup (key 13), every version from Kafka 0.9's v0 to v5: the
 * members leave the group at once (the group rebalances without waiting
 * for their sessions to end). v0–2 name one member (its outcome is the
 * response's error code); v3+ name several, each answered on its own, as
 * Kafka's batch leave does. A reason (v5) is not used.
 */
import { groupCodeOf, leaveGroup } from "../backend/group-api";
import { KafkaCode, outcomeCode } from "../errors";
import { apis } from "../codec/generated";
import type { LeaveGroupRequest } from "../codec/generated/leave-group-request";
import { serve } from "./api";

/** The first version that names several members. */
const BATCHED_VERSION = 3;

const membersOf = (req: LeaveGroupRequest, version: number) =>
  version < BATCHED_VERSION ? [{ memberId: req.memberId, groupInstanceId: null }] : req.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId }));

export const leaveGroupApi = serve(apis.LeaveGroup, {
  async handle(req, version, ctx) {
    const leaving = membersOf(req, version);
    if (leaving.length === 0) return { errorCode: KafkaCode.NONE };
    try {
      const outcomes = await leaveGroup(ctx.api, req.groupId, leaving.map((m) => m.memberId));
      const members = leaving.map((m, i) => ({ ...m, errorCode: outcomeCode(outcomes[i]?.error ?? null) }));
      // Before v3 the one member's outcome is the response's.
      return { errorCode: version < BATCHED_VERSION ? members[0]!.errorCode : KafkaCode.NONE, members };
    } catch (e) {
      const code = groupCodeOf(e);
      return { errorCode: code, members: leaving.map((m) => ({ ...m, errorCode: code })) };
    }
  },

  failed(req, code, version) {
    return { errorCode: code, members: membersOf(req, version).map((m) => ({ ...m, errorCode: code })) };
  },
});

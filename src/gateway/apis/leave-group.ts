/**
 * LeaveGroup (key 13), v0–3: the members leave the group at once (the
 * group rebalances without waiting for their sessions to end). v0–2 name
 * one member (its outcome is the response's error code); v3 names several,
 * each answered on its own, as Kafka's batch leave does.
 */
import { groupCodeOf, leaveGroup } from "../backend/group-api";
import type { Reader } from "../codec/reader";
import type { Writer } from "../codec/writer";
import { KafkaCode, outcomeCode } from "../errors";
import type { KafkaApi } from "./api";

export interface LeaveGroupRequest {
  groupId: string;
  members: { memberId: string; groupInstanceId: string | null }[];
}

export interface LeaveGroupResponse {
  errorCode: number;
  members: { memberId: string; groupInstanceId: string | null; errorCode: number }[];
}

export const leaveGroupApi: KafkaApi<LeaveGroupRequest, LeaveGroupResponse> = {
  key: 13,
  name: "LeaveGroup",
  minVersion: 0,
  maxVersion: 3,

  decode(r: Reader, version: number): LeaveGroupRequest {
    const groupId = r.string();
    if (version < 3) return { groupId, members: [{ memberId: r.string(), groupInstanceId: null }] };
    return { groupId, members: r.array((r) => ({ memberId: r.string(), groupInstanceId: r.nullableString() })) };
  },

  async handle(req, version, ctx) {
    if (req.members.length === 0) return { errorCode: KafkaCode.NONE, members: [] };
    try {
      const outcomes = await leaveGroup(ctx.api, req.groupId, req.members.map((m) => m.memberId));
      const members = req.members.map((m, i) => ({ ...m, errorCode: outcomeCode(outcomes[i]?.error ?? null) }));
      // Before v3 the one member's outcome is the response's.
      return { errorCode: version < 3 ? members[0]!.errorCode : KafkaCode.NONE, members };
    } catch (e) {
      return leaveGroupApi.failed(req, groupCodeOf(e), version, ctx)!;
    }
  },

  encode(w: Writer, res: LeaveGroupResponse, version: number): void {
    if (version >= 1) w.int32(0); // throttle_time_ms
    w.int16(res.errorCode);
    if (version >= 3) w.array(res.members, (w, m) => w.string(m.memberId).string(m.groupInstanceId).int16(m.errorCode));
  },

  failed(req, code) {
    return { errorCode: code, members: req.members.map((m) => ({ ...m, errorCode: code })) };
  },
};

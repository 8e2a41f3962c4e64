/**
 * JoinGroup (key 11), v0–5: joins the group's coordinator as a Kafka
 * member. The coordinator assigns every member's partitions itself, so the
 * answer names as leader an id that is no member's and lists no members:
 * every client is a follower and sends an empty SyncGroup. The call is
 * held until the group has settled (every Kafka member has joined again),
 * up to the request's rebalance timeout (v0 has none: its session timeout,
 * as Kafka takes it). A group instance id (v5, static membership) is
 * accepted and not used: the member is a dynamic one. No
 * MEMBER_ID_REQUIRED round: a member id is given in the first answer.
 */
import { groupCodeOf, joinGroup } from "../backend/group-api";
import type { Reader } from "../codec/reader";
import type { Writer } from "../codec/writer";
import { KafkaCode } from "../errors";
import type { KafkaApi } from "./api";

export interface JoinGroupRequest {
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string;
  protocols: { name: string; metadata: Uint8Array }[];
}

export interface JoinGroupResponse {
  errorCode: number;
  generation: number;
  protocolName: string;
  leaderId: string;
  memberId: string;
}

export const joinGroupApi: KafkaApi<JoinGroupRequest, JoinGroupResponse> = {
  key: 11,
  name: "JoinGroup",
  minVersion: 0,
  maxVersion: 5,

  decode(r: Reader, version: number): JoinGroupRequest {
    const groupId = r.string();
    const sessionTimeoutMs = r.int32();
    const rebalanceTimeoutMs = version >= 1 ? r.int32() : sessionTimeoutMs;
    const memberId = r.string();
    const groupInstanceId = version >= 5 ? r.nullableString() : null;
    const protocolType = r.string();
    const protocols = r.array((r) => ({ name: r.string(), metadata: r.nullableBytes() ?? new Uint8Array(0) }));
    return { groupId, sessionTimeoutMs, rebalanceTimeoutMs, memberId, groupInstanceId, protocolType, protocols };
  },

  async handle(req, _version, ctx) {
    try {
      const joined = await joinGroup(ctx.api, req.groupId, {
        memberId: req.memberId,
        clientId: ctx.clientId ?? "",
        clientHost: ctx.clientHost,
        sessionTimeoutMs: req.sessionTimeoutMs,
        rebalanceTimeoutMs: req.rebalanceTimeoutMs < 0 ? req.sessionTimeoutMs : req.rebalanceTimeoutMs,
        protocolType: req.protocolType,
        protocols: req.protocols,
      });
      return { errorCode: KafkaCode.NONE, generation: joined.generation, protocolName: joined.protocol, leaderId: joined.leaderId, memberId: joined.memberId };
    } catch (e) {
      return refused(req, groupCodeOf(e));
    }
  },

  encode(w: Writer, res: JoinGroupResponse, version: number): void {
    if (version >= 2) w.int32(0); // throttle_time_ms
    w.int16(res.errorCode).int32(res.generation).string(res.protocolName).string(res.leaderId).string(res.memberId);
    w.int32(0); // members: only a leader gets them, and no client is the leader
  },

  failed(req, code) {
    return refused(req, code);
  },
};

function refused(req: JoinGroupRequest, errorCode: number): JoinGroupResponse {
  return { errorCode, generation: -1, protocolName: "", leaderId: "", memberId: req.memberId };
}

/**
 * Heartbeat (key 12), v0–3: a sign of life to the group's coordinator.
 * REBALANCE_IN_PROGRESS tells the member to join again (the group
 * rebalanced); UNKNOWN_MEMBER_ID that it is no longer a member (its
 * session ran out); ILLEGAL_GENERATION a generation it was never given.
 */
import { groupCodeOf, heartbeat } from "../backend/group-api";
import type { Reader } from "../codec/reader";
import type { Writer } from "../codec/writer";
import { KafkaCode } from "../errors";
import type { KafkaApi } from "./api";

export interface HeartbeatRequest {
  groupId: string;
  generation: number;
  memberId: string;
}

export interface HeartbeatResponse {
  errorCode: number;
}

export const heartbeatApi: KafkaApi<HeartbeatRequest, HeartbeatResponse> = {
  key: 12,
  name: "Heartbeat",
  minVersion: 0,
  maxVersion: 3,

  decode(r: Reader, version: number): HeartbeatRequest {
    const req = { groupId: r.string(), generation: r.int32(), memberId: r.string() };
    if (version >= 3) r.nullableString(); // group_instance_id: static membership is not used
    return req;
  },

  async handle(req, _version, ctx) {
    try {
      await heartbeat(ctx.api, req.groupId, req.memberId, req.generation);
      return { errorCode: KafkaCode.NONE };
    } catch (e) {
      return { errorCode: groupCodeOf(e) };
    }
  },

  encode(w: Writer, res: HeartbeatResponse, version: number): void {
    if (version >= 1) w.int32(0); // throttle_time_ms
    w.int16(res.errorCode);
  },

  failed(_req, code) {
    return { errorCode: code };
  },
};

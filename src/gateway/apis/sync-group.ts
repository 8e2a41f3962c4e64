/**
 * SyncGroup (key 14), v0–3: the member's partitions in the generation its
 * JoinGroup was answered with, as the coordinator assigned them, in
 * Kafka's ConsumerProtocolAssignment bytes. Assignments a client sends
 * (none do: no client is the leader) are ignored. An older generation is
 * ILLEGAL_GENERATION; a group that rebalanced since is REBALANCE_IN_PROGRESS.
 */
import { groupCodeOf, syncGroup } from "../backend/group-api";
import type { Reader } from "../codec/reader";
import type { Writer } from "../codec/writer";
import { KafkaCode } from "../errors";
import type { KafkaApi } from "./api";

export interface SyncGroupRequest {
  groupId: string;
  generation: number;
  memberId: string;
}

export interface SyncGroupResponse {
  errorCode: number;
  assignment: Uint8Array;
}

export const syncGroupApi: KafkaApi<SyncGroupRequest, SyncGroupResponse> = {
  key: 14,
  name: "SyncGroup",
  minVersion: 0,
  maxVersion: 3,

  decode(r: Reader, version: number): SyncGroupRequest {
    const groupId = r.string();
    const generation = r.int32();
    const memberId = r.string();
    if (version >= 3) r.nullableString(); // group_instance_id: static membership is not used
    r.array((r) => [r.string(), r.nullableBytes()]); // assignments: the coordinator assigns
    return { groupId, generation, memberId };
  },

  async handle(req, _version, ctx) {
    try {
      return { errorCode: KafkaCode.NONE, assignment: await syncGroup(ctx.api, req.groupId, req.memberId, req.generation) };
    } catch (e) {
      return { errorCode: groupCodeOf(e), assignment: new Uint8Array(0) };
    }
  },

  encode(w: Writer, res: SyncGroupResponse, version: number): void {
    if (version >= 1) w.int32(0); // throttle_time_ms
    w.int16(res.errorCode).bytes(res.assignment);
  },

  failed(_req, code) {
    return { errorCode: code, assignment: new Uint8Array(0) };
  },
};

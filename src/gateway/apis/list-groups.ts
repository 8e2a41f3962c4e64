/**
 * ListGroups (key 16), v0–2: every group the client may DESCRIBE (the
 * Worker filters them), each with protocol type "consumer" — Runnel's
 * groups are consumer groups, whichever kinds of members they have.
 */
import { groupCodeOf } from "../backend/group-api";
import type { Reader } from "../codec/reader";
import type { Writer } from "../codec/writer";
import { KafkaCode } from "../errors";
import type { KafkaApi } from "./api";

export interface ListGroupsResponse {
  errorCode: number;
  groups: { groupId: string; protocolType: string }[];
}

export const listGroups: KafkaApi<Record<string, never>, ListGroupsResponse> = {
  key: 16,
  name: "ListGroups",
  minVersion: 0,
  maxVersion: 2,

  decode(_r: Reader): Record<string, never> {
    return {};
  },

  async handle(_req, _version, ctx) {
    try {
      const ids = await ctx.api.listGroups();
      return { errorCode: KafkaCode.NONE, groups: ids.map((groupId) => ({ groupId, protocolType: "consumer" })) };
    } catch (e) {
      return { errorCode: groupCodeOf(e), groups: [] };
    }
  },

  encode(w: Writer, res: ListGroupsResponse, version: number): void {
    if (version >= 1) w.int32(0); // throttle_time_ms
    w.int16(res.errorCode).array(res.groups, (w, g) => w.string(g.groupId).string(g.protocolType));
  },

  failed(_req, code) {
    return { errorCode: code, groups: [] };
  },
};

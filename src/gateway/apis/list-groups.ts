/**
 * ListGroups (key 16), every version from Kafka 0.9's v0 to v5: every
 * group the client may DESCRIBE (the Worker filters them), each with
 * protocol type "consumer" and (v5) type "classic" — Runnel's groups are
 * consumer groups, whichever kinds of members they have. States (v4) are
 * not known here: they are answered "" and a states filter is not applied.
 */
import { groupCodeOf } from "../backend/group-api";
import { KafkaCode } from "../errors";
import { apis } from "../codec/generated";
import { serve } from "./api";

export const listGroups = serve(apis.ListGroups, {
  async handle(_req, _version, ctx) {
    try {
      const ids = await ctx.api.listGroups();
      return { errorCode: KafkaCode.NONE, groups: ids.map((groupId) => ({ groupId, protocolType: "consumer", groupType: "classic" })) };
    } catch (e) {
      return { errorCode: groupCodeOf(e) };
    }
  },

  failed(_req, code) {
    return { errorCode: code };
  },
});

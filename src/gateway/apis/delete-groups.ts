/**
 * DeleteGroups (key 42), every version Kafka defines (v0–2):
 * `DELETE …/consumer-groups/{g}` per group. A group with members is
 * NON_EMPTY_GROUP, one that does not exist GROUP_ID_NOT_FOUND; a
 * principal without DELETE on the group GROUP_AUTHORIZATION_FAILED; a
 * coordinator that does not answer COORDINATOR_NOT_AVAILABLE — as Kafka.
 */
import { deleteGroup } from "../backend/admin-api";
import { groupCodeOf } from "../backend/group-api";
import { KafkaCode } from "../errors";
import { apis } from "../codec/generated";
import { each, serve } from "./api";

export const deleteGroups = serve(apis.DeleteGroups, {
  async handle(req, _version, ctx) {
    const results = await each(req.groupsNames, async (groupId) => {
      if (groupId === "") return { groupId, errorCode: KafkaCode.INVALID_GROUP_ID };
      try {
        await deleteGroup(ctx.api, groupId);
        return { groupId, errorCode: KafkaCode.NONE };
      } catch (e) {
        return { groupId, errorCode: groupCodeOf(e) };
      }
    });
    return { results };
  },

  failed(req, code) {
    return { results: req.groupsNames.map((groupId) => ({ groupId, errorCode: code })) };
  },
});

/**
 * SyncGroup (key 14), every version from Kafka 0.9's v0 to v5: the
 * member's partitions in the generation its JoinGroup was answered with,
 * as the coordinator assigned them, in Kafka's ConsumerProtocolAssignment
 * bytes. Assignments a client sends (none do: no client is the leader)
 * are ignored. An older generation is ILLEGAL_GENERATION; a group that
 * rebalanced since is REBALANCE_IN_PROGRESS. v5's protocol type and name
 * are answered as the client sent them.
 */
import { groupCodeOf, syncGroup } from "../backend/group-api";
import { KafkaCode } from "../errors";
import { apis } from "../codec/generated";
import { serve } from "./api";

export const syncGroupApi = serve(apis.SyncGroup, {
  async handle(req, _version, ctx) {
    const named = { protocolType: req.protocolType, protocolName: req.protocolName };
    try {
      return { errorCode: KafkaCode.NONE, ...named, assignment: await syncGroup(ctx.api, req.groupId, req.memberId, req.generationId) };
    } catch (e) {
      return { errorCode: groupCodeOf(e), ...named };
    }
  },

  failed(_req, code) {
    return { errorCode: code };
  },
});

/**
 * DescribeGroups (key 15), every version from Kafka 0.9's v0 to v6: each
 * group in Kafka's terms — state (Stable, PreparingRebalance,
 * CompletingRebalance, Empty; Dead for a group never used), protocol type
 * "consumer", the protocol its Kafka members share (else the group's
 * assignor), and every member, whatever its kind: client id and host,
 * subscription and assignment in Kafka's consumer-protocol bytes (an HTTP
 * or WebSocket member's made from its topics). A group the client may not
 * DESCRIBE is GROUP_AUTHORIZATION_FAILED. Authorized operations (v3+) are
 * not computed (Kafka's "not asked" value).
 */
import { describeGroup, groupCodeOf } from "../backend/group-api";
import { KafkaCode } from "../errors";
import { apis } from "../codec/generated";
import { each, serve } from "./api";

export const describeGroups = serve(apis.DescribeGroups, {
  async handle(req, _version, ctx) {
    return {
      groups: await each(req.groups, async (groupId) => {
        try {
          const g = await describeGroup(ctx.api, groupId);
          const members = g.members.map((m) => ({ memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost, memberMetadata: m.metadata, memberAssignment: m.assignment }));
          return { errorCode: KafkaCode.NONE, groupId, groupState: g.state, protocolType: g.protocolType, protocolData: g.protocol, members };
        } catch (e) {
          return { errorCode: groupCodeOf(e), groupId };
        }
      }),
    };
  },

  failed(req, code) {
    return { groups: req.groups.map((groupId) => ({ errorCode: code, groupId })) };
  },
});

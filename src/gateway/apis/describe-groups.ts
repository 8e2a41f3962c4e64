/**
 * DescribeGroups (key 15), every version from Kafka 0.9's v0 to v6: each
 * group in Kafka's terms — state (Stable, PreparingRebalance,
 * CompletingRebalance, Empty; Dead for a group never used), protocol type
 * "consumer", the protocol its Kafka members share (else the group's
 * assignor), and every member, whatever its kind: client id and host,
 * subscription and assignment in Kafka's consumer-protocol bytes (an HTTP
 * or WebSocket member's made from its topics). A group the client may not
 * DESCRIBE is GROUP_AUTHORIZATION_FAILED. A KIP-848 group is not a
 * classic group: Dead, and from v6 GROUP_ID_NOT_FOUND, as Kafka answers
 * (ConsumerGroupDescribe describes it). Authorized operations (v3+) are
 * not computed (Kafka's "not asked" value).
 */
import { describeGroup, groupCodeOf } from "../backend/group-api";
import { KafkaCode } from "../errors";
import { apis } from "../codec/generated";
import { each, serve } from "./api";
import { messageOf } from "./consumer-group-heartbeat";

/** The first version whose answer carries an error message (KIP-1043): a group not found is an error there. */
const ERROR_MESSAGE_VERSION = 6;

export const describeGroups = serve(apis.DescribeGroups, {
  async handle(req, version, ctx) {
    return {
      groups: await each(req.groups, async (groupId) => {
        try {
          const g = await describeGroup(ctx.api, groupId);
          const members = g.members.map((m) => ({ memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost, memberMetadata: m.metadata, memberAssignment: m.assignment }));
          return { errorCode: KafkaCode.NONE, groupId, groupState: g.state, protocolType: g.protocolType, protocolData: g.protocol, members };
        } catch (e) {
          const code = groupCodeOf(e);
          if (code !== KafkaCode.GROUP_ID_NOT_FOUND) return { errorCode: code, groupId };
          // A KIP-848 group is no classic group: Dead, and from v6 GROUP_ID_NOT_FOUND with Kafka's message.
          return version >= ERROR_MESSAGE_VERSION ? { errorCode: code, errorMessage: messageOf(e), groupId, groupState: "Dead" } : { errorCode: KafkaCode.NONE, groupId, groupState: "Dead" };
        }
      }),
    };
  },

  failed(req, code) {
    return { groups: req.groups.map((groupId) => ({ errorCode: code, groupId })) };
  },
});

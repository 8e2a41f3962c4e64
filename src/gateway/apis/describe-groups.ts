/**
 * DescribeGroups (key 15), v0–2: each group in Kafka's terms — state
 * (Stable, PreparingRebalance, CompletingRebalance, Empty; Dead for a
 * group never used), protocol type "consumer", the protocol its Kafka
 * members share (else the group's assignor), and every member, whatever
 * its kind: client id and host, subscription and assignment in Kafka's
 * consumer-protocol bytes (an HTTP or WebSocket member's made from its
 * topics). A group the client may not DESCRIBE is GROUP_AUTHORIZATION_FAILED.
 */
import { describeGroup, groupCodeOf, type GroupMember } from "../backend/group-api";
import type { Reader } from "../codec/reader";
import type { Writer } from "../codec/writer";
import { KafkaCode } from "../errors";
import { each, type KafkaApi } from "./api";

export interface DescribedGroup {
  errorCode: number;
  groupId: string;
  state: string;
  protocolType: string;
  protocol: string;
  members: GroupMember[];
}

export interface DescribeGroupsResponse {
  groups: DescribedGroup[];
}

export const describeGroups: KafkaApi<{ groups: string[] }, DescribeGroupsResponse> = {
  key: 15,
  name: "DescribeGroups",
  minVersion: 0,
  maxVersion: 2,

  decode(r: Reader): { groups: string[] } {
    return { groups: r.array((r) => r.string()) };
  },

  async handle(req, _version, ctx) {
    return {
      groups: await each(req.groups, async (groupId) => {
        try {
          return { errorCode: KafkaCode.NONE, groupId, ...(await describeGroup(ctx.api, groupId)) };
        } catch (e) {
          return refused(groupId, groupCodeOf(e));
        }
      }),
    };
  },

  encode(w: Writer, res: DescribeGroupsResponse, version: number): void {
    if (version >= 1) w.int32(0); // throttle_time_ms
    w.array(res.groups, (w, g) => {
      w.int16(g.errorCode).string(g.groupId).string(g.state).string(g.protocolType).string(g.protocol);
      w.array(g.members, (w, m) => w.string(m.memberId).string(m.clientId).string(m.clientHost).bytes(m.metadata).bytes(m.assignment));
    });
  },

  failed(req, code) {
    return { groups: req.groups.map((g) => refused(g, code)) };
  },
};

function refused(groupId: string, errorCode: number): DescribedGroup {
  return { errorCode, groupId, state: "", protocolType: "", protocol: "", members: [] };
}

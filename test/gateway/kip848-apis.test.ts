// The KIP-848 APIs of the front door over a fake Worker: what
// ConsumerGroupHeartbeat sends (topic ids as Runnel names them) and
// answers (Kafka's topic ids, error codes with Kafka's message),
// ConsumerGroupDescribe, and how DescribeGroups and ListGroups answer for
// such groups as Kafka does.
import { describe, expect, it } from "vitest";
import type { Context } from "../../src/gateway/apis/api";
import { consumerGroupDescribe } from "../../src/gateway/apis/consumer-group-describe";
import { consumerGroupHeartbeat } from "../../src/gateway/apis/consumer-group-heartbeat";
import { describeGroups } from "../../src/gateway/apis/describe-groups";
import { listGroups } from "../../src/gateway/apis/list-groups";
import { backendErrorOf, kafkaTopicId, type RunnelApi } from "../../src/gateway/backend/runnel-api";
import { KafkaCode } from "../../src/gateway/errors";
import { requestOf } from "./kafkajs";

const RUNNEL_ID = "0f9e8d7c-6b5a-4938-8271-605f4e3d2c1b";
const KAFKA_ID = kafkaTopicId(RUNNEL_ID);

/** A context whose Worker answers every group call with `answer`, and lists `groups`. */
function worker(answer: (action: string, body: any) => unknown, groups: unknown[] = []): { ctx: Context; sent: { action: string; body: any }[] } {
  const sent: { action: string; body: any }[] = [];
  const api = {
    groupCall: async (_method: string, _group: string, action: string, body: unknown) => {
      sent.push({ action, body });
      return answer(action, body);
    },
    listGroups: async () => groups,
  } as unknown as RunnelApi;
  return { ctx: { api, clientId: "plt", clientHost: "/10.0.0.1" } as unknown as Context, sent };
}

const refusal = (errorCode: number, errorName: string, message: string) => () => {
  throw backendErrorOf({ status: Math.floor(errorCode / 100), headers: {}, body: Buffer.from(JSON.stringify({ error_code: errorCode, message, error_name: errorName })) });
};

describe("ConsumerGroupHeartbeat", () => {
  it("sends owned partitions by Runnel's topic id and answers the assignment by Kafka's", async () => {
    const { ctx, sent } = worker(() => ({ member_id: "m", member_epoch: 4, heartbeat_interval_ms: 5000, assignment: [{ topic_id: RUNNEL_ID, topic: "t", partitions: [0, 2] }] }));
    const req = requestOf(consumerGroupHeartbeat, 1, { groupId: "g", memberId: "m", memberEpoch: 3, rebalanceTimeoutMs: -1, topicPartitions: [{ topicId: KAFKA_ID, partitions: [0] }] });
    const res = await consumerGroupHeartbeat.handle(req, 1, ctx);
    expect(sent).toEqual([
      {
        action: "consumer-heartbeat",
        body: expect.objectContaining({ version: 1, member_id: "m", member_epoch: 3, owned_partitions: [{ topic_id: RUNNEL_ID, partitions: [0] }], client_id: "plt", client_host: "/10.0.0.1" }),
      },
    ]);
    expect(res).toEqual({ errorCode: 0, memberId: "m", memberEpoch: 4, heartbeatIntervalMs: 5000, assignment: { topicPartitions: [{ topicId: KAFKA_ID, partitions: [0, 2] }] } });
  });

  it("answers a refusal with its Kafka code and message, and an empty group id as Kafka does without asking", async () => {
    const fenced = worker(refusal(40904, "FENCED_MEMBER_EPOCH", "FENCED_MEMBER_EPOCH: the member has a greater member epoch (9) than the one known by the group coordinator (4)"));
    const res = await consumerGroupHeartbeat.handle(requestOf(consumerGroupHeartbeat, 1, { groupId: "g", memberId: "m", memberEpoch: 9 }), 1, fenced.ctx);
    expect(res).toMatchObject({ errorCode: KafkaCode.FENCED_MEMBER_EPOCH, errorMessage: expect.stringMatching(/^the member has a greater member epoch/) });
    for (const [name, code] of [["UNSUPPORTED_ASSIGNOR", 112], ["INVALID_REGULAR_EXPRESSION", 128], ["UNRELEASED_INSTANCE_ID", 111], ["STALE_MEMBER_EPOCH", 113], ["GROUP_ID_NOT_FOUND", 69]] as const) {
      const { ctx } = worker(refusal(400, name, `${name}: why`));
      expect((await consumerGroupHeartbeat.handle(requestOf(consumerGroupHeartbeat, 1, { groupId: "g", memberId: "m" }), 1, ctx))!.errorCode, name).toBe(code);
    }
    const unasked = worker(() => {
      throw new Error("the Worker was asked");
    });
    const empty = await consumerGroupHeartbeat.handle(requestOf(consumerGroupHeartbeat, 1, { groupId: " ", memberId: "m" }), 1, unasked.ctx);
    expect(empty).toEqual({ errorCode: KafkaCode.INVALID_REQUEST, errorMessage: "GroupId can't be empty." });
  });
});

describe("ConsumerGroupDescribe", () => {
  it("describes each group, its members consumer-protocol members (v1), topics by Kafka's id and name", async () => {
    const member = {
      member_id: "m", instance_id: null, rack_id: null, member_epoch: 4, client_id: "plt", client_host: "/10.0.0.1", subscribed_topic_names: ["t"], subscribed_topic_regex: null,
      assignment: [{ topic_id: RUNNEL_ID, topic: "t", partitions: [1] }], target_assignment: [{ topic_id: RUNNEL_ID, topic: "t", partitions: [1, 2] }],
    };
    const { ctx } = worker(() => ({ state: "Reconciling", group_epoch: 5, assignment_epoch: 5, assignor_name: "uniform", members: [member] }));
    const res = await consumerGroupDescribe.handle(requestOf(consumerGroupDescribe, 1, { groupIds: ["g"] }), 1, ctx);
    expect(res!.groups![0]).toMatchObject({
      errorCode: 0, groupId: "g", groupState: "Reconciling", groupEpoch: 5, assignmentEpoch: 5, assignorName: "uniform",
      members: [{ memberId: "m", memberEpoch: 4, memberType: 1, assignment: { topicPartitions: [{ topicId: KAFKA_ID, topicName: "t", partitions: [1] }] }, targetAssignment: { topicPartitions: [{ topicId: KAFKA_ID, topicName: "t", partitions: [1, 2] }] } }],
    });
    const classic = worker(refusal(40405, "GROUP_ID_NOT_FOUND", "GROUP_ID_NOT_FOUND: group g is not a consumer group"));
    const refused = await consumerGroupDescribe.handle(requestOf(consumerGroupDescribe, 0, { groupIds: ["g"] }), 0, classic.ctx);
    expect(refused!.groups![0]).toMatchObject({ errorCode: KafkaCode.GROUP_ID_NOT_FOUND, errorMessage: "group g is not a consumer group", groupId: "g" });
  });
});

describe("DescribeGroups and ListGroups of a KIP-848 group", () => {
  it("DescribeGroups: Dead, and from v6 GROUP_ID_NOT_FOUND with Kafka's message", async () => {
    const { ctx } = worker(refusal(40405, "GROUP_ID_NOT_FOUND", "GROUP_ID_NOT_FOUND: group g is not a classic group"));
    expect((await describeGroups.handle(requestOf(describeGroups, 5, { groups: ["g"] }), 5, ctx))!.groups![0]).toMatchObject({ errorCode: 0, groupState: "Dead" });
    expect((await describeGroups.handle(requestOf(describeGroups, 6, { groups: ["g"] }), 6, ctx))!.groups![0]).toMatchObject({
      errorCode: KafkaCode.GROUP_ID_NOT_FOUND, groupState: "Dead", errorMessage: "group g is not a classic group",
    });
  });

  it("ListGroups: each group's state and type in Kafka's words, filtered by states and types without regard to case", async () => {
    const groups = [{ groupId: "c", type: "CONSUMER", state: "RECONCILING" }, { groupId: "k", type: "CLASSIC", state: "PREPARING_REBALANCE" }, { groupId: "e", type: "CLASSIC", state: "EMPTY" }];
    const { ctx } = worker(() => null, groups);
    const all = await listGroups.handle(requestOf(listGroups, 5, {}), 5, ctx);
    expect(all!.groups).toEqual([
      { groupId: "c", protocolType: "consumer", groupState: "Reconciling", groupType: "consumer" },
      { groupId: "k", protocolType: "consumer", groupState: "PreparingRebalance", groupType: "classic" },
      { groupId: "e", protocolType: "consumer", groupState: "Empty", groupType: "classic" },
    ]);
    const consumers = await listGroups.handle(requestOf(listGroups, 5, { typesFilter: ["Consumer"] }), 5, ctx);
    expect(consumers!.groups!.map((g) => g.groupId)).toEqual(["c"]);
    const empty = await listGroups.handle(requestOf(listGroups, 4, { statesFilter: ["EMPTY", "reconciling"] }), 4, ctx);
    expect(empty!.groups!.map((g) => g.groupId)).toEqual(["c", "e"]);
    expect((await listGroups.handle(requestOf(listGroups, 5, { typesFilter: ["share"] }), 5, ctx))!.groups).toEqual([]);
  });
});

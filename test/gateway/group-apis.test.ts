// The consumer-group APIs, every served version both ways: kafkajs's
// encoders make the requests a real client sends and our decoders must
// read them; our encoders write the responses and kafkajs's decoders must
// read them. Versions kafkajs does not speak (OffsetCommit 6–7, OffsetFetch
// 5) get hand-written byte vectors. Then the handlers' mapping of the
// Worker's answers onto Kafka's error codes, with a fake Worker.
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import type { Context } from "../../src/gateway/apis/api";
import { describeGroups } from "../../src/gateway/apis/describe-groups";
import { findCoordinator } from "../../src/gateway/apis/find-coordinator";
import { heartbeatApi } from "../../src/gateway/apis/heartbeat";
import { joinGroupApi } from "../../src/gateway/apis/join-group";
import { leaveGroupApi } from "../../src/gateway/apis/leave-group";
import { listGroups } from "../../src/gateway/apis/list-groups";
import { offsetCommit } from "../../src/gateway/apis/offset-commit";
import { offsetFetch } from "../../src/gateway/apis/offset-fetch";
import { syncGroupApi } from "../../src/gateway/apis/sync-group";
import { BackendError, backendErrorOf, type RunnelApi } from "../../src/gateway/backend/runnel-api";
import { KafkaCode } from "../../src/gateway/errors";
import { decodeSubscription, encodeAssignment, encodeSubscription } from "../../src/group/kafka/kafka-consumer-protocol";
import { hex, kafkajsReads, kafkajsRequest, ourDecode, ourEncode, requestOf, toHex } from "./kafkajs";

const require = createRequire(import.meta.url);
const { MemberMetadata, MemberAssignment } = require("kafkajs/src/consumer/assignerProtocol.js");
const range = (min: number, max: number) => Array.from({ length: max - min + 1 }, (_, i) => min + i);
const self = { nodeId: 3, host: "127.0.0.1", port: 9092 };
/** A request frame from hex (header and body), its size prefix added. */
const framed = (h: string) => {
  const b = hex(h);
  const out = Buffer.alloc(4 + b.length);
  out.writeUInt32BE(b.length, 0);
  out.set(b, 4);
  return out;
};

describe("FindCoordinator", () => {
  it.each(range(0, 2))("v%i: reads kafkajs's request, and kafkajs reads the front door named as coordinator", async (v) => {
    const { req } = ourDecode(findCoordinator, await kafkajsRequest("findCoordinator", v, { groupId: "orders-g" }));
    expect(req).toMatchObject({ key: "orders-g", keyType: 0 });
    const res = await findCoordinator.handle(req, v, { self } as Context);
    const d = await kafkajsReads(findCoordinator, "findCoordinator", v, res!);
    expect(d).toMatchObject({ errorCode: 0, coordinator: { nodeId: 3, host: "127.0.0.1", port: 9092 } });
  });

  it("v0 byte vector, and a transaction coordinator refused as final", async () => {
    expect(toHex(ourEncode(findCoordinator, { errorCode: 0, errorMessage: null, ...self }, 0))).toBe("0000" + "00000003" + "00093132372e302e302e31" + "00002384");
    const refused = await findCoordinator.handle(requestOf(findCoordinator, 1, { key: "tx", keyType: 1 }), 1, { self } as Context);
    expect(refused).toMatchObject({ errorCode: KafkaCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, nodeId: -1 });
    expect(toHex(ourEncode(findCoordinator, refused!, 1)).startsWith("00000000" + "0035")).toBe(true);
  });
});

describe("JoinGroup", () => {
  const metadata = MemberMetadata.encode({ version: 1, topics: ["a", "b"] });
  it.each(range(0, 5))("v%i: reads kafkajs's request, and kafkajs reads a follower's answer", async (v) => {
    const args = { groupId: "g", sessionTimeout: 30000, rebalanceTimeout: 60000, memberId: "", protocolType: "consumer", groupProtocols: [{ name: "RoundRobinAssigner", metadata }] };
    const { req } = ourDecode(joinGroupApi, await kafkajsRequest("joinGroup", v, args));
    expect(req).toMatchObject({ groupId: "g", sessionTimeoutMs: 30000, rebalanceTimeoutMs: v >= 1 ? 60000 : -1, memberId: "", groupInstanceId: null, protocolType: "consumer" });
    expect(req.protocols.map((p) => [p.name, Buffer.from(p.metadata)])).toEqual([["RoundRobinAssigner", metadata]]);
    const res = { errorCode: 0, generationId: 7, protocolName: "RoundRobinAssigner", leader: "runnel-coordinator", memberId: "kj-1" };
    const d = await kafkajsReads(joinGroupApi, "joinGroup", v, res);
    expect(d).toMatchObject({ errorCode: 0, generationId: 7, groupProtocol: "RoundRobinAssigner", leaderId: "runnel-coordinator", memberId: "kj-1", members: [] });
  });

  it("v5 byte vector: a group instance id is read (and not used)", () => {
    const frame = framed("000b 0005 00000001 ffff  0001 67 00007530 0000ea60 0000 0002 6964 0008 636f6e73756d6572 00000001 0005 72616e6765 00000002 0000");
    expect(ourDecode(joinGroupApi, frame).req).toMatchObject({ groupId: "g", memberId: "", groupInstanceId: "id", protocolType: "consumer" });
    const out = toHex(ourEncode(joinGroupApi, { errorCode: 27, generationId: -1, protocolName: "", leader: "", memberId: "m" }, 5));
    expect(out).toBe("00000000" + "001b" + "ffffffff" + "0000" + "0000" + "00016d" + "00000000");
  });
});

describe("SyncGroup", () => {
  it.each(range(0, 3))("v%i: reads kafkajs's follower request, and kafkajs reads the assignment", async (v) => {
    const args = { groupId: "g", generationId: 4, memberId: "m", groupAssignment: [] };
    expect(ourDecode(syncGroupApi, await kafkajsRequest("syncGroup", v, args)).req).toMatchObject({ groupId: "g", generationId: 4, memberId: "m", assignments: [] });
    const assignment = MemberAssignment.encode({ version: 0, assignment: { t: [0, 2] } });
    const d = await kafkajsReads(syncGroupApi, "syncGroup", v, { errorCode: 0, assignment });
    expect(d.errorCode).toBe(0);
    expect(MemberAssignment.decode(d.memberAssignment).assignment).toEqual({ t: [0, 2] });
  });

  it("reads a leader's assignments too, ignoring them", async () => {
    const args = { groupId: "g", generationId: 4, memberId: "m", groupAssignment: [{ memberId: "x", memberAssignment: Buffer.from([1, 2]) }] };
    expect(ourDecode(syncGroupApi, await kafkajsRequest("syncGroup", 3, args)).req).toMatchObject({ groupId: "g", generationId: 4, memberId: "m", assignments: [{ memberId: "x" }] });
  });
});

describe("Heartbeat", () => {
  it.each(range(0, 3))("v%i: reads kafkajs's request, and kafkajs reads the answer", async (v) => {
    const { req } = ourDecode(heartbeatApi, await kafkajsRequest("heartbeat", v, { groupId: "g", groupGenerationId: 9, memberId: "m" }));
    expect(req).toMatchObject({ groupId: "g", generationId: 9, memberId: "m" });
    expect((await kafkajsReads(heartbeatApi, "heartbeat", v, { errorCode: 27 })).errorCode).toBe(27);
  });
});

describe("LeaveGroup", () => {
  it.each(range(0, 3))("v%i: reads kafkajs's request, and kafkajs reads the answer", async (v) => {
    const { req } = ourDecode(leaveGroupApi, await kafkajsRequest("leaveGroup", v, { groupId: "g", memberId: "m" }));
    if (v < 3) expect(req).toMatchObject({ groupId: "g", memberId: "m" });
    else expect(req).toMatchObject({ groupId: "g", members: [{ memberId: "m", groupInstanceId: null }] });
    const d = await kafkajsReads(leaveGroupApi, "leaveGroup", v, { errorCode: 0, members: [{ memberId: "m", groupInstanceId: null, errorCode: 25 }] });
    expect(d.errorCode).toBe(0);
    if (v >= 3) expect(d.members).toEqual([{ memberId: "m", groupInstanceId: null, errorCode: 25 }]);
  });
});

describe("OffsetCommit", () => {
  it.each(range(1, 5))("v%i: reads kafkajs's request, and kafkajs reads the answer", async (v) => {
    const topics = [{ topic: "t", partitions: [{ partition: 0, offset: "42", metadata: "meta" }, { partition: 1, offset: "7" }] }];
    const { req } = ourDecode(offsetCommit, await kafkajsRequest("offsetCommit", v, { groupId: "g", groupGenerationId: 3, memberId: "m", topics }));
    expect(req).toMatchObject({
      groupId: "g",
      generationIdOrMemberEpoch: 3,
      memberId: "m",
      topics: [{ name: "t", partitions: [{ partitionIndex: 0, committedOffset: 42, committedMetadata: "meta" }, { partitionIndex: 1, committedOffset: 7, committedMetadata: null }] }],
    });
    const d = await kafkajsReads(offsetCommit, "offsetCommit", v, { topics: [{ name: "t", partitions: [{ partitionIndex: 0, errorCode: 0 }, { partitionIndex: 1, errorCode: 22 }] }] });
    expect(d.responses).toEqual([{ topic: "t", partitions: [{ partition: 0, errorCode: 0 }, { partition: 1, errorCode: 22 }] }]);
  });

  it("v6 and v7 byte vectors (librdkafka 2.0.2 sends 7): leader epochs and a group instance id are read", () => {
    const partition = "00000002" + "0000000000000064" + "00000005" + "0002" + "6d64";
    const body = (v: number) => "0001 67" + "0000000c" + "0001 6d" + (v >= 7 ? "ffff" : "") + "00000001" + "0001 74" + "00000001" + partition;
    for (const v of [6, 7]) {
      const frame = framed(`0008 000${v} 00000005 0007 72646b61666b61 ${body(v)}`);
      expect(ourDecode(offsetCommit, frame).req).toMatchObject({
        groupId: "g",
        generationIdOrMemberEpoch: 12,
        memberId: "m",
        topics: [{ name: "t", partitions: [{ partitionIndex: 2, committedOffset: 100, committedLeaderEpoch: 5, committedMetadata: "md" }] }],
      });
      expect(toHex(ourEncode(offsetCommit, { topics: [{ name: "t", partitions: [{ partitionIndex: 2, errorCode: 27 }] }] }, v))).toBe("00000000" + "00000001" + "000174" + "00000001" + "00000002" + "001b");
    }
  });
});

describe("OffsetFetch", () => {
  it.each(range(1, 4))("v%i: reads kafkajs's request, and kafkajs reads the answer", async (v) => {
    const { req } = ourDecode(offsetFetch, await kafkajsRequest("offsetFetch", v, { groupId: "g", topics: [{ topic: "t", partitions: [{ partition: 0 }, { partition: 1 }] }] }));
    expect(req).toMatchObject({ groupId: "g", topics: [{ name: "t", partitionIndexes: [0, 1] }] });
    const partitions = [{ partitionIndex: 0, committedOffset: 42, metadata: "m", errorCode: 0 }, { partitionIndex: 1, committedOffset: -1, metadata: "", errorCode: 0 }];
    const res = { errorCode: 0, topics: [{ name: "t", partitions }] };
    const d = await kafkajsReads(offsetFetch, "offsetFetch", v, res);
    expect(d.responses).toEqual([{ topic: "t", partitions: [{ partition: 0, offset: "42", metadata: "m", errorCode: 0 }, { partition: 1, offset: "-1", metadata: "", errorCode: 0 }] }]);
    if (v >= 2) expect(d.errorCode).toBe(0);
  });

  it("v2+ reads a null topic list as every committed partition; v5 byte vectors (leader epoch -1)", () => {
    expect(ourDecode(offsetFetch, framed("0009 0003 00000001 ffff 0001 67 ffffffff")).req).toMatchObject({ groupId: "g", topics: null });
    expect(ourDecode(offsetFetch, framed("0009 0005 00000001 ffff 0001 67 00000001 000174 00000001 00000000")).req).toMatchObject({ groupId: "g", topics: [{ name: "t", partitionIndexes: [0] }] });
    const res = { errorCode: 0, topics: [{ name: "t", partitions: [{ partitionIndex: 0, committedOffset: 5, metadata: "", errorCode: 0 }] }] };
    expect(toHex(ourEncode(offsetFetch, res, 5))).toBe("00000000" + "00000001" + "000174" + "00000001" + "00000000" + "0000000000000005" + "ffffffff" + "0000" + "0000" + "0000");
  });
});

describe("DescribeGroups", () => {
  it.each(range(0, 2))("v%i: reads kafkajs's request, and kafkajs reads every member", async (v) => {
    expect(ourDecode(describeGroups, await kafkajsRequest("describeGroups", v, { groupIds: ["a", "b"] })).req).toMatchObject({ groups: ["a", "b"] });
    const metadata = MemberMetadata.encode({ version: 0, topics: ["t"] });
    const assignment = MemberAssignment.encode({ version: 0, assignment: { t: [1] } });
    const members = [{ memberId: "m", clientId: "c", clientHost: "/127.0.0.1", memberMetadata: metadata, memberAssignment: assignment }];
    const res = { groups: [{ errorCode: 0, groupId: "a", groupState: "Stable", protocolType: "consumer", protocolData: "range", members }, { errorCode: 30, groupId: "b" }] };
    const d = await kafkajsReads(describeGroups, "describeGroups", v, res);
    expect(d.groups[0]).toMatchObject({ errorCode: 0, groupId: "a", state: "Stable", protocolType: "consumer", protocol: "range" });
    expect(d.groups[0].members[0]).toMatchObject({ memberId: "m", clientId: "c", clientHost: "/127.0.0.1" });
    expect(MemberMetadata.decode(d.groups[0].members[0].memberMetadata).topics).toEqual(["t"]);
    expect(MemberAssignment.decode(d.groups[0].members[0].memberAssignment).assignment).toEqual({ t: [1] });
    expect(d.groups[1]).toMatchObject({ errorCode: 30, groupId: "b" });
  });
});

describe("ListGroups", () => {
  it.each(range(0, 2))("v%i: reads kafkajs's request, and kafkajs reads the answer", async (v) => {
    expect(ourDecode(listGroups, await kafkajsRequest("listGroups", v, {})).req).toMatchObject({ statesFilter: [], typesFilter: [] });
    const d = await kafkajsReads(listGroups, "listGroups", v, { errorCode: 0, groups: [{ groupId: "g", protocolType: "consumer" }] });
    expect(d).toMatchObject({ errorCode: 0, groups: [{ groupId: "g", protocolType: "consumer" }] });
  });
});

describe("the consumer protocol's bytes (what the coordinator reads from JoinGroup and writes for SyncGroup)", () => {
  it("reads kafkajs's subscription (version 1 without owned partitions) and librdkafka's v1 with them", () => {
    expect(decodeSubscription(MemberMetadata.encode({ version: 1, topics: ["a", "b"], userData: Buffer.from("ud") }))).toEqual({ version: 1, topics: ["a", "b"], ownedPartitions: [] });
    // v1: topics "t", null user data, owned t: [0, 2]
    const v1 = hex("0001 00000001 000174 ffffffff 00000001 000174 00000002 00000000 00000002");
    expect(decodeSubscription(v1)).toEqual({ version: 1, topics: ["t"], ownedPartitions: [{ topic: "t", partition: 0 }, { topic: "t", partition: 2 }] });
    for (const bad of ["", "00", "ffff 00000000", "0000 00000005 0001", "0000 00000001 0002 ffff"]) expect(decodeSubscription(hex(bad)), bad).toBeNull();
  });

  it("writes assignments and subscriptions kafkajs reads", () => {
    const bytes = encodeAssignment([{ topic: "t", partition: 1 }, { topic: "u", partition: 0 }, { topic: "t", partition: 3 }]);
    expect(MemberAssignment.decode(Buffer.from(bytes))).toEqual({ version: 0, assignment: { t: [1, 3], u: [0] }, userData: null });
    expect(toHex(encodeAssignment([]))).toBe("0000" + "00000000" + "ffffffff");
    expect(MemberMetadata.decode(Buffer.from(encodeSubscription(["x", "y"])))).toEqual({ version: 0, topics: ["x", "y"], userData: null });
  });
});

/** A context whose Worker answers every group call with `answer` (a value, or a thrown error). */
function workerAnswering(answer: (action: string, body: any) => unknown): Context {
  const api = {
    groupCall: async (_method: string, _group: string, action: string, body: unknown) => answer(action, body),
    listGroups: async () => answer("list", undefined),
  } as unknown as RunnelApi;
  return { api, clientId: "c", clientHost: "/10.0.0.1", self } as unknown as Context;
}

/** A Worker refusal: the error body as the Worker writes it, through the front door's own parsing. */
const refusal = (errorCode: number, errorName: string | null, message: string) => () => {
  const body = { error_code: errorCode, message, ...(errorName === null ? {} : { error_name: errorName }) };
  throw backendErrorOf({ status: errorCode < 1000 ? errorCode : Math.floor(errorCode / 100), headers: {}, body: Buffer.from(JSON.stringify(body)) });
};

describe("the group APIs' answers from the Worker's", () => {
  it("turn the Kafka name a refusal carries into its code", async () => {
    const cases: [number, string | null, string, number][] = [
      [40903, "REBALANCE_IN_PROGRESS", "REBALANCE_IN_PROGRESS: join the group again", KafkaCode.REBALANCE_IN_PROGRESS],
      [40904, "ILLEGAL_GENERATION", "ILLEGAL_GENERATION: member 'm' was given generation 3, not 2", KafkaCode.ILLEGAL_GENERATION],
      [40403, "UNKNOWN_MEMBER_ID", "UNKNOWN_MEMBER_ID: 'm' is not a Kafka member", KafkaCode.UNKNOWN_MEMBER_ID],
      [40903, "INCONSISTENT_GROUP_PROTOCOL", "INCONSISTENT_GROUP_PROTOCOL: no protocol in common", KafkaCode.INCONSISTENT_GROUP_PROTOCOL],
      [42204, "INVALID_SESSION_TIMEOUT", "INVALID_SESSION_TIMEOUT: 10 ms", KafkaCode.INVALID_SESSION_TIMEOUT],
      [50003, "COORDINATOR_NOT_AVAILABLE", "COORDINATOR_NOT_AVAILABLE: the group's coordinator did not answer", KafkaCode.COORDINATOR_NOT_AVAILABLE],
      [50003, "REQUEST_TIMED_OUT", "REQUEST_TIMED_OUT: the controller did not answer; retry", KafkaCode.COORDINATOR_NOT_AVAILABLE],
      [0, null, "the Worker did not answer: ECONNREFUSED", KafkaCode.COORDINATOR_NOT_AVAILABLE],
      [40301, "GROUP_AUTHORIZATION_FAILED", "not authorized: User:bob may not READ GROUP 'g'", KafkaCode.GROUP_AUTHORIZATION_FAILED],
      [40301, "TOPIC_AUTHORIZATION_FAILED", "not authorized: User:bob may not READ TOPIC 't'", KafkaCode.TOPIC_AUTHORIZATION_FAILED],
    ];
    for (const [code, name, message, expected] of cases) {
      const ctx = workerAnswering(code === 0 ? () => { throw new BackendError(0, message, KafkaCode.REQUEST_TIMED_OUT); } : refusal(code, name, message));
      const join = await joinGroupApi.handle(requestOf(joinGroupApi, 5, { groupId: "g", sessionTimeoutMs: 1, rebalanceTimeoutMs: 1, memberId: "m", protocolType: "consumer" }), 5, ctx);
      const beat = await heartbeatApi.handle(requestOf(heartbeatApi, 3, { groupId: "g", generationId: 1, memberId: "m" }), 3, ctx);
      expect([join!.errorCode, beat!.errorCode], message).toEqual([expected, expected]);
      expect(join!.memberId).toBe("m");
    }
  });

  it("answer each partition of a commit or fetch, and each member of a leave, with its own code", async () => {
    const ctx = workerAnswering((action) => {
      if (action === "commit") return { partitions: [{ topic: "t", partition: 0, error: null }, { topic: "t", partition: 1, error: "OFFSET_METADATA_TOO_LARGE" }, { topic: "u", partition: 0, error: "TOPIC_AUTHORIZATION_FAILED" }] };
      if (action === "offsets") return { offsets: [{ topic: "t", partition: 0, offset: 9, metadata: "x", error: null }, { topic: "u", partition: 0, offset: -1, metadata: "", error: "TOPIC_AUTHORIZATION_FAILED" }] };
      return { members: [{ member_id: "a", error: null }, { member_id: "b", error: "UNKNOWN_MEMBER_ID" }] };
    });
    const partition = (partitionIndex: number) => ({ partitionIndex, committedOffset: 1, committedMetadata: null });
    const commitReq = requestOf(offsetCommit, 7, { groupId: "g", generationIdOrMemberEpoch: 1, memberId: "m", topics: [{ name: "t", partitions: [partition(0), partition(1)] }, { name: "u", partitions: [partition(0)] }] });
    const committed = await offsetCommit.handle(commitReq, 7, ctx);
    expect(committed!.topics!.map((t) => t.partitions!.map((p) => p.errorCode))).toEqual([[0, 12], [29]]);
    const fetchReq = requestOf(offsetFetch, 5, { groupId: "g", topics: [{ name: "t", partitionIndexes: [0] }, { name: "u", partitionIndexes: [0] }] });
    const fetched = await offsetFetch.handle(fetchReq, 5, ctx);
    expect(fetched!.topics).toEqual([
      { name: "t", partitions: [{ partitionIndex: 0, committedOffset: 9, metadata: "x", errorCode: 0 }] },
      { name: "u", partitions: [{ partitionIndex: 0, committedOffset: -1, metadata: "", errorCode: 29 }] },
    ]);
    // v8+: several groups in one request, each answered on its own.
    const groupsReq = requestOf(offsetFetch, 8, { groups: [{ groupId: "g", topics: [{ name: "t", partitionIndexes: [0] }] }, { groupId: "", topics: null }] });
    const groups = await offsetFetch.handle(groupsReq, 8, ctx);
    expect(groups!.groups!.map((g) => [g.groupId, g.errorCode, g.topics!.length])).toEqual([["g", 0, 2], ["", KafkaCode.INVALID_GROUP_ID, 0]]);
    const members = [{ memberId: "a", groupInstanceId: null }, { memberId: "b", groupInstanceId: null }];
    const left = await leaveGroupApi.handle(requestOf(leaveGroupApi, 3, { groupId: "g", members }), 3, ctx);
    expect(left).toEqual({ errorCode: 0, members: [{ memberId: "a", groupInstanceId: null, errorCode: 0 }, { memberId: "b", groupInstanceId: null, errorCode: 25 }] });
    const oneReq = requestOf(leaveGroupApi, 1, { groupId: "g", memberId: "b" });
    const one = await leaveGroupApi.handle(oneReq, 1, workerAnswering(() => ({ members: [{ member_id: "b", error: "UNKNOWN_MEMBER_ID" }] })));
    expect(one!.errorCode).toBe(25);
  });

  it("describe a group the client may not DESCRIBE as GROUP_AUTHORIZATION_FAILED, and the others as the Worker does", async () => {
    const ctx = workerAnswering(() => ({ state: "Empty", protocol_type: "consumer", protocol: "", members: [] }));
    const denied = workerAnswering(refusal(40301, "GROUP_AUTHORIZATION_FAILED", "not authorized: User:bob may not DESCRIBE GROUP 'g'"));
    expect((await describeGroups.handle(requestOf(describeGroups, 2, { groups: ["g"] }), 2, ctx))!.groups![0]).toMatchObject({ errorCode: 0, groupState: "Empty", protocolType: "consumer" });
    expect((await describeGroups.handle(requestOf(describeGroups, 2, { groups: ["g", ""] }), 2, denied))!.groups!.map((g) => g.errorCode)).toEqual([30, KafkaCode.INVALID_GROUP_ID]);
    const joinNoGroup = await joinGroupApi.handle(requestOf(joinGroupApi, 5, { groupId: "", sessionTimeoutMs: 1, rebalanceTimeoutMs: 1, protocolType: "consumer" }), 5, ctx);
    expect(joinNoGroup!.errorCode).toBe(KafkaCode.INVALID_GROUP_ID);
  });

  it("of a group id of \"\" are INVALID_GROUP_ID in every group API, without asking the Worker", async () => {
    const ctx = workerAnswering(() => {
      throw new Error("the Worker was asked about group ''");
    });
    const v = 3;
    const sync = await syncGroupApi.handle(requestOf(syncGroupApi, v, { groupId: "", generationId: 1, memberId: "m" }), v, ctx);
    const beat = await heartbeatApi.handle(requestOf(heartbeatApi, v, { groupId: "", generationId: 1, memberId: "m" }), v, ctx);
    const left = await leaveGroupApi.handle(requestOf(leaveGroupApi, v, { groupId: "", members: [{ memberId: "m" }] }), v, ctx);
    const commitReq = requestOf(offsetCommit, v, { groupId: "", generationIdOrMemberEpoch: -1, topics: [{ name: "t", partitions: [{ partitionIndex: 0, committedOffset: 1 }] }] });
    const committed = await offsetCommit.handle(commitReq, v, ctx);
    const fetched = await offsetFetch.handle(requestOf(offsetFetch, v, { groupId: "", topics: [{ name: "t", partitionIndexes: [0] }] }), v, ctx);
    expect([sync!.errorCode, beat!.errorCode, left!.errorCode, committed!.topics![0]!.partitions![0]!.errorCode, fetched!.errorCode]).toEqual(
      Array(5).fill(KafkaCode.INVALID_GROUP_ID),
    );
  });
});

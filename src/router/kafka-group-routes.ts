/**
 * Kafka's group protocol over HTTP (ext): what the Kafka front door calls
 * for JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit,
 * OffsetFetch and DescribeGroups (KIP-848's calls: kip848-routes.ts), on the same coordinator objects as HTTP
 * instances and WebSocket subscribers. Byte fields are base64 of Kafka's
 * consumer-protocol bytes. Refusals are Runnel errors whose message starts
 * with Kafka's error name. The router checked the group (READ; DESCRIBE to
 * describe); topics are checked here as Kafka checks them: READ on each
 * topic committed, DESCRIBE on each topic fetched (the others answered
 * TOPIC_AUTHORIZATION_FAILED, and left out of an all-topics fetch).
 */
import { Hono, type Context } from "hono";
import * as v from "valibot";
import type { Env } from "../env";
import { ErrorCode, RunnelError, unwrap, type Failure } from "../errors";
import type { GroupCoordinator } from "../group/coordinator";
import type { KafkaCommittedOffset, KafkaPartitionResult } from "../group/kafka/kafka-types";
import { parseInput } from "../input";
import { limits } from "../limits";
import { audit, mayDo, principalIn } from "./access";
import { readJsonObject } from "./body";
import { isUnreachable, unreachableDetail, type Caller } from "../rpc/call";
import { callGroup } from "../rpc/objects";

export const kafkaGroupRoutes = new Hono<{ Bindings: Env }>();
export type C = Context<{ Bindings: Env }>;
export const K = "/v3/clusters/:c/consumer-groups/:g/kafka";

export const int = v.pipe(v.number(), v.integer());
export const name = v.pipe(v.string(), v.maxLength(limits.kafkaNameLengthMax));
const Member = v.strictObject({ member_id: name, generation_id: int });
const Join = v.strictObject({
  member_id: name,
  client_id: name,
  client_host: name,
  session_timeout_ms: int,
  rebalance_timeout_ms: v.pipe(int, v.minValue(0)),
  protocol_type: name,
  protocols: v.pipe(v.array(v.strictObject({ name, metadata: v.string() })), v.maxLength(limits.kafkaProtocolsMax)),
});
const Leave = v.strictObject({ member_ids: v.pipe(v.array(name), v.minLength(1), v.maxLength(limits.groupMembersMax)) });
const Commit = v.strictObject({
  member_id: name,
  generation_id: int,
  /** The OffsetCommit version (absent: not checked); a KIP-848 member must use v9+. */
  api_version: v.optional(v.pipe(int, v.minValue(0))),
  offsets: v.pipe(
    v.array(v.strictObject({ topic: v.string(), partition: v.pipe(int, v.minValue(0)), offset: int, metadata: v.nullable(v.string()) })),
    v.maxLength(limits.kafkaOffsetsPerRequestMax),
  ),
});
const Offsets = v.strictObject({
  topics: v.nullable(v.array(v.strictObject({ topic: v.string(), partitions: v.array(v.pipe(int, v.minValue(0))) }))),
  /** OffsetFetch v9: the KIP-848 member asking, and its epoch (absent, or null and -1: an admin tool). */
  member_id: v.optional(v.nullable(name)),
  member_epoch: v.optional(int),
});

/** The group in the path; INVALID_GROUP_ID when its id is too long for one. */
function group(c: C) {
  const g = c.req.param("g")!;
  if (g.length > limits.groupIdLengthMax) throw new RunnelError(ErrorCode.BAD_REQUEST, `INVALID_GROUP_ID: a group id is at most ${limits.groupIdLengthMax} characters`, undefined, "INVALID_GROUP_ID");
  return callGroup(c.env, g);
}

/**
 * A call to the path's group coordinator: its success; its failure thrown;
 * a coordinator that could not be reached a retriable
 * COORDINATOR_NOT_AVAILABLE (what Kafka clients look for a coordinator
 * again on). The group id is checked first, so a bad one stays the
 * client's INVALID_GROUP_ID.
 */
export async function asked<R extends { ok: true }>(c: C, call: (coordinator: Caller<GroupCoordinator>) => Promise<R | Failure>): Promise<R> {
  const result = await call(group(c));
  if (isUnreachable(result) && !result.ok) {
    const why = unreachableDetail(result);
    throw new RunnelError(ErrorCode.RETRIABLE, `COORDINATOR_NOT_AVAILABLE: the group's coordinator did not answer (${why}); retry`, undefined, "COORDINATOR_NOT_AVAILABLE");
  }
  return unwrap(result);
}

export const body = async (c: C) => readJsonObject(c.req.raw, limits.adminRequestBytesMax);

kafkaGroupRoutes.post(`${K}/join`, async (c) => {
  const b = parseInput(Join, await body(c));
  const metadataBytes = b.protocols.reduce((n, p) => n + Math.floor((p.metadata.length * 3) / 4), 0);
  if (metadataBytes > limits.kafkaMemberMetadataBytesMax) {
    throw new RunnelError(ErrorCode.BAD_REQUEST, `protocols carry ${metadataBytes} bytes of metadata; at most ${limits.kafkaMemberMetadataBytesMax} are accepted`);
  }
  const args = {
    memberId: b.member_id,
    clientId: b.client_id,
    clientHost: b.client_host,
    sessionTimeoutMs: b.session_timeout_ms,
    rebalanceTimeoutMs: b.rebalance_timeout_ms,
    protocolType: b.protocol_type,
    protocols: b.protocols,
    principal: principalIn(c),
  };
  const joined = await asked(c, async (g) => await g.kafkaJoin(c.req.param("g")!, args));
  return c.json({ generation_id: joined.generation, protocol_name: joined.protocol, leader_id: joined.leaderId, member_id: joined.memberId });
});

kafkaGroupRoutes.post(`${K}/sync`, async (c) => {
  const b = parseInput(Member, await body(c));
  const synced = await asked(c, async (g) => await g.kafkaSync(b.member_id, b.generation_id));
  return c.json({ protocol_name: synced.protocol, assignment: synced.assignment, partitions: synced.partitions });
});

kafkaGroupRoutes.post(`${K}/heartbeat`, async (c) => {
  const b = parseInput(Member, await body(c));
  await asked(c, async (g) => await g.kafkaHeartbeat(b.member_id, b.generation_id));
  return c.body(null, 204);
});

kafkaGroupRoutes.post(`${K}/leave`, async (c) => {
  const b = parseInput(Leave, await body(c));
  const left = await asked(c, async (g) => await g.kafkaLeave(b.member_ids));
  return c.json({ members: left.members.map((m) => ({ member_id: m.memberId, error: m.error })) });
});

kafkaGroupRoutes.post(`${K}/commit`, async (c) => {
  const b = parseInput(Commit, await body(c));
  const denied = await deniedTopics(c, b.offsets.map((o) => o.topic), "READ", "consumer.commit");
  const allowed = b.offsets.filter((o) => !denied.has(o.topic));
  const args = { memberId: b.member_id, generation: b.generation_id, offsets: allowed, ...(b.api_version === undefined ? {} : { apiVersion: b.api_version }) };
  const done = allowed.length === 0 && denied.size > 0 ? [] : (await asked(c, async (g) => await g.kafkaCommit(c.req.param("g")!, args))).partitions;
  const refused: KafkaPartitionResult[] = b.offsets.filter((o) => denied.has(o.topic)).map((o) => ({ topic: o.topic, partition: o.partition, error: "TOPIC_AUTHORIZATION_FAILED" }));
  return c.json({ partitions: [...done, ...refused] });
});

kafkaGroupRoutes.post(`${K}/offsets`, async (c) => {
  const b = parseInput(Offsets, await body(c));
  const count = (b.topics ?? []).reduce((n, t) => n + t.partitions.length, 0);
  if (count > limits.kafkaOffsetsPerRequestMax) throw new RunnelError(ErrorCode.BAD_REQUEST, `an offset fetch names at most ${limits.kafkaOffsetsPerRequestMax} partitions`);
  const denied = b.topics === null ? new Set<string>() : await deniedTopics(c, b.topics.map((t) => t.topic), "DESCRIBE", "consumer.committed");
  const asking = b.topics === null ? null : b.topics.filter((t) => !denied.has(t.topic));
  const member = { memberId: b.member_id ?? null, memberEpoch: b.member_epoch ?? -1 };
  const found = (await asked(c, async (g) => await g.kafkaCommitted(c.req.param("g")!, asking, member))).offsets;
  // Kafka leaves topics the principal may not DESCRIBE out of an all-topics fetch.
  const shown: KafkaCommittedOffset[] = [];
  for (const o of found) if (b.topics !== null || (await mayDo(c, "TOPIC", o.topic, "DESCRIBE"))) shown.push(o);
  for (const t of b.topics ?? []) {
    if (denied.has(t.topic)) for (const partition of t.partitions) shown.push({ topic: t.topic, partition, offset: -1, metadata: "", error: "TOPIC_AUTHORIZATION_FAILED" });
  }
  return c.json({ offsets: shown });
});

kafkaGroupRoutes.get(K, async (c) => {
  const d = await asked(c, async (g) => await g.kafkaDescribe(c.req.param("g")!));
  return c.json({
    group_id: c.req.param("g"),
    state: d.state,
    protocol_type: d.protocolType,
    protocol: d.protocol,
    members: d.members.map((m) => ({ member_id: m.memberId, client_id: m.clientId, client_host: m.clientHost, metadata: m.metadata, assignment: m.assignment })),
  });
});

/** The topics of `topics` the principal may not do `operation` on, each denial in the audit log as `action`. */
async function deniedTopics(c: C, topics: string[], operation: "READ" | "DESCRIBE", action: string): Promise<Set<string>> {
  const denied = new Set<string>();
  for (const topic of new Set(topics)) {
    if (await mayDo(c, "TOPIC", topic, operation)) continue;
    denied.add(topic);
    audit(c, { principal: principalIn(c), action, resource: `TOPIC:${topic}`, outcome: "denied", error_code: ErrorCode.NOT_AUTHORIZED });
  }
  return denied;
}

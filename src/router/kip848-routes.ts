/**
 * KIP-848's consumer group protocol over HTTP (ext): what the Kafka front
 * door calls for ConsumerGroupHeartbeat and ConsumerGroupDescribe, on the
 * group's coordinator. Topics are named by Runnel's topic ids (a UUID as
 * text) beside their names; refusals are Runnel errors whose message
 * starts with Kafka's error name. The router checked the group (READ to
 * heartbeat, DESCRIBE to describe); the coordinator checks READ on each
 * topic a member subscribes to by name, and takes into a regular
 * expression's topics only those the member may READ.
 */
import { Hono } from "hono";
import * as v from "valibot";
import type { Env } from "../env";
import type { NamedTopicPartitions } from "../group/kip848/kip848-types";
import { parseInput } from "../input";
import { limits } from "../limits";
import { principalIn } from "./access";
import { asked, body, int, K, name } from "./kafka-group-routes";

export const kip848Routes = new Hono<{ Bindings: Env }>();

const nullableName = v.nullable(name);
const Heartbeat = v.strictObject({
  version: v.pipe(int, v.minValue(0)),
  member_id: name,
  member_epoch: int,
  instance_id: nullableName,
  rack_id: nullableName,
  rebalance_timeout_ms: int,
  subscribed_topic_names: v.nullable(v.pipe(v.array(v.pipe(v.string(), v.maxLength(limits.topicNameLengthMax))), v.maxLength(limits.topicsCountMax))),
  subscribed_topic_regex: v.nullable(v.string()),
  server_assignor: nullableName,
  owned_partitions: v.nullable(v.array(v.strictObject({ topic_id: name, partitions: v.array(v.pipe(int, v.minValue(0))) }))),
  client_id: name,
  client_host: name,
});

const partitionsView = (list: NamedTopicPartitions[]) => list.map((t) => ({ topic_id: t.topicId, topic: t.topic, partitions: t.partitions }));

kip848Routes.post(`${K}/consumer-heartbeat`, async (c) => {
  const b = parseInput(Heartbeat, await body(c));
  const args = {
    version: b.version,
    memberId: b.member_id,
    memberEpoch: b.member_epoch,
    instanceId: b.instance_id,
    rackId: b.rack_id,
    rebalanceTimeoutMs: b.rebalance_timeout_ms,
    subscribedTopicNames: b.subscribed_topic_names,
    subscribedTopicRegex: b.subscribed_topic_regex,
    serverAssignor: b.server_assignor,
    ownedPartitions: b.owned_partitions?.map((t) => ({ topicId: t.topic_id, partitions: t.partitions })) ?? null,
    clientId: b.client_id,
    clientHost: b.client_host,
    principal: principalIn(c),
  };
  const hb = await asked(c, async (g) => await g.kafkaConsumerHeartbeat(c.req.param("g")!, args));
  return c.json({
    member_id: hb.memberId,
    member_epoch: hb.memberEpoch,
    heartbeat_interval_ms: hb.heartbeatIntervalMs,
    assignment: hb.assignment === null ? null : partitionsView(hb.assignment),
  });
});

kip848Routes.get(`${K}/consumer`, async (c) => {
  const d = await asked(c, async (g) => await g.kafkaConsumerDescribe(c.req.param("g")!));
  return c.json({
    group_id: c.req.param("g"),
    state: d.state,
    group_epoch: d.groupEpoch,
    assignment_epoch: d.assignmentEpoch,
    assignor_name: d.assignorName,
    members: d.members.map((m) => ({
      member_id: m.memberId,
      instance_id: m.instanceId,
      rack_id: m.rackId,
      member_epoch: m.memberEpoch,
      client_id: m.clientId,
      client_host: m.clientHost,
      subscribed_topic_names: m.subscribedTopicNames,
      subscribed_topic_regex: m.subscribedTopicRegex,
      assignment: partitionsView(m.assignment),
      target_assignment: partitionsView(m.targetAssignment),
    })),
  });
});

/** Topic admin (v3): list, create, describe, grow, delete, configs, partitions, offsets. */
import { Hono } from "hono";
import { brokersOf, replicaBrokers } from "../cluster/brokers";
import type { Env } from "../env";
import { ErrorCode, RunnelError, unwrap } from "../errors";
import { decodeBatch } from "../fetch/fetcher";
import { limits } from "../limits";
import { leaderOf } from "../metadata/leaders";
import { controllerStub, forgetTopic, topicMeta } from "../metadata/topic-cache";
import { replicaStub } from "../partition/replica-stub";
import type { TopicInfo } from "../topic/types";
import { parseConfigChanges } from "../topic/validate";
import { readJsonObject } from "./body";
import { intParam } from "./params";
import { baseUrl } from "./url";
import { configViews, list, topicView } from "./views";

export const topicRoutes = new Hono<{ Bindings: Env }>();
const T = "/v3/clusters/:c/topics";

topicRoutes.get(T, async (c) => {
  const topics = await controllerStub(c.env).listTopics();
  return c.json(list("Topic", `${baseUrl(c)}/v3/clusters/${c.env.CLUSTER_ID}/topics`, topics.map((t) => topicView(baseUrl(c), c.env.CLUSTER_ID, t))));
});

topicRoutes.post(T, async (c) => {
  const body = await readJsonObject(c.req.raw, limits.adminRequestBytesMax);
  const topic = unwrap(
    await controllerStub(c.env).createTopic({
      topicName: body.topic_name,
      partitionsCount: body.partitions_count ?? 1,
      replicationFactor: body.replication_factor ?? 1,
      configs: body.configs,
    }),
  );
  forgetTopic(topic.topicName);
  return c.json(topicView(baseUrl(c), c.env.CLUSTER_ID, topic), 201);
});

topicRoutes.get(`${T}/:t`, async (c) => {
  const topic = unwrap(await controllerStub(c.env).getTopic(c.req.param("t")));
  return c.json(topicView(baseUrl(c), c.env.CLUSTER_ID, topic));
});

topicRoutes.patch(`${T}/:t`, async (c) => {
  const body = await readJsonObject(c.req.raw, limits.adminRequestBytesMax);
  const topic = unwrap(await controllerStub(c.env).increasePartitions(c.req.param("t"), body.partitions_count));
  forgetTopic(topic.topicName);
  return c.json(topicView(baseUrl(c), c.env.CLUSTER_ID, topic));
});

topicRoutes.delete(`${T}/:t`, async (c) => {
  unwrap(await controllerStub(c.env).deleteTopic(c.req.param("t")));
  forgetTopic(c.req.param("t"));
  return c.body(null, 204);
});

topicRoutes.get(`${T}/:t/configs`, async (c) => {
  const topic = unwrap(await controllerStub(c.env).getTopic(c.req.param("t")));
  return c.json(list("TopicConfig", `${baseUrl(c)}${c.req.path}`, configViews(baseUrl(c), c.env.CLUSTER_ID, topic)));
});

topicRoutes.get(`${T}/:t/configs/:name`, async (c) => {
  const topic = unwrap(await controllerStub(c.env).getTopic(c.req.param("t")));
  const view = configViews(baseUrl(c), c.env.CLUSTER_ID, topic).find((v) => v.name === c.req.param("name"));
  if (view === undefined) throw new RunnelError(ErrorCode.NOT_FOUND, `topic config '${c.req.param("name")}' does not exist`);
  return c.json(view);
});

topicRoutes.post(`${T}/:t/:action{configs:alter}`, async (c) => {
  const body = await readJsonObject(c.req.raw, limits.adminRequestBytesMax);
  const changes = parseConfigChanges(body.data);
  if (typeof changes === "string") throw new RunnelError(ErrorCode.BAD_REQUEST, changes);
  unwrap(await controllerStub(c.env).alterConfigs(c.req.param("t"), changes));
  forgetTopic(c.req.param("t"));
  return c.body(null, 204);
});

topicRoutes.get(`${T}/:t/partitions`, async (c) => {
  const topic = await topicMeta(c.env, c.req.param("t"));
  const views = await Promise.all(Array.from({ length: topic.partitionsCount }, (_, p) => partitionView(c.env, baseUrl(c), topic, p)));
  return c.json(list("Partition", `${baseUrl(c)}${c.req.path}`, views));
});

topicRoutes.get(`${T}/:t/partitions/:p`, async (c) => {
  const topic = await topicMeta(c.env, c.req.param("t"));
  return c.json(await partitionView(c.env, baseUrl(c), topic, partitionIn(topic, c.req.param("p"))));
});

topicRoutes.get(`${T}/:t/partitions/:p/offsets`, async (c) => {
  const topic = await topicMeta(c.env, c.req.param("t"));
  const partition = partitionIn(topic, c.req.param("p"));
  const timestamp = c.req.query("timestamp");
  if (timestamp === undefined) {
    const d = unwrap(await leaderOf(c.env, topic, partition).stub.describe(topic.topicId));
    return c.json({ topic_name: topic.topicName, partition_id: partition, earliest_offset: d.logStartOffset, latest_offset: d.highWatermark });
  }
  return c.json(await offsetForTimestamp(c.env, topic, partition, intParam("timestamp", timestamp)));
});

/** The partition number in `raw`, or 40402 when the topic has no such partition. */
export function partitionIn(topic: TopicInfo, raw: string | undefined): number {
  const p = intParam("partition", raw);
  if (p >= topic.partitionsCount) {
    throw new RunnelError(ErrorCode.UNKNOWN_PARTITION, `topic '${topic.topicName}' has no partition ${p} (it has ${topic.partitionsCount})`);
  }
  return p;
}

/** The first offset whose record timestamp is at or after `timestampMs`; the high watermark when none is. */
async function offsetForTimestamp(env: Env, topic: TopicInfo, partition: number, timestampMs: number) {
  const found = unwrap(await leaderOf(env, topic, partition).stub.batchForTimestamp(topic.topicId, timestampMs));
  const records = found.batch === null ? [] : await decodeBatch(found.batch);
  const hit = records.find((r) => r.timestampMs >= timestampMs && r.offset < found.highWatermark);
  return {
    topic_name: topic.topicName,
    partition_id: partition,
    offset: hit?.offset ?? found.highWatermark,
    timestamp: hit?.timestampMs ?? null,
  };
}

async function partitionView(env: Env, base: string, topic: TopicInfo, partition: number) {
  const brokers = replicaBrokers(partition, topic.replicationFactor, brokersOf(env));
  const states = await Promise.all(brokers.map(async (b) => unwrap(await replicaStub(env, topic.topicId, partition, b).describe(topic.topicId))));
  const leader = states[0]!;
  const replicas = brokers.map((b, j) => ({
    broker_id: b.id,
    is_leader: j === 0,
    // Until replication lands a follower is in sync only while it holds everything the leader does.
    in_sync: states[j]!.logEndOffset === leader.logEndOffset,
    log_end_offset: states[j]!.logEndOffset,
  }));
  return {
    kind: "KafkaPartition",
    metadata: { self: `${base}/v3/clusters/${env.CLUSTER_ID}/topics/${topic.topicName}/partitions/${partition}` },
    cluster_id: env.CLUSTER_ID,
    topic_name: topic.topicName,
    partition_id: partition,
    leader: { broker_id: brokers[0]!.id },
    leader_epoch: leader.leaderEpoch,
    replicas,
    isr: replicas.filter((r) => r.in_sync).map((r) => ({ broker_id: r.broker_id })),
    log_start_offset: leader.logStartOffset,
    high_watermark: leader.highWatermark,
    log_end_offset: leader.logEndOffset,
  };
}

/** Topic admin (v3): list, create, describe, grow, delete, configs, partitions, offsets. */
import { Hono } from "hono";
import type { Env } from "../env";
import { reach } from "../cluster/reach";
import { controllerStub } from "../controller/controller-stub";
import { ErrorCode, RunnelError, unwrap } from "../errors";
import { offsetForTimestamp, positionsOf } from "../fetch/offsets";
import { limits } from "../limits";
import { forgetTopic, topicMeta } from "../metadata/topic-cache";
import { replicaOn } from "../partition/replica-stub";
import type { DescribeOk } from "../partition/types";
import type { TopicInfo, TopicMeta } from "../topic/types";
import { parseConfigChanges } from "../topic/validate";
import { readJsonObject } from "./body";
import { intParam } from "./params";
import { baseUrl } from "./url";
import { configViews, list, topicView } from "./views";

export const topicRoutes = new Hono<{ Bindings: Env }>();
const T = "/v3/clusters/:c/topics";

topicRoutes.get(T, async (c) => {
  const { topics } = unwrap(await controllerStub(c.env).listTopics());
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
    const d = await positionsOf(c.env, topic, partition);
    return c.json({ topic_name: topic.topicName, partition_id: partition, earliest_offset: d.logStartOffset, latest_offset: d.highWatermark });
  }
  const found = await offsetForTimestamp(c.env, topic, partition, intParam("timestamp", timestamp));
  return c.json({ topic_name: topic.topicName, partition_id: partition, offset: found.offset, timestamp: found.timestampMs });
});

/** The partition number in `raw`, or 40402 when the topic has no such partition. */
export function partitionIn(topic: TopicInfo, raw: string | undefined): number {
  const p = intParam("partition", raw);
  if (p >= topic.partitionsCount) {
    throw new RunnelError(ErrorCode.UNKNOWN_PARTITION, `topic '${topic.topicName}' has no partition ${p} (it has ${topic.partitionsCount})`);
  }
  return p;
}

async function partitionView(env: Env, base: string, topic: TopicMeta, partition: number) {
  const role = topic.partitions[partition]!;
  // Each replica's own view. One that cannot be reached, or answers with
  // a failure (its own boundary logs any bug), shows null offsets: the
  // view is about what each replica can say right now.
  const states = await Promise.all(
    role.replicas.map(async (b) => {
      const stub = replicaOn(env, topic.topicId, partition, b);
      const d = await reach<DescribeOk>({ who: `broker ${b}`, where: "partitionView", context: { topicId: topic.topicId, partition, broker: b } }, () =>
        stub.describe(topic.topicId),
      );
      return d.ok ? d : null;
    }),
  );
  const leader = states[role.replicas.indexOf(role.leader)] ?? null;
  return {
    kind: "KafkaPartition",
    metadata: { self: `${base}/v3/clusters/${env.CLUSTER_ID}/topics/${topic.topicName}/partitions/${partition}` },
    cluster_id: env.CLUSTER_ID,
    topic_name: topic.topicName,
    partition_id: partition,
    leader: role.leader < 0 ? null : { broker_id: role.leader },
    leader_epoch: role.leaderEpoch,
    replicas: role.replicas.map((b, j) => ({
      broker_id: b,
      is_leader: b === role.leader,
      in_sync: role.isr.includes(b),
      log_end_offset: states[j]?.logEndOffset ?? null,
    })),
    isr: role.isr.map((b) => ({ broker_id: b })),
    log_start_offset: leader?.logStartOffset ?? null,
    high_watermark: leader?.highWatermark ?? null,
    log_end_offset: leader?.logEndOffset ?? null,
  };
}

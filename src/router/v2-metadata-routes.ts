/**
 * The v2 metadata routes, shaped as Confluent's REST Proxy v2 answers them:
 * `GET /topics` (a bare array of names), `/topics/{t}` (name, configs,
 * partitions), `/topics/{t}/partitions`, `/topics/{t}/partitions/{p}`,
 * `/topics/{t}/partitions/{p}/offsets` and `GET /brokers`.
 */
import { Hono } from "hono";
import { brokersOf } from "../cluster/brokers";
import type { Env } from "../env";
import { unwrap } from "../errors";
import { positionsOf } from "../fetch/offsets";
import { topicMeta } from "../metadata/topic-cache";
import type { PartitionRole } from "../replication/types";
import { resolveConfigs } from "../topic/configs";
import type { TopicMeta } from "../topic/types";
import { describable } from "./access";
import { partitionIn } from "./topic-routes";
import { callController } from "../rpc/objects";

export const v2MetadataRoutes = new Hono<{ Bindings: Env }>();

/** A partition as v2 shows it: leader id (-1 without one) and each replica's role. */
function partitionV2(partition: number, role: PartitionRole) {
  return {
    partition,
    leader: role.leader,
    replicas: role.replicas.map((b) => ({ broker: b, leader: b === role.leader, in_sync: role.isr.includes(b) })),
  };
}

/** Every config of the topic with its effective value, as strings (v2's `configs` map). */
function configMap(topic: TopicMeta): Record<string, string> {
  const resolved = resolveConfigs(topic.configs) as unknown as Record<string, unknown>;
  return Object.fromEntries(Object.entries(resolved).map(([k, v]) => [k, String(v)]));
}

v2MetadataRoutes.get("/topics", async (c) => {
  const { topics } = unwrap(await callController(c.env).listTopics());
  return c.json(await describable(c, "TOPIC", topics.map((t) => t.topicName), (name) => name));
});

v2MetadataRoutes.get("/topics/:t", async (c) => {
  const topic = await topicMeta(c.env, c.req.param("t"));
  return c.json({ name: topic.topicName, configs: configMap(topic), partitions: topic.partitions.map((r, p) => partitionV2(p, r)) });
});

v2MetadataRoutes.get("/topics/:t/partitions", async (c) => {
  const topic = await topicMeta(c.env, c.req.param("t"));
  return c.json(topic.partitions.map((r, p) => partitionV2(p, r)));
});

v2MetadataRoutes.get("/topics/:t/partitions/:p", async (c) => {
  const topic = await topicMeta(c.env, c.req.param("t"));
  const p = partitionIn(topic, c.req.param("p"), true);
  return c.json(partitionV2(p, topic.partitions[p]!));
});

// Confluent's v2 summary: beginning = the log start offset (the first offset held), end = the high watermark (one past the last readable).
v2MetadataRoutes.get("/topics/:t/partitions/:p/offsets", async (c) => {
  const topic = await topicMeta(c.env, c.req.param("t"));
  const d = await positionsOf(c.env, topic, partitionIn(topic, c.req.param("p"), true));
  return c.json({ beginning_offset: d.logStartOffset, end_offset: d.highWatermark });
});

v2MetadataRoutes.get("/brokers", (c) => c.json({ brokers: brokersOf(c.env).map((b) => b.id) }));

/**
 * Kafka's DescribeLogDirs (ext; Confluent's proxy has none): every
 * partition's stored bytes on its leader, and how far the leader's log end
 * runs ahead of the high watermark — what Kafka's brokers show per log
 * dir. Asks DESCRIBE on the cluster, as Kafka does.
 */
import { Hono } from "hono";
import type { Env } from "../env";
import { unwrap } from "../errors";
import { topicMeta } from "../metadata/topic-cache";
import { callController, callReplica } from "../rpc/objects";
import type { TopicMeta } from "../topic/types";

export const logDirRoutes = new Hono<{ Bindings: Env }>();

/** One partition's size on its leader; null sizes where the partition has no leader or it did not answer. */
async function partitionSize(env: Env, topic: TopicMeta, partition: number) {
  const leader = topic.partitions[partition]?.leader ?? -1;
  const d = leader < 0 ? null : await callReplica(env, topic.topicId, partition, leader, { where: "logDirs" }).describe(topic.topicId);
  if (!d?.ok) return { topic_name: topic.topicName, partition_id: partition, size_bytes: null, offset_lag: null };
  return { topic_name: topic.topicName, partition_id: partition, size_bytes: d.sizeBytes, offset_lag: d.logEndOffset - d.highWatermark };
}

// `?topic_name=` (repeatable) limits the answer to those topics; a name no topic has is left out.
logDirRoutes.get("/v3/clusters/:c/log-dirs", async (c) => {
  const asked = c.req.queries("topic_name");
  const { topics } = unwrap(await callController(c.env).listTopics());
  const chosen = topics.filter((t) => asked === undefined || asked.includes(t.topicName));
  const metas = await Promise.all(chosen.map((t) => topicMeta(c.env, t.topicName)));
  const rows = await Promise.all(metas.flatMap((t) => Array.from({ length: t.partitionsCount }, (_, p) => partitionSize(c.env, t, p))));
  return c.json({ data: rows });
});

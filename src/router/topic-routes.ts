/** Topic admin (v3): list, create (or dry-run), describe, grow, delete, partitions, offsets. Configs: topic-config-routes.ts. */
import type { CleanerView } from "../cleaner/cleaner";
import { Hono, type Context } from "hono";
import { brokersOf } from "../cluster/brokers";
import type { Env } from "../env";
import { ErrorCode, RunnelError, unwrap } from "../errors";
import { offsetForTimestamp, positionsOf } from "../fetch/offsets";
import { parseInput } from "../input";
import { limits } from "../limits";
import { callLeader } from "../metadata/leaders";
import { forgetTopic, topicMeta } from "../metadata/topic-cache";
import type { DeleteRecordsOk } from "../replication/types";
import type { TopicInfo, TopicMeta } from "../topic/types";
import { checkCreateTopic } from "../topic/validate";
import { describable, refuseInternal } from "./access";
import { CreateTopic, DeleteRecordsBefore, UpdatePartitionCount } from "./admin-schemas";
import { readJsonObject } from "./body";
import { intParam } from "./params";
import { baseUrl } from "./url";
import { list, meta, topicView } from "./views";
import { callController, callReplica } from "../rpc/objects";

export const topicRoutes = new Hono<{ Bindings: Env }>();
const T = "/v3/clusters/:c/topics";

topicRoutes.get(T, async (c) => {
  const { topics } = unwrap(await callController(c.env).listTopics());
  const visible = await describable(c, "TOPIC", topics, (t) => t.topicName);
  return c.json(list("Topic", `${baseUrl(c)}/v3/clusters/${c.env.CLUSTER_ID}/topics`, visible.map((t) => topicView(baseUrl(c), c.env.CLUSTER_ID, t))));
});

topicRoutes.post(T, async (c) => {
  const body = parseInput(CreateTopic, await readJsonObject(c.req.raw, limits.adminRequestBytesMax));
  refuseInternal(body.topic_name); // Kafka: "Creation of internal topic __consumer_offsets is prohibited"
  const args = {
    topicName: body.topic_name,
    partitionsCount: body.partitions_count ?? 1,
    replicationFactor: body.replication_factor ?? 1,
    configs: body.configs,
  };
  if (body.validate_only === true) return c.json(await dryRunCreate(c, args), 200);
  const topic = unwrap(await callController(c.env).createTopic(args));
  forgetTopic(topic.topicName);
  return c.json(topicView(baseUrl(c), c.env.CLUSTER_ID, topic), 201);
});

/** `validate_only`: every check a creation makes, and the topic it would make; nothing is created. */
async function dryRunCreate(c: Context<{ Bindings: Env }>, args: { topicName: string; partitionsCount: number; replicationFactor: number; configs: unknown }) {
  const checked = checkCreateTopic(args, brokersOf(c.env).length);
  if (!checked.ok) throw new RunnelError(ErrorCode.BAD_REQUEST, checked.message, undefined, checked.errorName);
  if ((await callController(c.env).getTopic(args.topicName)).ok) throw new RunnelError(ErrorCode.TOPIC_ALREADY_EXISTS, `topic '${args.topicName}' already exists`);
  const topic: TopicInfo = { ...checked.value, topicId: "", createdAtMs: Date.now() };
  return { ...topicView(baseUrl(c), c.env.CLUSTER_ID, topic), topic_id: null };
}

topicRoutes.get(`${T}/:t`, async (c) => {
  const topic = unwrap(await callController(c.env).getTopic(c.req.param("t")));
  return c.json(topicView(baseUrl(c), c.env.CLUSTER_ID, topic));
});

// Increase only: the same count or fewer is a 400 (INVALID_PARTITIONS), as Confluent answers.
topicRoutes.patch(`${T}/:t`, async (c) => {
  const body = parseInput(UpdatePartitionCount, await readJsonObject(c.req.raw, limits.adminRequestBytesMax));
  const topic = unwrap(await callController(c.env).increasePartitions(c.req.param("t"), body.partitions_count));
  forgetTopic(topic.topicName);
  return c.json(topicView(baseUrl(c), c.env.CLUSTER_ID, topic));
});

topicRoutes.delete(`${T}/:t`, async (c) => {
  unwrap(await callController(c.env).deleteTopic(c.req.param("t")));
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
    // earliest_local_offset: the first offset the leader holds itself (tiered storage keeps the rest in the bucket; ListOffsets -4).
    return c.json({ topic_name: topic.topicName, partition_id: partition, earliest_offset: d.logStartOffset, latest_offset: d.highWatermark, earliest_local_offset: d.localLogStartOffset });
  }
  const found = await offsetForTimestamp(c.env, topic, partition, intParam("timestamp", timestamp));
  return c.json({ topic_name: topic.topicName, partition_id: partition, offset: found.offset, timestamp: found.timestampMs });
});

// Kafka's DeleteRecords (ext; Confluent's proxy has none): the partition's log start moves to `offset`, -1 the high watermark.
topicRoutes.post(`${T}/:t/partitions/:p/:action{records:delete-before}`, async (c) => {
  const { offset } = parseInput(DeleteRecordsBefore, await readJsonObject(c.req.raw, limits.adminRequestBytesMax));
  const topic = await topicMeta(c.env, c.req.param("t"));
  const partition = partitionIn(topic, c.req.param("p"));
  const done = unwrap(await callLeader<DeleteRecordsOk>(c.env, topic, partition, (leader) => leader.replica.deleteRecords({ topicId: topic.topicId, leaderEpoch: leader.leaderEpoch, offset })));
  return c.json({ cluster_id: c.env.CLUSTER_ID, topic_name: topic.topicName, partition_id: partition, low_watermark: done.lowWatermark });
});

// Confluent's partition offsets: earliest = log start offset, latest = high watermark.
topicRoutes.get(`${T}/:t/partitions/:p/offset`, async (c) => {
  const type = c.req.query("offset_type") ?? "earliest_and_latest";
  if (type !== "earliest_and_latest") throw new RunnelError(ErrorCode.BAD_REQUEST, `offset_type:${type} is invalid; the one offset type is earliest_and_latest`);
  const topic = await topicMeta(c.env, c.req.param("t"));
  const partition = partitionIn(topic, c.req.param("p"));
  const d = await positionsOf(c.env, topic, partition);
  const self = `${baseUrl(c)}/v3/clusters/${c.env.CLUSTER_ID}/topics/${topic.topicName}/partitions/${partition}/offset`;
  return c.json({
    kind: "KafkaPartitionWithOffsets",
    metadata: meta(self, c.env.CLUSTER_ID, `topic=${topic.topicName}`, `partition=${partition}`, `offset_type=${type}`),
    cluster_id: c.env.CLUSTER_ID,
    topic_name: topic.topicName,
    partition_id: partition,
    earliest_offset: d.logStartOffset,
    latest_offset: d.highWatermark,
  });
});

/**
 * The partition number in path segment `raw`. As in Confluent's proxy, a
 * segment that is not an integer matches no route (404), and a number the
 * topic has no partition for (negative too) is a 40402 — except that a
 * negative one in a v2 URL (`v2`) is a 400, as the peers' v2 tests expect
 * (Strimzi's bridge refuses it in request validation).
 */
export function partitionIn(topic: TopicInfo, raw: string | undefined, v2 = false): number {
  if (raw === undefined || !/^-?\d{1,10}$/.test(raw)) throw new RunnelError(ErrorCode.NOT_FOUND, `partition '${raw}' is not a partition number`);
  const p = Number(raw);
  if (v2 && p < 0) throw new RunnelError(ErrorCode.BAD_REQUEST, `partition ${p} is negative: a partition number is 0 or more`);
  if (p < 0 || p >= topic.partitionsCount) {
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
      const d = await callReplica(env, topic.topicId, partition, b, { where: "partitionView" }).describe(topic.topicId);
      return d.ok ? d : null;
    }),
  );
  const leader = states[role.replicas.indexOf(role.leader)] ?? null;
  const self = `${base}/v3/clusters/${env.CLUSTER_ID}/topics/${topic.topicName}/partitions/${partition}`;
  return {
    kind: "KafkaPartition",
    metadata: meta(self, env.CLUSTER_ID, `topic=${topic.topicName}`, `partition=${partition}`),
    cluster_id: env.CLUSTER_ID,
    topic_name: topic.topicName,
    partition_id: partition,
    // API.md's {broker_id} with Confluent's link beside it; replicas stay API.md's array.
    leader: role.leader < 0 ? null : { broker_id: role.leader, related: `${self}/replicas/${role.leader}` },
    reassignment: { related: `${self}/reassignment` },
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
    // Tiered storage (docs/storage.md), from the leader: where its local copy starts, and the bytes held locally and in the bucket.
    local_log_start_offset: leader?.localLogStartOffset ?? null,
    local_size_bytes: leader?.localSizeBytes ?? null,
    remote_size_bytes: leader?.remoteSizeBytes ?? null,
    remote_segments: leader?.remoteSegments ?? null,
    cleaner: cleanerView(leader?.cleaner ?? null),
  };
}

/** The leader's log cleaner (compacted topics; null otherwise, or when the leader did not answer); `last_run` in epoch ms. */
function cleanerView(c: CleanerView | null) {
  return c === null ? null : { last_cleaned_offset: c.lastCleanedOffset, dirty_ratio: c.dirtyRatio, last_run: c.lastRunMs };
}

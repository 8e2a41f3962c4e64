/**
 * A partition leader's answers to Kafka's admin questions (ext; Confluent's
 * proxy has none of these): where a leader epoch ends (OffsetForLeaderEpoch)
 * and the idempotent producers the partition remembers (DescribeProducers).
 */
import { Hono } from "hono";
import type { Env } from "../env";
import { unwrap } from "../errors";
import { callLeader } from "../metadata/leaders";
import { topicMeta } from "../metadata/topic-cache";
import type { EpochEndOk, ProducersOk } from "../replication/types";
import { intParam } from "./params";
import { partitionIn } from "./topic-routes";

export const partitionStateRoutes = new Hono<{ Bindings: Env }>();
const P = "/v3/clusters/:c/topics/:t/partitions/:p";

/** A leader epoch from the query: −1 (not given, or −1) or a non-negative integer. */
function epochParam(name: string, value: string | undefined): number {
  return value === undefined || value === "-1" ? -1 : intParam(name, value);
}

// Kafka's OffsetForLeaderEpoch: the largest epoch at or below :e that wrote here, and the offset it ends at (exclusive).
partitionStateRoutes.get(`${P}/leader-epochs/:e`, async (c) => {
  const topic = await topicMeta(c.env, c.req.param("t"));
  const partition = partitionIn(topic, c.req.param("p"));
  const asked = epochParam("leader epoch", c.req.param("e"));
  const current = epochParam("current_leader_epoch", c.req.query("current_leader_epoch"));
  const found = unwrap(await callLeader<EpochEndOk>(c.env, topic, partition, (leader) => leader.replica.epochEnd(topic.topicId, current, asked)));
  return c.json({ topic_name: topic.topicName, partition_id: partition, leader_epoch: found.leaderEpoch, end_offset: found.endOffset });
});

// Kafka's DescribeProducers: each idempotent producer the leader remembers (for 24 hours after its last batch).
partitionStateRoutes.get(`${P}/producers`, async (c) => {
  const topic = await topicMeta(c.env, c.req.param("t"));
  const partition = partitionIn(topic, c.req.param("p"));
  const found = unwrap(await callLeader<ProducersOk>(c.env, topic, partition, (leader) => leader.replica.producers(topic.topicId)));
  const data = found.producers.map((p) => ({
    producer_id: p.producerId,
    producer_epoch: p.producerEpoch,
    last_sequence: p.lastSequence,
    last_timestamp: p.lastTimestampMs,
  }));
  return c.json({ topic_name: topic.topicName, partition_id: partition, data });
});

/**
 * The group's questions to other objects — the controller (topics) and
 * partition leaders (positions) — answered as results, never thrown
 * (rpc/call.ts): an expected failure keeps its code and Kafka name (40401
 * unknown topic, 40404 no leader, 50003 …), an object out of reach is a
 * retriable 50003, and a bug is logged once and answered as a 500.
 */
import type { Env } from "../env";
import { ErrorCode, failure, isFailure, type Failure } from "../errors";
import { positionsOf } from "../fetch/offsets";
import { forgetTopic, topicMeta } from "../metadata/topic-cache";
import type { DescribeOk } from "../replication/types";
import type { TopicMeta } from "../topic/types";
import type { Ok, TopicIndex } from "./types";
import { settle } from "../rpc/call";
import { callController } from "../rpc/objects";

/** Every topic now, from the controller (not cached): partition counts and topic ids. */
export async function topicIndex(env: Env): Promise<{ ok: true; topics: TopicIndex } | Failure> {
  const listed = await callController(env).listTopics();
  if (!listed.ok) return listed;
  return { ok: true, topics: new Map(listed.topics.map((t) => [t.topicName, { partitionsCount: t.partitionsCount, topicId: t.topicId }])) };
}

/**
 * A topic's metadata (the Worker's cached copy); 40401 when it does not
 * exist. With `topicId`, a cached copy of another id is refreshed first.
 */
export async function topicOf(env: Env, name: string, topicId?: string): Promise<TopicMeta | Failure> {
  const meta = await settle("topicOf", () => topicMeta(env, name));
  if (isFailure(meta) || topicId === undefined || meta.topicId === topicId) return meta;
  forgetTopic(name);
  return settle("topicOf", () => topicMeta(env, name));
}

/** A partition's log start offset, high watermark and log end offset, from its leader. */
export async function partitionPositions(env: Env, meta: TopicMeta, partition: number): Promise<DescribeOk | Failure> {
  if (partition >= meta.partitionsCount) return noPartition(meta.topicName, partition);
  return settle("partitionPositions", () => positionsOf(env, meta, partition));
}

/** Lists the group with the controller (for `GET …/consumer-groups`). */
export async function registerGroup(env: Env, groupId: string): Promise<Ok | Failure> {
  return callController(env).registerGroup(groupId);
}

/** 40402: the topic has no such partition. */
export function noPartition(topic: string, partition: number): Failure {
  return failure(ErrorCode.UNKNOWN_PARTITION, `topic '${topic}' has no partition ${partition}`);
}

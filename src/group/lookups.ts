/**
 * The group's questions to other objects — the controller (topics) and
 * partition leaders (positions) — answered as results, never thrown: a
 * `RunnelError` keeps its code and Kafka name (40401 unknown topic, 40404
 * no leader, 50003 …); any other error of such a call means the object did
 * not answer, a retriable 50003.
 */
import type { Env } from "../env";
import { ErrorCode, failure, isFailure, retriable, RunnelError, type Failure } from "../errors";
import { positionsOf } from "../fetch/offsets";
import { controllerStub } from "../controller/controller-stub";
import { forgetTopic, topicMeta } from "../metadata/topic-cache";
import type { DescribeOk } from "../replication/types";
import type { TopicInfo, TopicMeta } from "../topic/types";
import type { Ok, TopicIndex } from "./types";

/** Runs `call` (a call to another object, named `who` in messages); its thrown errors come back as failures. */
export async function asked<T>(who: string, call: () => Promise<T>): Promise<T | Failure> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof RunnelError) return failure(e.errorCode, e.message, e.errorName ?? null);
    return retriable("REQUEST_TIMED_OUT", `${who} did not answer (${e instanceof Error ? e.message : String(e)}); retry`);
  }
}

/** Every topic now, from the controller (not cached): partition counts and topic ids. */
export async function topicIndex(env: Env): Promise<{ ok: true; topics: TopicIndex } | Failure> {
  const listed = await asked("the controller", async () => (await controllerStub(env).listTopics()) as { ok: true; topics: TopicInfo[] } | Failure);
  if (!listed.ok) return listed;
  return { ok: true, topics: new Map(listed.topics.map((t) => [t.topicName, { partitionsCount: t.partitionsCount, topicId: t.topicId }])) };
}

/**
 * A topic's metadata (the Worker's cached copy); 40401 when it does not
 * exist. With `topicId`, a cached copy of another id is refreshed first.
 */
export async function topicOf(env: Env, name: string, topicId?: string): Promise<TopicMeta | Failure> {
  const meta = await asked("the controller", () => topicMeta(env, name));
  if (isFailure(meta) || topicId === undefined || meta.topicId === topicId) return meta;
  forgetTopic(name);
  return asked("the controller", () => topicMeta(env, name));
}

/** A partition's log start offset, high watermark and log end offset, from its leader. */
export async function partitionPositions(env: Env, meta: TopicMeta, partition: number): Promise<DescribeOk | Failure> {
  if (partition >= meta.partitionsCount) return noPartition(meta.topicName, partition);
  return asked(`the leader of ${meta.topicName}-${partition}`, () => positionsOf(env, meta, partition));
}

/** Lists the group with the controller (for `GET …/consumer-groups`). */
export async function registerGroup(env: Env, groupId: string): Promise<Ok | Failure> {
  return asked("the controller", async () => (await controllerStub(env).registerGroup(groupId)) as Ok | Failure);
}

/** 40402: the topic has no such partition. */
export function noPartition(topic: string, partition: number): Failure {
  return failure(ErrorCode.UNKNOWN_PARTITION, `topic '${topic}' has no partition ${partition}`);
}

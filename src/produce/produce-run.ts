/**
 * The shared core of every produce route: place a request's parsed
 * records on partitions and append them, one call per partition leader.
 * Every record is parsed and placed before anything is appended; a
 * request refused whole appends nothing.
 */
import type { Context } from "hono";
import type { Env } from "../env";
import { bodyOf, ErrorCode, errorOf, RunnelError, type ErrorBody } from "../errors";
import { limits } from "../limits";
import { callLeader } from "../metadata/leaders";
import { markProducedTopic, markProduceFailures } from "../metrics/count-requests";
import { forgetTopic, topicMeta } from "../metadata/topic-cache";
import type { KeyCheckOk, ProducerStamp } from "../replication/types";
import { fingerprintOf, parseIdempotencyKey } from "./idempotency";
import { partitionForKey } from "./murmur2";
import type { ParsedRecord } from "./parse-v3";
import { keylessPartition, partitionFor } from "./partitioner";
import { parseAcks, prepareAppends, sendAppends, type Placed, type Report } from "./producer";
import type { Field } from "./record-fields";
import type { TopicInfo, TopicMeta } from "../topic/types";
import { isJsonType } from "../router/media";

const utf8 = new TextEncoder();
export type C = Context<{ Bindings: Env }>;

export type Entry = Field<ParsedRecord>;
export type Outcome = Report | ({ ok: false } & ErrorBody);

/**
 * Places and appends the parsed entries of one request. When `atomic`,
 * any bad entry refuses the whole request; otherwise bad entries keep
 * their problem and the rest are appended. A record over the size limits
 * always refuses the whole request. Retries once on a stale topic id.
 */
export async function run(
  c: C,
  topicName: string,
  entries: Entry[],
  requestTimeMs: number,
  atomic: boolean,
  fixedPartition?: number,
): Promise<{ topic: TopicInfo; outcomes: Outcome[] }> {
  const acks = parseAcks(c.req.query("acks"));
  const idempotencyKey = parseIdempotencyKey(c.req.header("idempotency-key"));
  for (let attempt = 0; ; attempt++) {
    const topic = await topicMeta(c.env, topicName);
    markProducedTopic(c, topic.topicName);
    if (fixedPartition !== undefined && fixedPartition >= topic.partitionsCount) throw noPartition(topic, fixedPartition);
    // With an Idempotency-Key, keyless records go where the key says, so a retry lands on the same partitions.
    const keyless = idempotencyKey === undefined ? keylessPartition(topic.partitionsCount) : partitionForKey(utf8.encode(idempotencyKey), topic.partitionsCount);
    const outcomes: Outcome[] = new Array(entries.length);
    const placed: Placed[] = [];
    const at: number[] = []; // request position of each placed record
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      const explicit = e.ok ? (fixedPartition ?? e.value.partition) : undefined;
      if (!e.ok) outcomes[i] = { ok: false, error_code: ErrorCode.INVALID_PAYLOAD, error_name: "INVALID_RECORD", message: e.problem };
      else if (explicit !== undefined && explicit >= topic.partitionsCount) outcomes[i] = { ok: false, ...noPartition(topic, explicit).body() };
      else {
        const partition = partitionFor(explicit, e.value.record.key, topic.partitionsCount, keyless);
        placed.push({ partition, record: e.value.record, timestampGiven: e.value.timestampGiven });
        at.push(i);
      }
      const refused = outcomes[i];
      if (atomic && refused !== undefined && !refused.ok) throw new RunnelError(refused.error_code, refused.message, undefined, refused.error_name ?? null);
    }
    const prepared = await prepareAppends(topic, placed);
    const producer = idempotencyKey === undefined ? undefined : { key: idempotencyKey, fingerprint: await fingerprintOf(placed), requestTimeMs };
    if (producer !== undefined) await refuseReusedKey(c.env, topic, prepared.map((p) => p.partition), producer);
    const reports = await sendAppends(c.env, topic, placed, prepared, acks, producer, (p) => c.executionCtx.waitUntil(p));
    const stale = reports.length > 0 && reports.every((r) => !r.ok && r.error_code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    if (stale && attempt === 0) {
      forgetTopic(topicName); // the cached topic id may be of a deleted topic: look again once
      continue;
    }
    for (let k = 0; k < reports.length; k++) outcomes[at[k]!] = reports[k]!;
    markProduceFailures(c, outcomes);
    return { topic, outcomes };
  }
}

/** 42206 when any target partition saw this Idempotency-Key with other records; then nothing is appended. */
async function refuseReusedKey(env: Env, topic: TopicMeta, partitions: number[], producer: ProducerStamp): Promise<void> {
  const answers = await Promise.all(
    partitions.map((p) => callLeader<KeyCheckOk>(env, topic, p, (leader) => leader.stub.producerKeyState(topic.topicId, producer.key, producer.fingerprint))),
  );
  for (const a of answers) {
    if (!a.ok) throw errorOf(a);
    if (a.state === "other") throw new RunnelError(ErrorCode.INVALID_PAYLOAD, "Idempotency-Key was already used with other records", undefined, "INVALID_RECORD");
  }
}

function noPartition(topic: TopicInfo, p: number): RunnelError {
  return new RunnelError(ErrorCode.UNKNOWN_PARTITION, `topic '${topic.topicName}' has no partition ${p} (it has ${topic.partitionsCount})`);
}

/** A v3 produce report: the record's place and time, or its error. */
export function v3Report(c: C, topic: TopicInfo, o: Outcome) {
  if (!o.ok) return bodyOf(o.error_code, o.message, o.error_name);
  return {
    error_code: 200,
    cluster_id: c.env.CLUSTER_ID,
    topic_name: topic.topicName,
    partition_id: o.partition,
    offset: o.offset,
    timestamp: new Date(o.timestampMs).toISOString(),
  };
}

/** 415 unless the request body is JSON of some kind. */
export function requireJson(c: C): void {
  if (!isJsonType(c.req.header("content-type"))) {
    throw new RunnelError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, `content type '${c.req.header("content-type")}' is not supported; send application/json`);
  }
}

/** 413 for a request of more records than `limits.produceRecordsMax`. */
export function tooManyRecords(count: number): RunnelError {
  return new RunnelError(ErrorCode.PAYLOAD_TOO_LARGE, `${count} records is over the ${limits.produceRecordsMax}-record limit`);
}

/**
 * The produce pipeline, shared by every JSON produce route (v2, v3, v3
 * batch, streamed v3): place a request's parsed records on partitions
 * and append them, one call per partition leader. Every record is parsed
 * and placed before anything is appended; a request refused whole
 * appends nothing. It knows nothing of HTTP: the routes (router/) turn a
 * request into a `ProduceRequest` and the outcomes into an answer.
 */
import type { Env } from "../env";
import { ErrorCode, errorOf, RunnelError, type ErrorBody } from "../errors";
import { limits } from "../limits";
import type { AppendCondition, ProducerStamp } from "../log/types";
import { callLeader } from "../metadata/leaders";
import { forgetTopic, topicMeta } from "../metadata/topic-cache";
import type { KeyCheckOk } from "../replication/types";
import { compacts, resolveConfigs } from "../topic/configs";
import type { TopicInfo, TopicMeta } from "../topic/types";
import { fingerprintOf } from "./idempotency";
import { partitionForKey } from "./murmur2";
import type { ParsedRecord } from "./parse-v3";
import { keylessPartition, partitionFor } from "./partitioner";
import { prepareAppends, sendAppends, type Acks, type Placed, type Report } from "./producer";
import type { Field } from "./record-fields";

const utf8 = new TextEncoder();

/** One parsed record of a request, or why it could not be parsed. */
export type Entry = Field<ParsedRecord>;
/** What became of one record: its place, or its error. */
export type Outcome = Report | ({ ok: false } & ErrorBody);

/** One produce request, as a route hands it to the pipeline. */
export interface ProduceRequest {
  topicName: string;
  entries: Entry[];
  /** When the request arrived (epoch ms): the timestamp of records that gave none. */
  requestTimeMs: number;
  /**
   * Whether any bad entry refuses the whole request (v2, a single v3
   * record); otherwise bad entries keep their problem and the rest are
   * appended. A record over the size limits always refuses the whole request.
   */
  atomic: boolean;
  /** The partition every record goes to (v2's partition path); absent: each record's own, or the partitioner's. */
  fixedPartition?: number;
  acks: Acks;
  /** The request's Idempotency-Key, if any: keyless records then go where the key says, and a retry appends nothing twice. */
  idempotencyKey?: string;
  /**
   * Appended only if this holds on the partition's leader (expected
   * offset, fencing token): the records must go to one partition, the
   * request is atomic, and a refusal of the condition refuses it whole.
   */
  condition?: AppendCondition;
  /** Keeps an acks=0 append running after the answer (the route's waitUntil). */
  background: (work: Promise<unknown>) => void;
  /** Told the topic's name once it is found (metrics label the request by it). */
  onTopic?: (topicName: string) => void;
}

/** What a produce request came to: the topic, and one outcome per entry, in order. */
export interface Produced {
  topic: TopicInfo;
  outcomes: Outcome[];
}

/**
 * Places and appends a request's records (see `ProduceRequest`). When
 * every partition answers that it does not know the cached topic id — the
 * topic was deleted and created again — the topic is looked up afresh
 * and the request placed again, once.
 */
export async function produce(env: Env, req: ProduceRequest): Promise<Produced> {
  const first = await placeAndAppend(env, req, await topicMeta(env, req.topicName));
  if (!first.stale) return first;
  forgetTopic(req.topicName);
  const again = await placeAndAppend(env, req, await topicMeta(env, req.topicName));
  return { topic: again.topic, outcomes: again.outcomes };
}

/** One attempt: placed and appended, and whether every append met a stale topic id (nothing was appended then). */
async function placeAndAppend(env: Env, req: ProduceRequest, topic: TopicMeta): Promise<Produced & { stale: boolean }> {
  req.onTopic?.(topic.topicName);
  const { outcomes, placed, at } = place(req, topic);
  const prepared = await prepareAppends(topic, placed);
  if (req.condition !== undefined && prepared.length > 1) throw conditionOnManyPartitions(prepared.length);
  const producer = req.idempotencyKey === undefined ? undefined : { key: req.idempotencyKey, fingerprint: await fingerprintOf(placed), requestTimeMs: req.requestTimeMs };
  if (producer !== undefined) await refuseReusedKey(env, topic, prepared.map((p) => p.partition), producer);
  const extras = { ...(producer === undefined ? {} : { producer }), ...(req.condition === undefined ? {} : { condition: req.condition }) };
  const reports = await sendAppends(env, topic, placed, prepared, req.acks, extras, req.background);
  const stale = reports.length > 0 && reports.every((r) => !r.ok && r.error_code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const refused = reports.find((r) => !r.ok && CONDITION_REFUSALS.has(r.error_code));
  if (refused !== undefined && !refused.ok) throw conditionRefused(refused);
  for (let k = 0; k < reports.length; k++) outcomes[at[k]!] = reports[k]!;
  return { topic, outcomes, stale };
}

/** Chooses each good entry's partition; bad entries get their outcome now (or refuse the request, when atomic). */
function place(req: ProduceRequest, topic: TopicMeta): { outcomes: Outcome[]; placed: Placed[]; at: number[] } {
  if (req.fixedPartition !== undefined && req.fixedPartition >= topic.partitionsCount) throw noPartition(topic, req.fixedPartition);
  // With an Idempotency-Key, keyless records go where the key says, so a retry lands on the same partitions.
  const keyless = req.idempotencyKey === undefined ? keylessPartition(topic.partitionsCount) : partitionForKey(utf8.encode(req.idempotencyKey), topic.partitionsCount);
  const outcomes: Outcome[] = new Array(req.entries.length);
  const placed: Placed[] = [];
  const at: number[] = []; // request position of each placed record
  const keysRequired = compacts(resolveConfigs(topic.configs));
  for (let i = 0; i < req.entries.length; i++) {
    const e = req.entries[i]!;
    const explicit = e.ok ? (req.fixedPartition ?? e.value.partition) : undefined;
    if (!e.ok) outcomes[i] = { ok: false, error_code: ErrorCode.INVALID_PAYLOAD, error_name: "INVALID_RECORD", message: e.problem };
    else if (keysRequired && e.value.record.key === null) outcomes[i] = { ok: false, ...keylessRecord(topic, i).body() };
    else if (explicit !== undefined && (explicit < 0 || explicit >= topic.partitionsCount)) outcomes[i] = { ok: false, ...noPartition(topic, explicit).body() };
    else {
      placed.push({ partition: partitionFor(explicit, e.value.record.key, topic.partitionsCount, keyless), record: e.value.record, timestampGiven: e.value.timestampGiven });
      at.push(i);
    }
    const refused = outcomes[i];
    if ((req.atomic || req.condition !== undefined) && refused !== undefined && !refused.ok) throw new RunnelError(refused.error_code, refused.message, undefined, refused.error_name ?? null);
  }
  return { outcomes, placed, at };
}

/** 42206 when any target partition saw this Idempotency-Key with other records; then nothing is appended. */
async function refuseReusedKey(env: Env, topic: TopicMeta, partitions: number[], producer: ProducerStamp): Promise<void> {
  const answers = await Promise.all(
    partitions.map((p) => callLeader<KeyCheckOk>(env, topic, p, (leader) => leader.replica.producerKeyState(topic.topicId, producer.key, producer.fingerprint))),
  );
  for (const a of answers) {
    if (!a.ok) throw errorOf(a);
    if (a.state === "other") throw new RunnelError(ErrorCode.INVALID_PAYLOAD, "Idempotency-Key was already used with other records", undefined, "INVALID_RECORD");
  }
}

/** 42206 INVALID_RECORD for record `i` without a key on a compacted topic (Kafka refuses it too: the cleaner could never keep it). */
export function keylessRecord(topic: TopicInfo, i: number): RunnelError {
  return new RunnelError(
    ErrorCode.INVALID_PAYLOAD,
    `record ${i} has no key, but topic '${topic.topicName}' is compacted (cleanup.policy=${resolveConfigs(topic.configs)["cleanup.policy"]}): every record needs a key`,
    undefined,
    "INVALID_RECORD",
  );
}

function noPartition(topic: TopicInfo, p: number): RunnelError {
  return new RunnelError(ErrorCode.UNKNOWN_PARTITION, `topic '${topic.topicName}' has no partition ${p} (it has ${topic.partitionsCount})`);
}

/** The refusals of a condition (expected offset, fencing token): they refuse the request whole. */
const CONDITION_REFUSALS = new Set<number>([ErrorCode.OFFSET_NOT_EXPECTED, ErrorCode.FENCED]);

/** A leader's refusal of a request's condition as the request's error, carrying `log_end_offset` (40905). */
function conditionRefused(r: ErrorBody): RunnelError {
  const e = new RunnelError(r.error_code, r.message, undefined, r.error_name ?? null);
  if (r.log_end_offset !== undefined) e.logEndOffset = r.log_end_offset;
  return e;
}

/** 400 for a conditional request whose records go to `count` partitions: a condition is about one partition's log. */
function conditionOnManyPartitions(count: number): RunnelError {
  return new RunnelError(
    ErrorCode.BAD_REQUEST,
    `expected_offset and Runnel-Fencing-Token apply to a produce to one partition, but these records go to ${count} partitions; give partition_id (v3) or use /topics/{t}/partitions/{p} (v2); nothing was appended`,
  );
}

/** 413 for a request of more records than `limits.produceRecordsMax`. */
export function tooManyRecords(count: number): RunnelError {
  return new RunnelError(ErrorCode.PAYLOAD_TOO_LARGE, `${count} records is over the ${limits.produceRecordsMax}-record limit`);
}

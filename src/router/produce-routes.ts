/**
 * Produce: v3 single or streamed records, v3 records:batch, and the v2
 * batch endpoints. Every record is parsed and placed before anything is
 * appended; a request refused whole appends nothing.
 */
import { Hono, type Context } from "hono";
import type { Env } from "../env";
import { ErrorCode, RunnelError, type ErrorBody } from "../errors";
import { limits } from "../limits";
import { forgetTopic, topicMeta } from "../metadata/topic-cache";
import { parseV2Records, v2FormatOf } from "../produce/parse-v2";
import { parseV3Record, type ParsedRecord } from "../produce/parse-v3";
import { keylessPartition, partitionFor } from "../produce/partitioner";
import { parseAcks, prepareAppends, sendAppends, type Placed, type Report } from "../produce/producer";
import type { Field } from "../produce/record-fields";
import { callLeader } from "../metadata/leaders";
import type { KeyCheckOk, ProducerStamp } from "../partition/types";
import { fingerprintOf, parseIdempotencyKey } from "../produce/idempotency";
import { partitionForKey } from "../produce/murmur2";
import type { TopicInfo, TopicMeta } from "../topic/types";
import { parseJson, readJsonObject, readText, splitJsonValues } from "./body";
import { intParam } from "./params";

export const produceRoutes = new Hono<{ Bindings: Env }>();
const utf8 = new TextEncoder();
type C = Context<{ Bindings: Env }>;

type Entry = Field<ParsedRecord>;
type Outcome = Report | ({ ok: false } & ErrorBody);

/**
 * Places and appends the parsed entries of one request. When `atomic`,
 * any bad entry refuses the whole request; otherwise bad entries keep
 * their problem and the rest are appended. A record over the size limits
 * always refuses the whole request. Retries once on a stale topic id.
 */
async function run(
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
    if (fixedPartition !== undefined && fixedPartition >= topic.partitionsCount) throw noPartition(topic, fixedPartition);
    // With an Idempotency-Key, keyless records go where the key says, so a retry lands on the same partitions.
    const keyless = idempotencyKey === undefined ? keylessPartition(topic.partitionsCount) : partitionForKey(utf8.encode(idempotencyKey), topic.partitionsCount);
    const outcomes: Outcome[] = new Array(entries.length);
    const placed: Placed[] = [];
    const at: number[] = []; // request position of each placed record
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      const explicit = e.ok ? (fixedPartition ?? e.value.partition) : undefined;
      if (!e.ok) outcomes[i] = { ok: false, error_code: ErrorCode.INVALID_PAYLOAD, message: e.problem };
      else if (explicit !== undefined && explicit >= topic.partitionsCount) outcomes[i] = { ok: false, ...noPartition(topic, explicit).body() };
      else {
        const partition = partitionFor(explicit, e.value.record.key, topic.partitionsCount, keyless);
        placed.push({ partition, record: e.value.record, timestampGiven: e.value.timestampGiven });
        at.push(i);
      }
      const refused = outcomes[i];
      if (atomic && refused !== undefined && !refused.ok) throw new RunnelError(refused.error_code, refused.message);
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
    return { topic, outcomes };
  }
}

/** 42206 when any target partition saw this Idempotency-Key with other records; then nothing is appended. */
async function refuseReusedKey(env: Env, topic: TopicMeta, partitions: number[], producer: ProducerStamp): Promise<void> {
  const answers = await Promise.all(
    partitions.map((p) => callLeader<KeyCheckOk>(env, topic, p, (leader) => leader.stub.producerKeyState(topic.topicId, producer.key, producer.fingerprint))),
  );
  for (const a of answers) {
    if (!a.ok) throw new RunnelError(a.error_code, a.message);
    if (a.state === "other") throw new RunnelError(ErrorCode.INVALID_PAYLOAD, "Idempotency-Key was already used with other records");
  }
}

function noPartition(topic: TopicInfo, p: number): RunnelError {
  return new RunnelError(ErrorCode.UNKNOWN_PARTITION, `topic '${topic.topicName}' has no partition ${p} (it has ${topic.partitionsCount})`);
}

function v3Report(c: C, topic: TopicInfo, o: Outcome) {
  if (!o.ok) return { error_code: o.error_code, message: o.message };
  return {
    error_code: 200,
    cluster_id: c.env.CLUSTER_ID,
    topic_name: topic.topicName,
    partition_id: o.partition,
    offset: o.offset,
    timestamp: new Date(o.timestampMs).toISOString(),
  };
}

function isJsonType(contentType: string | undefined): boolean {
  if (contentType === undefined || contentType === "") return true;
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  return type === "application/json" || type === "application/x-ndjson" || /^application\/[\w.+-]*\+json$/.test(type);
}

function requireJson(c: C): void {
  if (!isJsonType(c.req.header("content-type"))) {
    throw new RunnelError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, `content type '${c.req.header("content-type")}' is not supported; send application/json`);
  }
}

// v3: one record object, or several concatenated (one report each, as NDJSON).
produceRoutes.post("/v3/clusters/:c/topics/:t/records", async (c) => {
  requireJson(c);
  const texts = splitJsonValues(await readText(c.req.raw, limits.produceRequestBytesMax));
  if (texts.length === 0) throw new RunnelError(ErrorCode.BAD_REQUEST, "request body holds no record");
  if (texts.length > limits.produceRecordsMax) throw tooManyRecords(texts.length);
  const values = texts.map(parseJson);
  const nowMs = Date.now();
  const entries = values.map((v) => parseV3Record(v, nowMs));
  if (entries.length === 1) {
    const only = entries[0]!;
    if (!only.ok) throw new RunnelError(ErrorCode.INVALID_PAYLOAD, only.problem);
    const { topic, outcomes } = await run(c, c.req.param("t"), entries, nowMs, true);
    const o = outcomes[0]!;
    if (!o.ok) throw new RunnelError(o.error_code, o.message);
    return c.json(v3Report(c, topic, o));
  }
  const { topic, outcomes } = await run(c, c.req.param("t"), entries, nowMs, false);
  const lines = outcomes.map((o) => JSON.stringify(v3Report(c, topic, o))).join("\n");
  return c.body(`${lines}\n`, 200, { "content-type": "application/x-ndjson" });
});

// v3 batch: {"entries": [{"id", ...record}]} → 207 with successes and failures.
produceRoutes.post("/v3/clusters/:c/topics/:t/:action{records:batch}", async (c) => {
  requireJson(c);
  const body = await readJsonObject(c.req.raw, limits.produceRequestBytesMax);
  const list = body.entries;
  if (!Array.isArray(list) || list.length === 0) throw new RunnelError(ErrorCode.BATCH_ERROR, "body needs a non-empty \"entries\" array");
  if (list.length > limits.produceRecordsMax) throw tooManyRecords(list.length);
  const ids = list.map((e: unknown, i) => entryId(e, i));
  if (new Set(ids).size !== ids.length) throw new RunnelError(ErrorCode.BATCH_ERROR, "every entry needs a distinct id");
  const nowMs = Date.now();
  const { outcomes } = await run(c, c.req.param("t"), list.map((e: unknown) => parseV3Record(e, nowMs)), nowMs, false);
  const successes: unknown[] = [];
  const failures: unknown[] = [];
  outcomes.forEach((o, i) => {
    if (o.ok) successes.push({ id: ids[i], partition_id: o.partition, offset: o.offset, timestamp: new Date(o.timestampMs).toISOString() });
    else failures.push({ id: ids[i], error_code: o.error_code, message: o.message });
  });
  return c.json({ successes, failures }, 207);
});

function entryId(entry: unknown, index: number): string {
  const id = typeof entry === "object" && entry !== null ? (entry as { id?: unknown }).id : undefined;
  if (typeof id === "string" && id.length > 0 && id.length <= 80) return id;
  if (typeof id === "number" && Number.isFinite(id)) return String(id);
  throw new RunnelError(ErrorCode.BATCH_ERROR, `entries[${index}] needs an id: a string of 1 to 80 characters`);
}

function tooManyRecords(count: number): RunnelError {
  return new RunnelError(ErrorCode.PAYLOAD_TOO_LARGE, `${count} records is over the ${limits.produceRecordsMax}-record limit`);
}

// v2: atomic batch; an error anywhere refuses the whole request.
async function produceV2(c: C, fixedPartition?: number) {
  const format = v2FormatOf(c.req.header("content-type"));
  if (format === null) {
    throw new RunnelError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, `content type '${c.req.header("content-type")}' is not supported; use application/vnd.kafka.binary.v2+json or application/vnd.kafka.json.v2+json`);
  }
  const body = await readJsonObject(c.req.raw, limits.produceRequestBytesMax);
  const nowMs = Date.now();
  const records = parseV2Records(body, format, nowMs);
  const { outcomes } = await run(c, c.req.param("t")!, records.map((value) => ({ ok: true, value })), nowMs, true, fixedPartition);
  const offsets = outcomes.map((o) =>
    o.ok
      ? { partition: o.partition, offset: o.offset, error_code: null, error: null }
      : { partition: "partition" in o ? o.partition : null, offset: null, error_code: o.error_code, error: o.message },
  );
  return c.json({ key_schema_id: null, value_schema_id: null, offsets });
}

produceRoutes.post("/topics/:t", (c) => produceV2(c));
produceRoutes.post("/topics/:t/partitions/:p", (c) => produceV2(c, intParam("partition", c.req.param("p"))));

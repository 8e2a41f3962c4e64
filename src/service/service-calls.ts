/**
 * What `RunnelService` does for a bound Worker, as the principal its
 * binding names — under the same rules as HTTP: the ACL each call needs
 * (produce: WRITE on the topic; fetch: READ on it; commit: READ on the
 * group and on each topic), the principal's quotas (request rate, producer
 * and consumer bytes), and denials written to the audit log. Served open
 * (development mode without an admin key), everything is allowed, as
 * over HTTP. Each throws a RunnelError for an expected failure; the
 * entrypoint answers it as a result.
 */
import { accessState } from "../access/access-cache";
import { notAuthorized, type Operation, type ResourceType } from "../access/acl";
import { authMode } from "../access/authenticate";
import { reserveQuota } from "../access/quota-check";
import type { Env } from "../env";
import { ErrorCode, errorOf, RunnelError, unwrap } from "../errors";
import { fetchRecords } from "../fetch/fetcher";
import type { RecordFormat } from "../fetch/format";
import { isInternalTopic } from "../group/offsets-topic";
import { limits } from "../limits";
import { topicMeta } from "../metadata/topic-cache";
import { produce } from "../produce/produce-run";
import type { Acks } from "../produce/producer";
import { logBug } from "../rpc/boundary";
import { callAccess, callGroup, callQuota } from "../rpc/objects";
import { entriesOf } from "./service-records";

/** `produce`'s options: acks (0, 1, -1 or "all"; default all), one partition for every record, a conditional append's offset. */
export interface ProduceOptions {
  acks?: 0 | 1 | -1 | "all";
  partition?: number;
  expectedOffset?: number;
}

/** One record's outcome: where it went, or why it was not appended. */
export type RecordResult = { partition: number; offset: number; timestamp: number } | { partition: number; error_code: number; error_name?: string; message: string };

/** Produces `records` to `topic` (see ServiceRecord for their shape); every record is checked before any is appended. */
export async function produceAs(env: Env, principal: string, topic: string, records: unknown, options: ProduceOptions, background: (p: Promise<unknown>) => void) {
  if (options.expectedOffset !== undefined) {
    throw new RunnelError(ErrorCode.BAD_REQUEST, "expectedOffset (conditional append) is not served by this build: produce without it");
  }
  const acks = acksOf(options.acks);
  if (isInternalTopic(topic)) throw new RunnelError(ErrorCode.FORBIDDEN, `topic '${topic}' is internal: clients may only read it`, undefined, "INVALID_TOPIC_EXCEPTION");
  await allow(env, principal, "TOPIC", topic, "WRITE", "topic.produce");
  const nowMs = Date.now();
  const { entries, bytes } = entriesOf(records, nowMs);
  await quotas(env, principal, "producer_bytes", bytes);
  const fixedPartition = options.partition;
  const produced = await produce(env, { topicName: topic, entries, requestTimeMs: nowMs, atomic: true, acks, background, ...(fixedPartition === undefined ? {} : { fixedPartition }) });
  const results: RecordResult[] = produced.outcomes.map((o) => {
    if (o.ok) return { partition: o.partition, offset: o.offset, timestamp: o.timestampMs };
    return { partition: "partition" in o ? o.partition : -1, error_code: o.error_code, ...(o.error_name === undefined ? {} : { error_name: o.error_name }), message: o.message };
  });
  return { ok: true as const, records: results };
}

/** A JSON value (objects and arrays not spelt out: RPC's types cannot recurse that deep). */
export type Json = string | number | boolean | null | object;

/** One record read, as the HTTP fetch shows it (key and value in the format asked; header values base64). */
export interface FetchedRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: Json;
  value: Json;
  headers: { name: string; value: string | null }[];
}

/** `fetch`'s options: at most `maxRecords` (default: what 1 MiB of batches holds), the format of keys and values, the isolation level. */
export interface FetchOptions {
  maxRecords?: number;
  format?: RecordFormat;
  isolation?: "read_uncommitted" | "read_committed";
}

/** Reads `topic`'s `partition` from `offset` (inclusive) up to the high watermark, as the HTTP fetch does. */
export async function fetchAs(env: Env, principal: string, topic: string, partition: number, offset: number, options: FetchOptions) {
  const format = options.format ?? "binary";
  if (!["binary", "string", "json"].includes(format)) throw new RunnelError(ErrorCode.BAD_REQUEST, `format must be binary, string or json, got '${String(format)}'`);
  const isolation = options.isolation ?? "read_uncommitted";
  if (isolation !== "read_uncommitted" && isolation !== "read_committed") throw new RunnelError(ErrorCode.BAD_REQUEST, `isolation must be read_uncommitted or read_committed, got '${String(isolation)}'`);
  const maxRecords = options.maxRecords ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isSafeInteger(maxRecords) || maxRecords < 1) throw new RunnelError(ErrorCode.BAD_REQUEST, "maxRecords must be a positive integer");
  await allow(env, principal, "TOPIC", topic, "READ", "topic.fetch");
  await quotas(env, principal, "consumer_bytes", 0);
  const meta = await topicMeta(env, topic);
  if (!Number.isSafeInteger(partition) || partition < 0 || partition >= meta.partitionsCount) {
    throw new RunnelError(ErrorCode.UNKNOWN_PARTITION, `topic '${topic}' has no partition ${partition} (it has ${meta.partitionsCount})`);
  }
  const f = await fetchRecords(env, meta, partition, { offset, maxBytes: limits.fetchBytesDefault, maxRecords, timeoutMs: 0 }, format);
  await charge(env, principal, f.json.length);
  // Without transactions in the log every record is committed: both isolation levels read the same records.
  return { ok: true as const, records: JSON.parse(`[${f.json}]`) as FetchedRecord[], next_offset: f.nextOffset, high_watermark: f.highWatermark, log_start_offset: f.logStartOffset };
}

/** Commits `offsets` (each the next offset to read) for `group`, as a committer outside it (allowed while the group has no members). */
export async function commitAs(env: Env, principal: string, group: string, offsets: unknown) {
  if (!Array.isArray(offsets) || offsets.length === 0) throw new RunnelError(ErrorCode.BAD_REQUEST, "offsets must be a non-empty array of {topic, partition, offset}");
  const checked = offsets.map((o, i) => {
    const x = o as { topic?: unknown; partition?: unknown; offset?: unknown; metadata?: unknown };
    if (typeof x?.topic !== "string" || !Number.isSafeInteger(x.partition) || !Number.isSafeInteger(x.offset)) {
      throw new RunnelError(ErrorCode.BAD_REQUEST, `offsets[${i}] must be {topic, partition, offset} (offset: the next one to read)`);
    }
    return { topic: x.topic, partition: x.partition as number, offset: x.offset as number, metadata: typeof x.metadata === "string" ? x.metadata : null };
  });
  await allow(env, principal, "GROUP", group, "READ", "consumer.commit");
  for (const topic of new Set(checked.map((o) => o.topic))) await allow(env, principal, "TOPIC", topic, "READ", "consumer.commit");
  await quotas(env, principal, null, 0);
  const answer = unwrap(await callGroup(env, group).kafkaCommit(group, { memberId: "", generation: -1, offsets: checked }));
  const refused = answer.partitions.find((p) => p.error !== null);
  if (refused !== undefined) throw new RunnelError(ErrorCode.BAD_REQUEST, `${refused.error}: the offset of ${refused.topic}/${refused.partition} was not committed`);
  return { ok: true as const };
}

function acksOf(acks: ProduceOptions["acks"]): Acks {
  if (acks === undefined || acks === "all" || acks === -1) return -1;
  if (acks === 0 || acks === 1) return acks;
  throw new RunnelError(ErrorCode.BAD_REQUEST, `acks must be 0, 1, -1 or "all", got ${JSON.stringify(acks)}`);
}

/** Throws the 40301 for `principal` denied `op` on the resource (audited as `action`); nothing when served open. */
async function allow(env: Env, principal: string, type: ResourceType, name: string, op: Operation, action: string): Promise<void> {
  if (authMode(env) !== "on" || (await accessState(env)).allowed(principal, type, name, op)) return;
  const refusal = notAuthorized(principal, op, type, name);
  const entry = { time: Date.now(), principal, action, resource: `${type}:${name}`, outcome: "denied" as const, error_code: refusal.error_code };
  await callAccess(env).appendAudit([entry]).then((r) => (r.ok ? undefined : logBug("RunnelService audit", new Error(r.message), { entry })));
  throw errorOf(refusal);
}

/** One request of the principal's request rate, and `bytes` of its producer or consumer byte window (0: room is checked, charged after). */
async function quotas(env: Env, principal: string, kind: "producer_bytes" | "consumer_bytes" | null, bytes: number): Promise<void> {
  if (authMode(env) !== "on") return;
  const quota = (await accessState(env)).quotas.get(principal);
  if (quota === undefined) return;
  if (quota.request_rate !== null) await reserveQuota(env, principal, "requests", 1, quota.request_rate);
  const rate = kind === "producer_bytes" ? quota.producer_byte_rate : kind === "consumer_bytes" ? quota.consumer_byte_rate : null;
  if (kind !== null && rate !== null) await reserveQuota(env, principal, kind, bytes, rate);
}

/** Charges what a read returned to the principal's consumer byte window. */
async function charge(env: Env, principal: string, bytes: number): Promise<void> {
  if (authMode(env) !== "on" || (await accessState(env)).quotas.get(principal)?.consumer_byte_rate == null) return;
  unwrap(await callQuota(env, principal).charge("consumer_bytes", bytes));
}

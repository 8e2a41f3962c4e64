/**
 * What the JSON produce routes share on the HTTP side: a request's
 * `acks`, `Idempotency-Key`, condition (`?expected_offset=`,
 * `Runnel-Fencing-Token`) and waitUntil handed to the produce pipeline
 * (src/produce/produce-run.ts), the request's metrics told its topic and
 * refusals, its content type checked, and v3's report shape.
 */
import type { Context } from "hono";
import type { Env } from "../env";
import { bodyOf, ErrorCode, RunnelError } from "../errors";
import { markProducedTopic, markProduceFailures } from "../metrics/count-requests";
import { parseIdempotencyKey } from "../produce/idempotency";
import { parseAcks } from "../produce/producer";
import { produce, type Entry, type Outcome, type ProduceRequest, type Produced } from "../produce/produce-run";
import type { DataType } from "../produce/record-fields";
import type { TopicInfo } from "../topic/types";
import { isJsonType } from "./media";
import { appendConditionOf } from "./produce-condition";

export type C = Context<{ Bindings: Env }>;

/** What a route decides of a produce request; the rest comes from the HTTP request (see `produceFor`). */
export type RouteProduce = Pick<ProduceRequest, "topicName" | "entries" | "requestTimeMs" | "atomic" | "fixedPartition">;

/** Runs the produce pipeline for route request `c`: `?acks=`, `Idempotency-Key`, the condition and waitUntil from it, its metrics told. */
export async function produceFor(c: C, route: RouteProduce): Promise<Produced> {
  const condition = appendConditionOf((name) => c.req.query(name), (name) => c.req.header(name));
  const produced = await produce(c.env, {
    ...route,
    ...(condition === undefined ? {} : { condition }),
    acks: parseAcks(c.req.query("acks")),
    idempotencyKey: parseIdempotencyKey(c.req.header("idempotency-key")),
    background: (work) => c.executionCtx.waitUntil(work),
    onTopic: (name) => markProducedTopic(c, name),
  });
  markProduceFailures(c, produced.outcomes);
  return produced;
}

/**
 * A v3 produce report: the record's place and time, and (Confluent's
 * ProduceResponse) its key and value as `{type, size}` — the type they
 * were given in and their size in bytes, -1 for null (Kafka's
 * RecordMetadata), absent when the request gave none — or its error.
 */
export function v3Report(c: C, topic: TopicInfo, o: Outcome, entry: Entry | undefined) {
  if (!o.ok) return bodyOf(o.error_code, o.message, o.error_name);
  return {
    error_code: 200,
    cluster_id: c.env.CLUSTER_ID,
    topic_name: topic.topicName,
    partition_id: o.partition,
    offset: o.offset,
    timestamp: new Date(o.timestampMs).toISOString(),
    ...receiptData(entry),
  };
}

/** The `key` and `value` of a v3 receipt (see `v3Report`). */
export function receiptData(entry: Entry | undefined): { key?: ReceiptData; value?: ReceiptData } {
  if (entry === undefined || !entry.ok) return {};
  const { types, record } = entry.value;
  const out: { key?: ReceiptData; value?: ReceiptData } = {};
  if (types?.key !== undefined) out.key = { type: types.key, size: record.key?.length ?? -1 };
  if (types?.value !== undefined) out.value = { type: types.value, size: record.value?.length ?? -1 };
  return out;
}

/** Confluent's ProduceResponseData: the type a key or value was given in and its size in bytes (-1: null). */
interface ReceiptData {
  type: DataType;
  size: number;
}

/** 415 unless the request body is JSON of some kind. */
export function requireJson(c: C): void {
  if (!isJsonType(c.req.header("content-type"))) {
    throw new RunnelError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, `content type '${c.req.header("content-type")}' is not supported; send application/json`);
  }
}

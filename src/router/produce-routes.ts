/**
 * Produce: v3 single or streamed records (produce-v3.ts), v3
 * records:batch, and the v2 batch endpoints.
 */
import { Hono } from "hono";
import type { Env } from "../env";
import { bodyOf, ErrorCode, RunnelError } from "../errors";
import { limits } from "../limits";
import { parseV2Records } from "../produce/parse-v2";
import { parseV3Record } from "../produce/parse-v3";
import { topicMeta } from "../metadata/topic-cache";
import { markProducedTopic } from "../metrics/count-requests";
import { parseJson, readJsonObject, readText } from "./body";
import { requestFormat } from "./media";
import { tooManyRecords } from "../produce/produce-run";
import { produceFor, receiptData, requireJson, type C } from "./produce-request";
import { produceV3 } from "./produce-v3";
import { partitionIn } from "./topic-routes";

export const produceRoutes = new Hono<{ Bindings: Env }>();

produceRoutes.post("/v3/clusters/:c/topics/:t/records", produceV3);

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
  const entries = list.map((e: unknown) => parseV3Record(e, nowMs, true));
  const { outcomes } = await produceFor(c, { topicName: c.req.param("t"), entries, requestTimeMs: nowMs, atomic: false });
  const successes: unknown[] = [];
  const failures: unknown[] = [];
  outcomes.forEach((o, i) => {
    if (o.ok) successes.push({ id: ids[i], partition_id: o.partition, offset: o.offset, timestamp: new Date(o.timestampMs).toISOString(), ...receiptData(entries[i]) });
    else failures.push({ id: ids[i], ...bodyOf(o.error_code, o.message, o.error_name) });
  });
  return c.json({ successes, failures }, 207);
});

function entryId(entry: unknown, index: number): string {
  const id = typeof entry === "object" && entry !== null ? (entry as { id?: unknown }).id : undefined;
  if (typeof id === "string" && id.length > 0 && id.length <= 80) return id;
  if (typeof id === "number" && Number.isFinite(id)) return String(id);
  throw new RunnelError(ErrorCode.BATCH_ERROR, `entries[${index}] needs an id: a string of 1 to 80 characters`);
}

// v2: atomic batch; an error anywhere refuses the whole request, and an empty or malformed body is a 42206.
async function produceV2(c: C, fixedPartition?: number) {
  const sent = c.req.header("content-type");
  const format = requestFormat(sent);
  if (format !== "binary" && format !== "json") {
    const why = sent === undefined ? "no Content-Type says whether values are base64 (binary) or JSON" : format === null ? `content type '${sent}' is not a v2 type` : `content type '${sent}' needs a schema registry, which Runnel does not have`;
    throw new RunnelError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, `${why}; use application/vnd.kafka.binary.v2+json or application/vnd.kafka.json.v2+json`);
  }
  const text = await readText(c.req.raw, limits.produceRequestBytesMax);
  if (text.trim() === "") throw new RunnelError(ErrorCode.INVALID_PAYLOAD, 'the body is empty; send {"records": [...]}', undefined, "INVALID_REQUEST");
  const nowMs = Date.now();
  const records = parseV2Records(parseJson(text), format, nowMs);
  const entries = records.map((value) => ({ ok: true as const, value }));
  const { outcomes } = await produceFor(c, { topicName: c.req.param("t")!, entries, requestTimeMs: nowMs, atomic: true, fixedPartition });
  const offsets = outcomes.map((o) =>
    o.ok
      ? { partition: o.partition, offset: o.offset, error_code: null, error: null }
      : { partition: "partition" in o ? o.partition : null, offset: null, error_code: o.error_code, error: o.message, ...(o.error_name === undefined ? {} : { error_name: o.error_name }) },
  );
  return c.json({ key_schema_id: null, value_schema_id: null, offsets });
}

produceRoutes.post("/topics/:t", (c) => produceV2(c));
produceRoutes.post("/topics/:t/partitions/:p", async (c) => {
  const topic = await topicMeta(c.env, c.req.param("t"));
  markProducedTopic(c, topic.topicName);
  return produceV2(c, partitionIn(topic, c.req.param("p"), true));
});

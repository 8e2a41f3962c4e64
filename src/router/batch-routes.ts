/**
 * Record batches over HTTP (ext): Kafka's own bytes in and out, for the
 * Kafka protocol front door and clients that batch.
 *
 * POST …/partitions/{p}/batches takes one or more concatenated magic-2
 * batches and checks each as Kafka's broker does (framing and CRC here,
 * the rest in record/record-check.ts: base offset 0, no control,
 * transactional or LogAppendTime bit, records that decode within
 * `limits.batchDecompressedBytesMax` with storable timestamps). It
 * stores them as they came, all or nothing — on a compacted topic only
 * when every record has a key (else 42206 INVALID_RECORD, as Kafka's
 * broker refuses them) — but for what Kafka's broker
 * rewrites too: the max timestamp becomes the records' own (recomputing
 * the CRC) when the header says otherwise; the leader sets the base
 * offset and the partition leader epoch, which lie outside the CRC — and,
 * on a LogAppendTime topic, the timestamp type and max timestamp,
 * recomputing the CRC. Batches with a producer id are Kafka's
 * idempotent producer: the id must have been handed out here
 * (producer-id-routes.ts), and the partition's leader checks epoch and
 * sequences (src/log/producer-state.ts), answering a retry with its
 * original offsets. `?expected_offset=` and `Runnel-Fencing-Token` make
 * the append conditional (produce-condition.ts; the leader checks them
 * after recognising a retry). GET …/batches returns stored batches whole and
 * unchanged, from the one holding `offset`, below the high watermark.
 */
import { Hono } from "hono";
import { readBounded } from "../bytes/read-bounded";
import { concatBytes } from "../bytes/concat";
import type { Env } from "../env";
import { ErrorCode, errorOf, isFailure, type KafkaErrorName, RunnelError, type Failure } from "../errors";
import { limits } from "../limits";
import { markProducedTopic } from "../metrics/count-requests";
import { BATCH_HEADER_BYTES, checkBatch, readBatchHeader, setMaxTimestamp } from "../record/record-batch";
import { checkProducerBatch } from "../record/record-check";
import { callLeader } from "../metadata/leaders";
import { forgetTopic, topicMeta } from "../metadata/topic-cache";
import { idempotentAppendOf } from "../log/producer-state";
import type { AppendOk, FetchOk } from "../replication/types";
import { producerIdIssued } from "../produce/idempotency";
import { keylessRecord } from "../produce/produce-run";
import { parseAcks } from "../produce/producer";
import { compacts, resolveConfigs } from "../topic/configs";
import { boundedIntParam, intParam } from "./params";
import { appendConditionOf } from "./produce-condition";
import { partitionIn } from "./topic-routes";

export const batchRoutes = new Hono<{ Bindings: Env }>();

/** The media type of concatenated Kafka record batches. */
export const RECORD_BATCH_TYPE = "application/vnd.kafka.record-batch";
const PATH = "/v3/clusters/:c/topics/:t/partitions/:p/batches";

batchRoutes.post(PATH, async (c) => {
  const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== RECORD_BATCH_TYPE) {
    throw new RunnelError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, `content type '${c.req.header("content-type") ?? ""}' is not supported; send ${RECORD_BATCH_TYPE}`);
  }
  const acks = parseAcks(c.req.query("acks"));
  const condition = appendConditionOf((name) => c.req.query(name), (name) => c.req.header(name));
  const { batches, keyless } = checkedBatches(await readBody(c.req.raw));
  const idempotent = idempotentAppendOf(batches);
  if (isFailure(idempotent)) throw errorOf(idempotent);
  if (idempotent !== null) await producerIdIssued(c.env, idempotent.producerId);
  for (let attempt = 0; ; attempt++) {
    const topic = await topicMeta(c.env, c.req.param("t"));
    markProducedTopic(c, topic.topicName);
    const partition = partitionIn(topic, c.req.param("p"));
    if (keyless !== null && compacts(resolveConfigs(topic.configs))) {
      throw refused("INVALID_RECORD", `batch ${keyless.batch}: ${keylessRecord(topic, keyless.record).message}`);
    }
    const send = callLeader<AppendOk>(c.env, topic, partition, (leader) =>
      leader.replica.append({ topicId: topic.topicId, leaderEpoch: leader.leaderEpoch, batches, acks, ...(condition === undefined ? {} : { condition }) }),
    );
    if (acks === 0) {
      c.executionCtx.waitUntil(send);
      return c.json({ base_offset: -1, last_offset: -1, log_append_time: -1, log_start_offset: -1 });
    }
    const result = await send;
    if (!result.ok && result.error_code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION && attempt === 0) {
      forgetTopic(topic.topicName); // the cached topic id may be of a deleted topic: look again once
      continue;
    }
    if (!result.ok) throw named(result, "append");
    const { baseOffset, lastOffset, logAppendTimeMs, logStartOffset } = result;
    return c.json({ base_offset: baseOffset, last_offset: lastOffset, log_append_time: logAppendTimeMs, log_start_offset: logStartOffset });
  }
});

batchRoutes.get(PATH, async (c) => {
  if (!acceptsBatches(c.req.header("accept"))) {
    throw new RunnelError(ErrorCode.NOT_ACCEPTABLE, `this endpoint answers ${RECORD_BATCH_TYPE} only; the Accept header allows '${c.req.header("accept")}'`);
  }
  const offset = intParam("offset", c.req.query("offset"));
  const maxBytes = boundedIntParam("max_bytes", c.req.query("max_bytes"), limits.fetchBytesDefault, limits.fetchBytesMax);
  const timeoutMs = boundedIntParam("timeout_ms", c.req.query("timeout_ms"), 0, limits.fetchWaitMsMax);
  for (let attempt = 0; ; attempt++) {
    const topic = await topicMeta(c.env, c.req.param("t"));
    const partition = partitionIn(topic, c.req.param("p"));
    const result = await callLeader<FetchOk>(c.env, topic, partition, (leader) => leader.replica.read({ topicId: topic.topicId, offset, maxBytes, timeoutMs }));
    if (!result.ok && result.error_code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION && attempt === 0) {
      forgetTopic(topic.topicName);
      continue;
    }
    if (!result.ok) throw named(result, "read");
    return c.body(concat(result.batches), 200, {
      "content-type": RECORD_BATCH_TYPE,
      "runnel-high-watermark": String(result.highWatermark),
      "runnel-log-start-offset": String(result.logStartOffset),
      "runnel-next-offset": String(nextOffset(result.batches, offset)),
    });
  }
});

/** The body's bytes, at most `limits.produceRequestBytesMax` (413 past it, checked while reading). */
async function readBody(request: Request): Promise<Uint8Array> {
  const max = limits.produceRequestBytesMax;
  if (Number(request.headers.get("content-length") ?? "0") > max) throw tooLarge(max);
  if (request.body === null) return new Uint8Array(0);
  // A declared length is exact HTTP framing (checked above): the runtime reads it natively, without a chunk loop.
  if (request.headers.has("content-length")) return new Uint8Array(await request.arrayBuffer());
  const bytes = await readBounded(request.body, max);
  if (bytes === null) throw tooLarge(max);
  return bytes;
}

function tooLarge(bytesMax: number): RunnelError {
  return new RunnelError(ErrorCode.PAYLOAD_TOO_LARGE, `request body is over the ${bytesMax}-byte limit`);
}

/**
 * Splits a body into whole batches and checks each (checkedBatch). Any
 * problem refuses the whole body (42206). `keyless`: the first record
 * without a key (batch and record index), which a compacted topic refuses.
 */
function checkedBatches(body: Uint8Array): { batches: Uint8Array[]; keyless: { batch: number; record: number } | null } {
  if (body.length === 0) throw corrupt("the body holds no record batch");
  const batches: Uint8Array[] = [];
  let keyless: { batch: number; record: number } | null = null;
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  for (let at = 0; at < body.length; ) {
    if (body.length - at < BATCH_HEADER_BYTES) throw corrupt(`${body.length - at} bytes at byte ${at} are too few for a record batch`);
    const end = at + 12 + view.getInt32(at + 8);
    if (end < at + BATCH_HEADER_BYTES || end > body.length) throw corrupt(`record batch at byte ${at} says it ends at byte ${end} of ${body.length}`);
    const checked = checkedBatch(body.subarray(at, end), batches.length);
    if (keyless === null && checked.firstKeyless >= 0) keyless = { batch: batches.length, record: checked.firstKeyless };
    batches.push(checked.batch);
    at = end;
  }
  return { batches, keyless };
}

/**
 * One batch checked as Kafka's broker checks it (framing, magic, CRC, then
 * checkProducerBatch's decode of every record), copied out of the body
 * with its max timestamp set to its records' own.
 */
function checkedBatch(batch: Uint8Array, index: number): { batch: Uint8Array; firstKeyless: number } {
  const problem = checkBatch(batch);
  if (problem !== null) throw corrupt(`batch ${index}: ${problem}`);
  const verdict = checkProducerBatch(batch);
  if (!verdict.ok) throw refused(verdict.errorName, `batch ${index}: ${verdict.problem}`);
  // Copy out of the body, so the batch travels over RPC without the rest of the body.
  const copy = batch.slice();
  // The header's max timestamp is only the producer's claim (Sarama writes -1); retention and the time index go by it, so it must be the records'.
  setMaxTimestamp(copy, verdict.maxTimestampMs);
  return { batch: copy, firstKeyless: verdict.firstKeyless };
}

function corrupt(problem: string): RunnelError {
  return refused("CORRUPT_MESSAGE", problem);
}

/** The 42206 refusing the body, its message starting with Kafka's name for why. */
function refused(errorName: KafkaErrorName, problem: string): RunnelError {
  return new RunnelError(ErrorCode.INVALID_PAYLOAD, `${errorName}: ${problem}; nothing was stored`, undefined, errorName);
}

/**
 * A leader's failure as the error to answer, with its Kafka name: a
 * refused append of corrupt batches is 42206 as API.md says.
 */
function named(f: Failure, call: "append" | "read"): RunnelError {
  if (f.error_code === ErrorCode.CORRUPT_MESSAGE && call === "append") return corrupt(f.message);
  return errorOf(f);
}

/** Whether an Accept header allows record batches (absent, `*\/*`, `application/*` or the type itself). */
function acceptsBatches(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === "") return true;
  return accept.split(",").some((part) => {
    const [range, ...params] = part.split(";").map((s) => s.trim().toLowerCase());
    const refused = params.some((p) => /^q=0(\.0*)?$/.test(p));
    return !refused && (range === "*/*" || range === "application/*" || range === RECORD_BATCH_TYPE);
  });
}

function concat(batches: Uint8Array[]): Uint8Array<ArrayBuffer> {
  if (batches.length === 1 && batches[0]!.buffer instanceof ArrayBuffer) return batches[0] as Uint8Array<ArrayBuffer>;
  return concatBytes(batches);
}

/** The offset after the last returned batch; `offset` itself when none was. */
function nextOffset(batches: Uint8Array[], offset: number): number {
  const last = batches[batches.length - 1];
  if (last === undefined) return offset;
  const h = readBatchHeader(last);
  return h.baseOffset + h.lastOffsetDelta + 1;
}

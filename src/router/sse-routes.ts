/**
 * Live tails over Server-Sent Events (ext), as API.md describes them:
 *
 * - `GET …/topics/{t}/partitions/{p}/records?offset=N&format=` with
 *   `Accept: text/event-stream` (the same path answers JSON fetches
 *   otherwise): one `records` event per delivered batch, `data` the fetch
 *   body's `records` array, `id` the next offset. Without `offset` the
 *   tail starts at the high watermark.
 * - `GET …/topics/{t}/records?from=earliest|latest` (default latest):
 *   every partition of the topic as it was when the stream started;
 *   `data` is `{"partition","records"}`, `id` lists every partition's
 *   next offset (`0:o0,1:o1,…`).
 *
 * `Last-Event-ID` resumes exactly where a client left off and wins over
 * `offset` / `from`. Errors found before the stream starts (40401, 40402,
 * 41601, a bad parameter) are the usual JSON answers; once it runs, a
 * failure it cannot outlive is an `error` event and the end of the stream.
 */
import { type Context, Hono } from "hono";
import { accessState } from "../access/access-cache";
import { authMode } from "../access/authenticate";
import { quotaStub } from "../access/principal-quota";
import type { Env } from "../env";
import { ErrorCode, RunnelError, unwrap } from "../errors";
import { parseFormat } from "../fetch/format";
import { positionsOf } from "../fetch/offsets";
import { limits } from "../limits";
import { meteredBody, sseOpened } from "../metrics/sse";
import { topicMeta } from "../metadata/topic-cache";
import type { TopicMeta } from "../topic/types";
import { principalIn } from "./access";
import { negotiate } from "./media";
import { intParam } from "./params";
import { type Pacer, PartitionTail, sseBody, type TailEvent, TopicTail } from "../fetch/sse-tail";
import { partitionIn } from "./topic-routes";

export const sseRoutes = new Hono<{ Bindings: Env }>();
type C = Context<{ Bindings: Env }>;

const EVENT_STREAM = "text/event-stream";

/** Whether the request asks for an event stream rather than JSON (a plain fetch when both are equally fine). */
function wantsEvents(c: C): boolean {
  return negotiate(c.req.header("accept"), ["application/json", EVENT_STREAM]) === EVENT_STREAM;
}

sseRoutes.get("/v3/clusters/:c/topics/:t/partitions/:p/records", async (c, next) => {
  if (!wantsEvents(c)) return next(); // the JSON fetch of fetch-routes.ts
  const topic = await topicMeta(c.env, c.req.param("t"));
  const partition = partitionIn(topic, c.req.param("p"));
  const format = parseFormat(c.req.query("format"));
  const lastId = c.req.header("last-event-id");
  const offset =
    lastId !== undefined && lastId.trim() !== ""
      ? intParam("Last-Event-ID", lastId.trim())
      : c.req.query("offset") !== undefined
        ? intParam("offset", c.req.query("offset"))
        : (await positionsOf(c.env, topic, partition)).highWatermark;
  const tail = new PartitionTail(c.env, topic, partition, offset, format, limits.sseReadBytesMax);
  const first = await tail.next(0); // 41601 here, before the stream, when the offset is outside the log
  const pacer = await quotaPacer(c);
  const meter = sseOpened(c.env, c.executionCtx, topic.topicName); // GET /metrics: open streams, records sent
  let sent = offset;
  const formatEvent = (e: TailEvent) => {
    meter.delivered(e.nextOffset - sent);
    sent = e.nextOffset;
    return `id: ${e.nextOffset}\nevent: records\ndata: [${e.json}]\n\n`;
  };
  return stream(meteredBody(sseBody(tail, first, formatEvent, pacer), meter));
});

sseRoutes.get("/v3/clusters/:c/topics/:t/records", async (c) => {
  if (negotiate(c.req.header("accept"), [EVENT_STREAM]) === null) {
    throw new RunnelError(ErrorCode.NOT_ACCEPTABLE, `this endpoint answers ${EVENT_STREAM} only; the Accept header allows '${c.req.header("accept")}'`);
  }
  const topic = await topicMeta(c.env, c.req.param("t"));
  const format = parseFormat(c.req.query("format"));
  const from = c.req.query("from") ?? "latest";
  if (from !== "earliest" && from !== "latest") throw new RunnelError(ErrorCode.BAD_REQUEST, `from must be earliest or latest, got '${from}'`);
  const resumed = parseTopicEventId(c.req.header("last-event-id"), topic);
  const starts = await Promise.all(
    Array.from({ length: topic.partitionsCount }, async (_, p) => {
      const at = resumed.get(p);
      if (at !== undefined) return at;
      const positions = await positionsOf(c.env, topic, p);
      return from === "earliest" ? positions.logStartOffset : positions.highWatermark;
    }),
  );
  const tails = starts.map((offset, p) => new PartitionTail(c.env, topic, p, offset, format, limits.sseTopicReadBytesMax));
  // Every partition's first read before the stream: an offset outside its log is a 41601 answer.
  const first = (await Promise.all(tails.map((t) => t.next(0)))).flat();
  const written = [...starts];
  const pacer = await quotaPacer(c);
  const meter = sseOpened(c.env, c.executionCtx, topic.topicName); // GET /metrics: open streams, records sent
  const formatEvent = (e: TailEvent) => {
    meter.delivered(e.nextOffset - written[e.partition]!);
    written[e.partition] = e.nextOffset;
    const id = written.map((o, p) => `${p}:${o}`).join(",");
    return `id: ${id}\nevent: records\ndata: {"partition":${e.partition},"records":[${e.json}]}\n\n`;
  };
  return stream(meteredBody(sseBody(new TopicTail(tails), first, formatEvent, pacer), meter));
});

/** `Last-Event-ID` of a topic-wide stream: `p:offset` pairs joined by commas; partitions it leaves out start at `from`. */
function parseTopicEventId(raw: string | undefined, topic: TopicMeta): Map<number, number> {
  const out = new Map<number, number>();
  if (raw === undefined || raw.trim() === "") return out;
  for (const pair of raw.trim().split(",")) {
    const m = /^(\d{1,10}):(\d{1,16})$/.exec(pair.trim());
    const p = Number(m?.[1]);
    const offset = Number(m?.[2]);
    if (m === null || !Number.isSafeInteger(offset) || out.has(p)) {
      throw new RunnelError(ErrorCode.BAD_REQUEST, `Last-Event-ID must list partition:offset pairs such as 0:12,1:40, got '${raw}'`);
    }
    if (p >= topic.partitionsCount) throw new RunnelError(ErrorCode.UNKNOWN_PARTITION, `topic '${topic.topicName}' has no partition ${p} (it has ${topic.partitionsCount})`);
    out.set(p, offset);
  }
  return out;
}

function stream(body: ReadableStream<Uint8Array>): Response {
  return new Response(body, {
    status: 200,
    headers: { "content-type": `${EVENT_STREAM}; charset=utf-8`, "cache-control": "no-cache", "x-accel-buffering": "no" },
  });
}

/**
 * The principal's consumer byte quota, applied event by event: a stream
 * over its quota waits (pinging) instead of failing, and each event's
 * bytes are charged as it is written. Null when no quota applies.
 */
async function quotaPacer(c: C): Promise<Pacer | null> {
  if (authMode(c.env) !== "on") return null;
  const principal = principalIn(c);
  const rateOf = async () => (await accessState(c.env)).quotas.get(principal)?.consumer_byte_rate ?? null;
  if ((await rateOf()) === null) return null;
  const stub = quotaStub(c.env, principal);
  return {
    async delayMs() {
      const rate = await rateOf();
      if (rate === null) return 0;
      const answer = unwrap(await stub.reserve("consumer_bytes", 0, rate));
      return answer.granted ? 0 : answer.retryAfterS * 1000;
    },
    async charge(bytes) {
      unwrap(await stub.charge("consumer_bytes", bytes));
    },
  };
}

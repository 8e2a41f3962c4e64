/** Stateless fetch by offset: v3 (ext) and the v2 partition records endpoint. */
import { Hono, type Context } from "hono";
import type { Env } from "../env";
import { fetchRecords } from "../fetch/fetcher";
import { parseFormat, type RecordFormat } from "../fetch/format";
import { limits } from "../limits";
import { replicaAt } from "../metadata/leaders";
import { topicMeta } from "../metadata/topic-cache";
import type { TopicMeta } from "../topic/types";
import { boundedIntParam, intParam } from "./params";
import { embeddedType, formatOfType } from "./media";
import { partitionIn } from "./topic-routes";
import { negotiatedType } from "./v2-media";

export const fetchRoutes = new Hono<{ Bindings: Env }>();
type C = Context<{ Bindings: Env }>;

async function fetchRoute(c: C, timeoutParam: string, format: RecordFormat, v2: boolean) {
  const topic = await topicMeta(c.env, c.req.param("t")!);
  const partition = partitionIn(topic, c.req.param("p"), v2);
  const fetched = await fetchRecords(c.env, topic, partition, {
    offset: intParam("offset", c.req.query("offset")),
    maxBytes: boundedIntParam("max_bytes", c.req.query("max_bytes"), limits.fetchBytesDefault, limits.fetchBytesMax),
    maxRecords: intParam("max_records", c.req.query("max_records"), Number.MAX_SAFE_INTEGER),
    timeoutMs: boundedIntParam(timeoutParam, c.req.query(timeoutParam), 0, limits.fetchWaitMsMax),
    ...preferredReplica(c, topic, partition),
  }, format);
  // v2 answers the bare records array in the embedded format's type, as Redpanda's proxy does.
  if (v2) return c.body(`[${fetched.json}]`, 200, { "content-type": embeddedType(format) });
  const body = `{"records":[${fetched.json}],"next_offset":${fetched.nextOffset},"high_watermark":${fetched.highWatermark},"log_start_offset":${fetched.logStartOffset}}`;
  return c.body(body, 200, { "content-type": "application/json" });
}

/** `&replica={broker}` (must be in the ISR) or `&location={hint}` (an in-sync replica there, else the leader). */
function preferredReplica(c: C, topic: TopicMeta, partition: number): { replica?: number } {
  const replica = c.req.query("replica");
  if (replica !== undefined) return { replica: intParam("replica", replica) };
  const location = c.req.query("location");
  const at = location === undefined ? undefined : replicaAt(c.env, topic, partition, location);
  return at === undefined ? {} : { replica: at };
}

fetchRoutes.get("/v3/clusters/:c/topics/:t/partitions/:p/records", (c) => fetchRoute(c, "timeout_ms", parseFormat(c.req.query("format")), false));

/** v2 takes the format from `?format=`, else from the type the Accept header negotiated (format-less types mean binary). */
fetchRoutes.get("/topics/:t/partitions/:p/records", (c) => {
  const format = c.req.query("format");
  return fetchRoute(c, "timeout", format === undefined ? formatOfType(negotiatedType(c)) : parseFormat(format), true);
});

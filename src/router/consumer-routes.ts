/**
 * Consumer instances (REST-proxy v2): create, subscribe, assign, poll
 * records, commit, seek, delete. Instance state lives in the group's
 * coordinator, so any Worker can serve any request; the records request
 * runs in the Worker (group/consumer-poll.ts), reading straight from the
 * partition leaders.
 */
import { Hono, type Context } from "hono";
import type { Env } from "../env";
import { ErrorCode, RunnelError, unwrap } from "../errors";
import { parseFormat } from "../fetch/format";
import type { TopicPartition } from "../group/assignors";
import { ASSIGNORS, type Assignor } from "../group/assignors";
import { groupStub } from "../group/group-stub";
import { pollRecords } from "../group/consumer-poll";
import type { SeekTarget } from "../group/types";
import { parseOffsets } from "../group/parse-offsets";
import { limits } from "../limits";
import { parseJson, readJsonObject, readText } from "./body";
import { boundedIntParam } from "./params";
import { baseUrl } from "./url";

export const consumerRoutes = new Hono<{ Bindings: Env }>();
type C = Context<{ Bindings: Env }>;
const I = "/consumers/:g/instances/:i";

const group = (c: C) => groupStub(c.env, c.req.param("g")!);
const instance = (c: C) => c.req.param("i")!;

consumerRoutes.post("/consumers/:g", async (c) => {
  const body = await readJsonObject(c.req.raw, limits.adminRequestBytesMax);
  const name = body.name;
  if (name !== undefined && (typeof name !== "string" || !/^[\w.-]{1,255}$/.test(name))) {
    throw new RunnelError(ErrorCode.BAD_REQUEST, "name must be 1 to 255 letters, digits, '.', '_' or '-'");
  }
  const format = parseFormat(body.format === undefined ? undefined : String(body.format));
  const reset = body["auto.offset.reset"] ?? "latest";
  if (reset !== "earliest" && reset !== "latest") throw new RunnelError(ErrorCode.BAD_REQUEST, "auto.offset.reset must be earliest or latest");
  const autoCommit = String(body["auto.commit.enable"] ?? "true");
  if (autoCommit !== "true" && autoCommit !== "false") throw new RunnelError(ErrorCode.BAD_REQUEST, "auto.commit.enable must be true or false");
  const sessionTimeoutMs = Number(body["session.timeout.ms"] ?? limits.sessionTimeoutMsDefault);
  if (!Number.isInteger(sessionTimeoutMs) || sessionTimeoutMs < limits.sessionTimeoutMsMin || sessionTimeoutMs > limits.sessionTimeoutMsMax) {
    throw new RunnelError(ErrorCode.BAD_REQUEST, `session.timeout.ms must be from ${limits.sessionTimeoutMsMin} to ${limits.sessionTimeoutMsMax}`);
  }
  const strategy = body["partition.assignment.strategy"];
  if (strategy !== undefined && !ASSIGNORS.includes(strategy as Assignor)) {
    throw new RunnelError(ErrorCode.BAD_REQUEST, `partition.assignment.strategy must be one of ${ASSIGNORS.join(", ")}`);
  }
  const created = unwrap(
    await group(c).createMember(c.req.param("g"), {
      ...(name === undefined ? {} : { name: name as string }),
      ...(strategy === undefined ? {} : { assignor: strategy as Assignor }),
      config: { format, autoOffsetReset: reset, autoCommit: autoCommit === "true", sessionTimeoutMs },
    }),
  );
  return c.json({ instance_id: created.memberId, base_uri: `${baseUrl(c)}/consumers/${c.req.param("g")}/instances/${created.memberId}` });
});

consumerRoutes.delete(I, async (c) => {
  unwrap(await group(c).removeMember(instance(c)));
  return c.body(null, 204);
});

consumerRoutes.post(`${I}/subscription`, async (c) => {
  const body = await readJsonObject(c.req.raw, limits.adminRequestBytesMax);
  if (typeof body.topic_pattern === "string") {
    unwrap(await group(c).subscribe(instance(c), { pattern: body.topic_pattern }));
  } else if (Array.isArray(body.topics) && body.topics.length > 0 && body.topics.every((t) => typeof t === "string")) {
    unwrap(await group(c).subscribe(instance(c), { topics: body.topics as string[] }));
  } else {
    throw new RunnelError(ErrorCode.BAD_REQUEST, 'subscription needs "topics": [names] or "topic_pattern": regex');
  }
  return c.body(null, 204);
});

consumerRoutes.get(`${I}/subscription`, async (c) => {
  const { subscription } = unwrap(await group(c).subscription(instance(c)));
  if (subscription === null) return c.json({ topics: [] });
  return c.json("pattern" in subscription ? { topic_pattern: subscription.pattern, topics: [] } : { topics: subscription.topics });
});

consumerRoutes.delete(`${I}/subscription`, async (c) => {
  unwrap(await group(c).unsubscribe(instance(c)));
  return c.body(null, 204);
});

consumerRoutes.get(`${I}/assignments`, async (c) => {
  const { partitions } = unwrap(await group(c).assignments(instance(c)));
  return c.json({ partitions });
});

consumerRoutes.post(`${I}/assignments`, async (c) => {
  const body = await readJsonObject(c.req.raw, limits.adminRequestBytesMax);
  unwrap(await group(c).assignManually(instance(c), partitionList(body.partitions)));
  return c.body(null, 204);
});

consumerRoutes.get(`${I}/records`, async (c) => {
  const timeoutMs = boundedIntParam("timeout", c.req.query("timeout"), limits.consumerPollMsDefault, limits.fetchWaitMsMax);
  const maxBytes = boundedIntParam("max_bytes", c.req.query("max_bytes"), limits.fetchBytesDefault, limits.fetchBytesMax);
  const body = await pollRecords(c.env, group(c), instance(c), timeoutMs, maxBytes);
  return c.body(body, 200, { "content-type": "application/json" });
});

consumerRoutes.post(`${I}/offsets`, async (c) => {
  const text = await readText(c.req.raw, limits.adminRequestBytesMax);
  const body = text.trim() === "" ? {} : (parseJson(text) as Record<string, unknown>);
  const list = body.offsets ?? body.partitions;
  if (list === undefined) {
    unwrap(await group(c).commit(instance(c), null));
  } else {
    const offsets = parseOffsets(list);
    if (offsets === null) throw new RunnelError(ErrorCode.BAD_REQUEST, "offsets must be [{topic, partition, offset}]");
    unwrap(await group(c).commit(instance(c), offsets));
  }
  return c.body(null, 204);
});

consumerRoutes.get(`${I}/offsets`, async (c) => {
  const text = await readText(c.req.raw, limits.adminRequestBytesMax);
  const body = text.trim() === "" ? {} : (parseJson(text) as Record<string, unknown>);
  const partitions = body.partitions === undefined ? null : partitionList(body.partitions);
  const { offsets } = unwrap(await group(c).committed(instance(c), partitions));
  return c.json({ offsets });
});

consumerRoutes.post(`${I}/positions`, async (c) => {
  const body = await readJsonObject(c.req.raw, limits.adminRequestBytesMax);
  let targets: (TopicPartition & SeekTarget)[];
  if (body.timestamps !== undefined) {
    if (!Array.isArray(body.timestamps)) throw new RunnelError(ErrorCode.BAD_REQUEST, "timestamps must be [{topic, partition, timestamp}]");
    targets = body.timestamps.map((t: Record<string, unknown>) => {
      const ms = typeof t.timestamp === "string" ? Date.parse(t.timestamp) : t.timestamp;
      if (typeof ms !== "number" || !Number.isFinite(ms)) throw new RunnelError(ErrorCode.BAD_REQUEST, "each timestamp must be epoch ms or RFC 3339");
      return { ...partitionList([t])[0]!, timestamp: ms };
    });
  } else {
    const offsets = parseOffsets(body.offsets);
    if (offsets === null) throw new RunnelError(ErrorCode.BAD_REQUEST, "positions need offsets: [{topic, partition, offset}] or timestamps");
    targets = offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset }));
  }
  unwrap(await group(c).seek(instance(c), targets));
  return c.body(null, 204);
});

for (const end of ["beginning", "end"] as const) {
  consumerRoutes.post(`${I}/positions/${end}`, async (c) => {
    const body = await readJsonObject(c.req.raw, limits.adminRequestBytesMax);
    const to = end === "beginning" ? "earliest" : "latest";
    unwrap(await group(c).seek(instance(c), partitionList(body.partitions).map((tp) => ({ ...tp, to }))));
    return c.body(null, 204);
  });
}

/** `[{topic, partition}]`, or 400. */
function partitionList(list: unknown): TopicPartition[] {
  if (!Array.isArray(list) || list.length === 0) throw new RunnelError(ErrorCode.BAD_REQUEST, "partitions must be a non-empty [{topic, partition}]");
  return list.map((p: unknown) => {
    const { topic, partition } = (p ?? {}) as Record<string, unknown>;
    if (typeof topic !== "string" || typeof partition !== "number" || !Number.isInteger(partition) || partition < 0) {
      throw new RunnelError(ErrorCode.BAD_REQUEST, "each partition needs a topic name and a partition number");
    }
    return { topic, partition };
  });
}

/** Consumer-group admin (v3): list, describe, consumers, lags, lag summary, offsets:reset; and the WebSocket consumer. */
import { Hono, type Context } from "hono";
import type { Env } from "../env";
import { ErrorCode, RunnelError, unwrap, type Failure } from "../errors";
import { groupStub } from "../group/group-stub";
import type { GroupDescription, SeekTarget } from "../group/types";
import { limits } from "../limits";
import { controllerStub } from "../metadata/controller-stub";
import { readJsonObject } from "./body";
import { baseUrl } from "./url";
import { list } from "./views";

export const groupRoutes = new Hono<{ Bindings: Env }>();
type C = Context<{ Bindings: Env }>;
const G = "/v3/clusters/:c/consumer-groups";

function groupView(c: C, g: GroupDescription) {
  const self = `${baseUrl(c)}/v3/clusters/${c.env.CLUSTER_ID}/consumer-groups/${g.groupId}`;
  return {
    kind: "KafkaConsumerGroup",
    metadata: { self },
    cluster_id: c.env.CLUSTER_ID,
    consumer_group_id: g.groupId,
    is_simple: false,
    partition_assignor: g.assignor,
    state: g.state,
    generation: g.generation,
    coordinator: { related: self },
    consumers: g.members.map((m) => consumerView(c, g, m)),
    lag_summary: { related: `${self}/lag-summary` },
  };
}

function consumerView(c: C, g: GroupDescription, m: GroupDescription["members"][number]) {
  return {
    kind: "KafkaConsumer",
    cluster_id: c.env.CLUSTER_ID,
    consumer_group_id: g.groupId,
    consumer_id: m.memberId,
    client_id: m.kind === "ws" ? "websocket" : "http",
    assignments: m.assignment.map((tp) => ({ topic_name: tp.topic, partition_id: tp.partition })),
  };
}

groupRoutes.get(G, async (c) => {
  const { groups: ids } = unwrap(await controllerStub(c.env).listGroups());
  const groups = (await Promise.all(ids.map(async (id) => groupStub(c.env, id).describe(id)))) as (GroupDescription | Failure)[];
  // A group listed but never joined (its first member was refused) is not shown; any other failure is the answer.
  const views = groups.filter((g) => g.ok || g.error_code !== ErrorCode.GROUP_NOT_FOUND).map((g) => groupView(c, unwrap(g)));
  return c.json(list("ConsumerGroup", `${baseUrl(c)}${c.req.path}`, views));
});

groupRoutes.get(`${G}/:g`, async (c) => {
  return c.json(groupView(c, unwrap(await groupStub(c.env, c.req.param("g")).describe(c.req.param("g")))));
});

groupRoutes.get(`${G}/:g/consumers`, async (c) => {
  const g = unwrap(await groupStub(c.env, c.req.param("g")).describe(c.req.param("g")));
  return c.json(list("Consumer", `${baseUrl(c)}${c.req.path}`, g.members.map((m) => consumerView(c, g, m))));
});

groupRoutes.get(`${G}/:g/lags`, async (c) => {
  const { rows } = unwrap(await groupStub(c.env, c.req.param("g")).lags(c.req.param("g")));
  const data = rows.map((r) => ({
    kind: "KafkaConsumerLag",
    cluster_id: c.env.CLUSTER_ID,
    consumer_group_id: c.req.param("g"),
    topic_name: r.topic,
    partition_id: r.partition,
    current_offset: r.currentOffset,
    log_end_offset: r.logEndOffset,
    lag: r.lag,
    consumer_id: r.consumerId,
  }));
  return c.json(list("ConsumerLag", `${baseUrl(c)}${c.req.path}`, data));
});

groupRoutes.get(`${G}/:g/lag-summary`, async (c) => {
  const { rows } = unwrap(await groupStub(c.env, c.req.param("g")).lags(c.req.param("g")));
  const max = rows.reduce<(typeof rows)[number] | null>((a, r) => (a === null || r.lag > a.lag ? r : a), null);
  return c.json({
    kind: "KafkaConsumerGroupLagSummary",
    cluster_id: c.env.CLUSTER_ID,
    consumer_group_id: c.req.param("g"),
    max_lag: max?.lag ?? 0,
    total_lag: rows.reduce((sum, r) => sum + r.lag, 0),
    max_lag_topic_name: max?.topic ?? null,
    max_lag_partition_id: max?.partition ?? null,
    max_lag_consumer_id: max?.consumerId ?? null,
  });
});

groupRoutes.post(`${G}/:g/:action{offsets:reset}`, async (c) => {
  const body = await readJsonObject(c.req.raw, limits.adminRequestBytesMax);
  if (typeof body.topic !== "string") throw new RunnelError(ErrorCode.BAD_REQUEST, "topic is required");
  const partitions = body.partitions === undefined ? null : body.partitions;
  if (partitions !== null && (!Array.isArray(partitions) || !partitions.every((p) => Number.isInteger(p) && p >= 0))) {
    throw new RunnelError(ErrorCode.BAD_REQUEST, "partitions must be a list of partition numbers");
  }
  let target: SeekTarget;
  if (body.to === "earliest" || body.to === "latest") target = { to: body.to };
  else if (body.to === "offset" && Number.isInteger(body.offset)) target = { offset: body.offset as number };
  else if (body.to === "timestamp" && (typeof body.timestamp === "number" || typeof body.timestamp === "string")) {
    const ms = typeof body.timestamp === "number" ? body.timestamp : Date.parse(body.timestamp);
    if (!Number.isFinite(ms)) throw new RunnelError(ErrorCode.BAD_REQUEST, "timestamp must be epoch ms or RFC 3339");
    target = { timestamp: ms };
  } else throw new RunnelError(ErrorCode.BAD_REQUEST, 'to must be "earliest", "latest", "offset" (with offset) or "timestamp" (with timestamp)');
  const result = unwrap(await groupStub(c.env, c.req.param("g")).resetOffsets(c.req.param("g"), body.topic, partitions as number[] | null, target));
  return c.json({ data: result.offsets.map((o) => ({ topic_name: o.topic, partition_id: o.partition, offset: o.offset })) });
});

/** WebSocket subscriptions are accepted by the group's coordinator itself. */
groupRoutes.get("/ws/v1/consumer/:g", (c) => groupStub(c.env, c.req.param("g")).fetch(c.req.raw));

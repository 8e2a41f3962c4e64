/**
 * Consumer-group admin (v3): list, describe, consumers and their
 * assignments, lags (all, or one partition's), lag summary,
 * offsets:reset; and the WebSocket consumer. Shapes are group-views.ts.
 */
import { Hono, type Context } from "hono";
import type { Env } from "../env";
import { ErrorCode, errorOf, RunnelError, unwrap, type Failure } from "../errors";
import type { GroupDescription, LagRow } from "../group/types";
import { PRINCIPAL_HEADER } from "../group/ws/ws-socket";
import { parseInput } from "../input";
import { limits } from "../limits";
import { notAuthorized } from "../access/acl";
import { topicMeta } from "../metadata/topic-cache";
import { describable, mayDo, principalIn } from "./access";
import { OffsetsResetScope, OffsetsResetTarget } from "./admin-schemas";
import { readJsonObject } from "./body";
import { assignmentView, consumerView, groupView, lagSummaryView, lagView, type ViewBase } from "./group-views";
import { partitionIn as topicPartition } from "./topic-routes";
import { baseUrl } from "./url";
import { list } from "./views";
import { callController, callGroup, upgradeToGroup } from "../rpc/objects";

export const groupRoutes = new Hono<{ Bindings: Env }>();
type C = Context<{ Bindings: Env }>;
const G = "/v3/clusters/:c/consumer-groups";

const base = (c: C): ViewBase => ({ url: baseUrl(c), clusterId: c.env.CLUSTER_ID });
const groupId = (c: C) => c.req.param("g")!;
const self = (c: C) => `${baseUrl(c)}${c.req.path}`;

/** The group in the path, described (40405 when it was never joined). */
async function described(c: C): Promise<GroupDescription> {
  return unwrap(await callGroup(c.env, groupId(c)).describe(groupId(c)));
}

/** The member `:m` of the group in the path (40403 when it has none of that id). */
async function member(c: C): Promise<GroupDescription["members"][number]> {
  const m = (await described(c)).members.find((x) => x.memberId === c.req.param("m"));
  if (m === undefined) throw new RunnelError(ErrorCode.CONSUMER_INSTANCE_NOT_FOUND, `consumer '${c.req.param("m")}' is not a member of group '${groupId(c)}'`);
  return m;
}

/** The group's lag rows, of the topics the principal may DESCRIBE (as Kafka's OffsetFetch shows only those). */
async function lagRowsOf(c: C): Promise<LagRow[]> {
  return describable(c, "TOPIC", unwrap(await callGroup(c.env, groupId(c)).lags(groupId(c))).rows, (r) => r.topic);
}

/** The partition named by `:t` and `:p`; a `:p` that is not a number is a 404. */
function partitionIn(c: C): { topic: string; partition: number } {
  const p = c.req.param("p")!;
  if (!/^\d{1,9}$/.test(p)) throw new RunnelError(ErrorCode.NOT_FOUND, `partition '${p}' is not a partition number`);
  return { topic: c.req.param("t")!, partition: Number(p) };
}

groupRoutes.get(G, async (c) => {
  const { groups: all } = unwrap(await callController(c.env).listGroups());
  const ids = await describable(c, "GROUP", all, (g) => g);
  const groups = (await Promise.all(ids.map(async (id) => callGroup(c.env, id).describe(id)))) as (GroupDescription | Failure)[];
  // A group listed but never joined (its first member was refused) is not shown; any other failure is the answer.
  const views = groups.filter((g) => g.ok || g.error_code !== ErrorCode.GROUP_NOT_FOUND).map((g) => groupView(base(c), unwrap(g)));
  return c.json(list("ConsumerGroup", self(c), views));
});

groupRoutes.get(`${G}/:g`, async (c) => c.json(groupView(base(c), await described(c))));

groupRoutes.get(`${G}/:g/consumers`, async (c) => {
  const g = await described(c);
  return c.json(list("Consumer", self(c), g.members.map((m) => consumerView(base(c), g.groupId, m))));
});

groupRoutes.get(`${G}/:g/consumers/:m`, async (c) => c.json(consumerView(base(c), groupId(c), await member(c))));

groupRoutes.get(`${G}/:g/consumers/:m/assignments`, async (c) => {
  const m = await member(c);
  return c.json(list("ConsumerAssignment", self(c), m.assignment.map((tp) => assignmentView(base(c), groupId(c), m.memberId, tp))));
});

groupRoutes.get(`${G}/:g/consumers/:m/assignments/:t/partitions/:p`, async (c) => {
  const m = await member(c);
  const tp = partitionIn(c);
  if (!m.assignment.some((a) => a.topic === tp.topic && a.partition === tp.partition)) {
    throw new RunnelError(ErrorCode.NOT_FOUND, `consumer '${m.memberId}' is not assigned ${tp.topic}-${tp.partition}`);
  }
  return c.json(assignmentView(base(c), groupId(c), m.memberId, tp));
});

groupRoutes.get(`${G}/:g/lags`, async (c) => {
  const rows = await lagRowsOf(c);
  return c.json(list("ConsumerLag", self(c), rows.map((r) => lagView(base(c), groupId(c), r))));
});

groupRoutes.get(`${G}/:g/lags/:t/partitions/:p`, async (c) => {
  const tp = partitionIn(c);
  const row = (await lagRowsOf(c)).find((r) => r.topic === tp.topic && r.partition === tp.partition);
  if (row === undefined) {
    throw new RunnelError(ErrorCode.NOT_FOUND, `group '${groupId(c)}' has no lag for ${tp.topic}-${tp.partition}: it neither subscribes to that partition's topic nor committed an offset for it`);
  }
  return c.json(lagView(base(c), groupId(c), row));
});

groupRoutes.get(`${G}/:g/lag-summary`, async (c) => c.json(lagSummaryView(base(c), groupId(c), await lagRowsOf(c))));

groupRoutes.post(`${G}/:g/:action{offsets:reset}`, async (c) => {
  const body = await readJsonObject(c.req.raw, limits.adminRequestBytesMax);
  const { topic, partitions } = parseInput(OffsetsResetScope, body);
  const result = unwrap(await callGroup(c.env, groupId(c)).resetOffsets(groupId(c), topic, partitions, parseInput(OffsetsResetTarget, body)));
  return c.json({ data: result.offsets.map((o) => ({ topic_name: o.topic, partition_id: o.partition, offset: o.offset })) });
});

// Kafka's DeleteGroups: a group without members goes, with its committed offsets (40903 NON_EMPTY_GROUP while it has any).
groupRoutes.delete(`${G}/:g`, async (c) => {
  unwrap(await callGroup(c.env, groupId(c)).deleteGroup(groupId(c)));
  return c.body(null, 204);
});

// Kafka's OffsetDelete (ext): a topic's committed offsets go, while no member subscribes to it (40903 GROUP_SUBSCRIBED_TO_TOPIC).
groupRoutes.post(`${G}/:g/:action{offsets:delete}`, async (c) => {
  const { topic, partitions } = parseInput(OffsetsResetScope, await readJsonObject(c.req.raw, limits.adminRequestBytesMax));
  if (!(await mayDo(c, "TOPIC", topic, "READ"))) throw errorOf(notAuthorized(principalIn(c), "READ", "TOPIC", topic));
  const meta = await topicMeta(c.env, topic);
  for (const p of partitions ?? []) topicPartition(meta, String(p));
  const done = unwrap(await callGroup(c.env, groupId(c)).deleteOffsets(groupId(c), topic, partitions));
  return c.json({ data: done.partitions.map((p) => ({ topic_name: p.topic, partition_id: p.partition })) });
});

/**
 * WebSocket subscriptions are accepted by the group's coordinator itself;
 * it learns the upgrade's principal from the router (never from the client).
 */
groupRoutes.get("/ws/v1/consumer/:g", (c) => {
  const headers = new Headers(c.req.raw.headers);
  headers.set(PRINCIPAL_HEADER, principalIn(c));
  return upgradeToGroup(c.env, groupId(c), new Request(c.req.raw, { headers }));
});

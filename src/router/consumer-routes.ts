/**
 * Consumer instances (REST-proxy v2, and the v1 read of one topic that
 * old clients use): create, subscribe, assign, poll records, commit,
 * seek, delete. Instance state lives in the group's coordinator, so any
 * Worker can serve any request; the records request runs in the Worker
 * (consumer/consumer-poll.ts), reading straight from the partition leaders.
 * Every call acts as the request's principal: the router checked READ on
 * the group; the coordinator checks READ on every topic.
 */
import { Hono, type Context } from "hono";
import type { Env } from "../env";
import { ErrorCode, RunnelError, unwrap } from "../errors";
import type { RecordFormat } from "../fetch/format";
import { CommitBody, CommittedBody, PartitionsBody, PositionsBody, SubscriptionBody } from "../consumer/consumer-bodies";
import { consumerCreateOf } from "../consumer/consumer-config";
import { pollRecords } from "../consumer/consumer-poll";
import { parseInput } from "../input";
import { limits } from "../limits";
import { principalIn } from "./access";
import { parseJson, readJsonObject, readText } from "./body";
import { embeddedType, negotiate, V2_OFFERS } from "./media";
import { boundedIntParam } from "./params";
import { baseUrl } from "./url";
import { callGroup } from "../rpc/objects";

export const consumerRoutes = new Hono<{ Bindings: Env }>();
type C = Context<{ Bindings: Env }>;
const I = "/consumers/:g/instances/:i";

const group = (c: C) => callGroup(c.env, c.req.param("g")!);
const instance = (c: C) => c.req.param("i")!;

// No body is every default (binary, latest, auto-commit), as Confluent's proxy takes it.
consumerRoutes.post("/consumers/:g", async (c) => {
  const create = consumerCreateOf(await optionalObject(c));
  const created = unwrap(await group(c).createMember(c.req.param("g"), { ...create, principal: principalIn(c) }));
  return c.json({ instance_id: created.memberId, base_uri: `${baseUrl(c)}/consumers/${c.req.param("g")}/instances/${created.memberId}` });
});

consumerRoutes.delete(I, async (c) => {
  unwrap(await group(c).removeMember(instance(c)));
  return c.body(null, 204);
});

consumerRoutes.post(`${I}/subscription`, async (c) => {
  const subscription = subscriptionOf(await readJsonObject(c.req.raw, limits.adminRequestBytesMax));
  unwrap(await group(c).subscribe(instance(c), subscription, principalIn(c)));
  return c.body(null, 204);
});

consumerRoutes.get(`${I}/subscription`, async (c) => {
  const { subscription, topics } = unwrap(await group(c).subscription(instance(c)));
  return c.json(subscription !== null && "pattern" in subscription ? { topics, topic_pattern: subscription.pattern } : { topics });
});

consumerRoutes.delete(`${I}/subscription`, async (c) => {
  unwrap(await group(c).unsubscribe(instance(c), principalIn(c)));
  return c.body(null, 204);
});

consumerRoutes.get(`${I}/assignments`, async (c) => {
  const { partitions } = unwrap(await group(c).assignments(instance(c)));
  return c.json({ partitions });
});

consumerRoutes.post(`${I}/assignments`, async (c) => {
  const { partitions } = parseInput(PartitionsBody, await readJsonObject(c.req.raw, limits.adminRequestBytesMax));
  unwrap(await group(c).assignManually(instance(c), partitions, principalIn(c)));
  return c.body(null, 204);
});

consumerRoutes.get(`${I}/records`, async (c) => records(c));

/** The v1 read of one topic: the first read subscribes the instance to it (Confluent's v1 consumer API, which kafka-rest 0.0.x speaks). */
consumerRoutes.get(`${I}/topics/:t`, async (c) => {
  unwrap(await group(c).subscribeOnce(instance(c), c.req.param("t"), principalIn(c), acceptedFormats(c)));
  return records(c, c.req.param("t"));
});

consumerRoutes.post(`${I}/offsets`, async (c) => {
  const { offsets } = parseInput(CommitBody, await optionalObject(c));
  // The REST meaning: each posted offset is the last one consumed; the group stores offset + 1.
  const committed = unwrap(await group(c).commit(instance(c), offsets ?? null, principalIn(c), true));
  // Confluent's CommitOffsetsResponse (a JSON array): `consumed` the last offset consumed, `committed` what the group stores.
  return c.json(committed.offsets.map((o) => ({ topic: o.topic, partition: o.partition, consumed: o.offset - 1, committed: o.offset })));
});

consumerRoutes.get(`${I}/offsets`, async (c) => {
  const { partitions } = parseInput(CommittedBody, await optionalObject(c));
  const { offsets } = unwrap(await group(c).committed(instance(c), partitions ?? null, principalIn(c)));
  return c.json({ offsets: offsets.map((o) => ({ ...o, metadata: o.metadata ?? "" })) });
});

consumerRoutes.post(`${I}/positions`, async (c) => {
  const targets = parseInput(PositionsBody, await readJsonObject(c.req.raw, limits.adminRequestBytesMax));
  unwrap(await group(c).seek(instance(c), targets, principalIn(c)));
  return c.body(null, 204);
});

for (const end of ["beginning", "end"] as const) {
  consumerRoutes.post(`${I}/positions/${end}`, async (c) => {
    const { partitions } = parseInput(PartitionsBody, await readJsonObject(c.req.raw, limits.adminRequestBytesMax));
    const to = end === "beginning" ? "earliest" : "latest";
    unwrap(await group(c).seek(instance(c), partitions.map((tp) => ({ ...tp, to })), principalIn(c)));
    return c.body(null, 204);
  });
}

/** A body that may be empty (then `{}`); anything but a JSON object is a 400. */
async function optionalObject(c: C): Promise<Record<string, unknown>> {
  const text = await readText(c.req.raw, limits.adminRequestBytesMax);
  const body = text.trim() === "" ? {} : parseJson(text);
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new RunnelError(ErrorCode.BAD_REQUEST, "the body must be a JSON object (or empty)");
  return body as Record<string, unknown>;
}

/**
 * A records answer: the instance's format decides the embedded type. An
 * `Accept` that names another embedded format is 406 / 40601, refused
 * before anything is read; a format-less one (`application/vnd.kafka.v2+json`,
 * `application/json`, none) gets the instance's format.
 */
async function records(c: C, topic?: string) {
  const accept = c.req.header("accept");
  const formats = acceptedFormats(c);
  const timeout = c.req.query("timeout");
  const timeoutMs = timeout === undefined ? undefined : boundedIntParam("timeout", timeout, limits.consumerPollMsDefault, limits.fetchWaitMsMax);
  const maxBytes = boundedIntParam("max_bytes", c.req.query("max_bytes"), limits.fetchBytesDefault, limits.fetchBytesMax);
  const polled = await pollRecords(c.env, group(c), { memberId: instance(c), principal: principalIn(c), timeoutMs, maxBytes, formats, ...(topic === undefined ? {} : { topic }) });
  return c.body(polled.json, 200, { "content-type": negotiate(accept, recordOffers(polled.format)) ?? embeddedType(polled.format) });
}

/** The record formats the request's `Accept` allows. */
function acceptedFormats(c: C): RecordFormat[] {
  return (["binary", "json", "string"] as const).filter((f) => negotiate(c.req.header("accept"), recordOffers(f)) !== null);
}

/** The types a records answer in `format` may take, best first: its embedded type (v2, then v1), then the format-less ones. */
function recordOffers(format: RecordFormat): string[] {
  return [embeddedType(format), `application/vnd.kafka.${format}.v1+json`, ...V2_OFFERS];
}

/** `{"topics": [...]}` or `{"topic_pattern": "…"}` — one of them (both at once is Kafka's illegal state, 40903, as the peers answer); anything else is 42206. */
function subscriptionOf(body: Record<string, unknown>) {
  if (body.topics !== undefined && body.topic_pattern !== undefined) {
    throw new RunnelError(ErrorCode.ILLEGAL_STATE, "subscribe to topics or to a topic_pattern, not both at once", undefined, null);
  }
  return parseInput(SubscriptionBody, body, { errorCode: ErrorCode.INVALID_PAYLOAD, errorName: "INVALID_REQUEST" });
}

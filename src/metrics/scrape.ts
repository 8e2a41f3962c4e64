/**
 * One scrape of `GET /metrics`: the controller first (topics, roles,
 * groups, subscriptions, its counters), then every partition replica,
 * every group coordinator and every push subscription at once — at most `limits.metricsScrapeCallsInFlightMax`
 * calls in flight, at most `limits.metricsScrapeCallsMax` objects, and
 * nothing waited for past `limits.metricsScrapeMs` less the time kept for
 * the last call: the metrics object, which takes this isolate's counters
 * (and this scrape's errors) and answers the router's totals. Whatever
 * did not answer is left out of the exposition and counted, by kind and
 * reason, in `runnel_scrape_errors_total`. A scrape never hangs.
 */
import type { ControllerMetricsOk, ScrapedTopic } from "../controller/metrics";
import type { Env } from "../env";
import { ErrorCode } from "../errors";
import type { GroupMetricsOk } from "../group/metrics";
import type { PartitionMetricsOk } from "../replication/metrics";
import { limits } from "../limits";
import { answerBy, type Call, fanOut, type Missing } from "./fan-out";
import { routerCounters } from "./router-counters";
import type { RouterTotals } from "./router-series";
import { SCRAPE } from "./series";
import type { PushMetricsOk } from "../push/types";
import { callController, callGroup, callReplica, callSubscription } from "../rpc/objects";

/** The kinds of object a scrape asks. */
export type ObjectKind = "controller" | "partition" | "group" | "subscription" | "router";
export type MissingWhy = Missing["missing"] | "limit";

/** One replica's answer, with where it sits. */
export interface ReplicaAnswer {
  topic: ScrapedTopic;
  partition: number;
  answer: PartitionMetricsOk;
}

/** Everything one scrape gathered. */
export interface Gathered {
  controller: ControllerMetricsOk | null;
  replicas: ReplicaAnswer[];
  groups: GroupMetricsOk[];
  subscriptions: PushMetricsOk[];
  router: RouterTotals | null;
  asked: Map<ObjectKind, number>;
  /** By "kind/reason". */
  missing: Map<string, number>;
  seconds: number;
}

type Planned =
  | { kind: "partition"; topic: ScrapedTopic; partition: number; call: Call<PartitionMetricsOk> }
  | { kind: "group"; call: Call<GroupMetricsOk> }
  | { kind: "subscription"; call: Call<PushMetricsOk> };
type Answer = PartitionMetricsOk | GroupMetricsOk | PushMetricsOk;

/** Gathers one scrape (see the module comment). */
export async function gather(env: Env): Promise<Gathered> {
  const startedMs = Date.now();
  const fanOutDeadlineMs = startedMs + limits.metricsScrapeMs - limits.metricsAggregatorCallMs;
  const g: Gathered = { controller: null, replicas: [], groups: [], subscriptions: [], router: null, asked: new Map(), missing: new Map(), seconds: 0 };
  const miss = (kind: ObjectKind, why: MissingWhy) => g.missing.set(`${kind}/${why}`, (g.missing.get(`${kind}/${why}`) ?? 0) + 1);
  const ask = (kind: ObjectKind, n = 1) => g.asked.set(kind, (g.asked.get(kind) ?? 0) + n);

  ask("controller");
  const controller = await answerBy<ControllerMetricsOk>({ who: "the controller", call: () => callController(env).metrics() }, fanOutDeadlineMs);
  if (controller.ok) g.controller = controller;
  else miss("controller", controller.missing);

  const planned = g.controller === null ? [] : plan(env, g.controller);
  const taken = planned.slice(0, limits.metricsScrapeCallsMax);
  for (const p of planned.slice(limits.metricsScrapeCallsMax)) miss(p.kind, "limit");
  for (const p of planned) ask(p.kind);
  const answers = await fanOut<Answer>(taken.map((p) => p.call as Call<Answer>), limits.metricsScrapeCallsInFlightMax, fanOutDeadlineMs);
  answers.forEach((a, i) => {
    const p = taken[i]!;
    if (!a.ok) {
      // A group listed but never joined, or a subscription deleted since it was listed, has nothing to say: not an error.
      const gone = a.failure?.error_code === (p.kind === "group" ? ErrorCode.GROUP_NOT_FOUND : ErrorCode.SUBSCRIPTION_NOT_FOUND);
      if (!(p.kind !== "partition" && gone)) miss(p.kind, a.missing);
    } else if (p.kind === "partition") g.replicas.push({ topic: p.topic, partition: p.partition, answer: a as PartitionMetricsOk });
    else if (p.kind === "group") g.groups.push(a as GroupMetricsOk);
    else g.subscriptions.push(a as PushMetricsOk);
  });

  for (const [key, n] of g.missing) {
    const [object, reason] = key.split("/");
    routerCounters.count(SCRAPE.errors.name, { object: object!, reason: reason! }, n);
  }
  ask("router");
  g.router = await routerCounters.exchange(env, Math.max(startedMs + limits.metricsScrapeMs - Date.now(), 1));
  if (g.router === null) {
    miss("router", "timeout");
    routerCounters.count(SCRAPE.errors.name, { object: "router", reason: "timeout" }); // shown by the next scrape that reaches it
  }
  g.seconds = (Date.now() - startedMs) / 1000;
  return g;
}

/** The calls to make: every replica of every partition, then every group, then every subscription. */
function plan(env: Env, c: ControllerMetricsOk): Planned[] {
  const out: Planned[] = [];
  for (const topic of c.topics) {
    topic.roles.forEach((role, partition) => {
      for (const broker of role.replicas) {
        const call = () => callReplica(env, topic.topicId, partition, broker).metrics(topic.topicId);
        out.push({ kind: "partition", topic, partition, call: { who: `broker ${broker}`, call } });
      }
    });
  }
  for (const group of c.groups) {
    const call = () => callGroup(env, group).metrics();
    out.push({ kind: "group", call: { who: `consumer group '${group}'`, call } });
  }
  for (const name of c.subscriptions) {
    out.push({ kind: "subscription", call: { who: `subscription '${name}'`, call: () => callSubscription(env, name).metrics() } });
  }
  return out;
}

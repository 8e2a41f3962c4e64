/**
 * Measuring alert rules' values (what each kind means: alert-rules.ts).
 * under_replicated is read from the controller's own roles; the others
 * ask other objects — partition replicas, a group coordinator, the
 * metrics object — bounded like a scrape (`limits.metricsScrapeCallsInFlightMax`
 * calls at once, nothing waited for past the deadline). A value that
 * cannot be measured whole (an object did not answer) is null: the rule
 * then neither fires nor resolves.
 */
import type { Env } from "../env";
import { ErrorCode } from "../errors";
import type { GroupMetricsOk } from "../group/metrics";
import { limits } from "../limits";
import { fanOut } from "../metrics/fan-out";
import { groupLag, type Positions, type TopicRef, topicsOf } from "../metrics/lag";
import type { DescribeOk } from "../replication/types";
import type { TopicInfo } from "../topic/types";
import type { AlertRule } from "./alert-rules";
import type { TopicStore } from "../controller/topic-store";
import type { PushMetricsOk } from "../push/types";
import { callGroup, callReplica, callRouterMetrics, callSubscription } from "../rpc/objects";

type Replica = { topic: TopicInfo; partition: number; broker: number };

/** Each rule's value by name (null: could not be measured), measured by `deadlineMs`. */
export async function measure(env: Env, store: TopicStore, rules: AlertRule[], deadlineMs: number, subscriptions: () => string[] = () => []): Promise<Map<string, number | null>> {
  const topics = store.list();
  const byName = new Map(topics.map((t) => [t.topicName, t]));
  const refs = new Map<string, TopicRef>(topics.map((t) => [t.topicName, { topicId: t.topicId, partitionsCount: t.partitionsCount }]));
  const groups = await groupsOf(env, rules, deadlineMs);
  const wanted = new Map<string, Replica>();
  const scopeOf = (rule: AlertRule) => (rule.target === null ? topics : byName.has(rule.target) ? [byName.get(rule.target)!] : []);
  for (const rule of rules) {
    if (rule.kind === "storage_bytes") for (const t of scopeOf(rule)) addReplicas(wanted, store, t, true);
    const g = rule.kind === "consumer_lag" ? groups.get(rule.target!) : undefined;
    if (g !== undefined && g !== null && g !== 0) for (const name of topicsOf(g, refs)) addReplicas(wanted, store, byName.get(name)!, false);
  }
  const [described, rates, stalls] = await Promise.all([
    describeReplicas(env, [...wanted.values()], deadlineMs),
    produceErrorRates(env, rules, deadlineMs),
    stalledPartitions(env, rules, subscriptions, deadlineMs),
  ]);
  const values = new Map<string, number | null>();
  for (const rule of rules) {
    const scope = scopeOf(rule);
    if (rule.kind === "under_replicated") values.set(rule.name, underReplicated(store, scope));
    else if (rule.kind === "storage_bytes") values.set(rule.name, storedBytes(store, scope, described));
    else if (rule.kind === "consumer_lag") values.set(rule.name, totalLag(groups.get(rule.target!) ?? null, refs, described));
    else if (rule.kind === "subscription_stalled") values.set(rule.name, stalls(rule.target));
    else values.set(rule.name, rates.get(rule.target) ?? null);
  }
  return values;
}

function underReplicated(store: TopicStore, scope: TopicInfo[]): number {
  return scope.flatMap((t) => store.roles(t)).filter((r) => r.leader < 0 || r.isr.length < r.replicas.length).length;
}

function storedBytes(store: TopicStore, scope: TopicInfo[], described: Map<string, DescribeOk>): number | null {
  let sum = 0;
  for (const t of scope) {
    for (const [partition, role] of store.roles(t).entries()) {
      for (const broker of role.replicas) {
        const d = described.get(`${t.topicId}/${partition}/${broker}`);
        if (d === undefined) return null;
        sum += d.sizeBytes;
      }
    }
  }
  return sum;
}

/**
 * The coordinators' answers of the groups consumer_lag rules watch: by
 * group id, the answer, 0 for a group that does not exist (yet: its lag
 * is 0), or null when its coordinator did not answer.
 */
async function groupsOf(env: Env, rules: AlertRule[], deadlineMs: number): Promise<Map<string, GroupMetricsOk | 0 | null>> {
  const ids = [...new Set(rules.filter((r) => r.kind === "consumer_lag").map((r) => r.target!))];
  const calls = ids.map((id) => ({ who: `consumer group '${id}'`, call: () => callGroup(env, id).metrics() }));
  const answers = await fanOut<GroupMetricsOk>(calls, limits.metricsScrapeCallsInFlightMax, deadlineMs);
  return new Map(ids.map((id, i) => {
    const a = answers[i]!;
    return [id, a.ok ? a : a.failure?.error_code === ErrorCode.GROUP_NOT_FOUND ? 0 : null];
  }));
}

/** A group's total lag from the leaders' positions; null when its coordinator or a leader did not answer. */
function totalLag(g: GroupMetricsOk | 0 | null, refs: Map<string, TopicRef>, described: Map<string, DescribeOk>): number | null {
  if (g === 0 || g === null) return g;
  const leaders = new Map<string, Positions>();
  for (const [key, d] of described) if (d.isLeader) leaders.set(key.slice(0, key.lastIndexOf("/")), d);
  const lag = groupLag(g, refs, (topicId, partition) => leaders.get(`${topicId}/${partition}`));
  return lag.complete ? lag.rows.reduce((sum, r) => sum + r.lag, 0) : null;
}

/** The produce error rate of each topic (null: the cluster) produce_error_rate rules watch, asked at once; missing when the metrics object did not answer. */
async function produceErrorRates(env: Env, rules: AlertRule[], deadlineMs: number): Promise<Map<string | null, number>> {
  const topics = [...new Set(rules.filter((r) => r.kind === "produce_error_rate").map((r) => r.target))];
  const calls = topics.map((topic) => ({ who: "the metrics object", call: () => callRouterMetrics(env).produceErrorRate(topic) }));
  const answers = await fanOut<{ ok: true; value: number }>(calls, limits.metricsScrapeCallsInFlightMax, deadlineMs);
  const rates = new Map<string | null, number>();
  answers.forEach((a, i) => {
    if (a.ok) rates.set(topics[i]!, a.value);
  });
  return rates;
}

/**
 * The stalled partitions of each subscription subscription_stalled rules
 * watch (all of them for a rule without a target), asked at once: by rule
 * target, the count — 0 for a subscription that does not exist, null
 * when one did not answer.
 */
async function stalledPartitions(env: Env, rules: AlertRule[], subscriptions: () => string[], deadlineMs: number): Promise<(target: string | null) => number | null> {
  const watching = rules.filter((r) => r.kind === "subscription_stalled");
  if (watching.length === 0) return () => null;
  const names = watching.some((r) => r.target === null) ? subscriptions() : [];
  const asked = [...new Set([...names, ...watching.flatMap((r) => (r.target === null ? [] : [r.target]))])];
  const calls = asked.map((name) => ({ who: `subscription '${name}'`, call: () => callSubscription(env, name).metrics() }));
  const answers = await fanOut<PushMetricsOk>(calls, limits.metricsScrapeCallsInFlightMax, deadlineMs);
  const stalled = new Map<string, number | null>(asked.map((name, i) => {
    const a = answers[i]!;
    return [name, a.ok ? a.stalled : a.failure?.error_code === ErrorCode.SUBSCRIPTION_NOT_FOUND ? 0 : null];
  }));
  return (target) => {
    if (target !== null) return stalled.get(target) ?? null;
    let sum = 0;
    for (const name of names) {
      const n = stalled.get(name) ?? null;
      if (n === null) return null;
      sum += n;
    }
    return sum;
  };
}

/** Adds `t`'s replicas to describe: all of them, or only the leaders. */
function addReplicas(wanted: Map<string, Replica>, store: TopicStore, t: TopicInfo, all: boolean): void {
  store.roles(t).forEach((role, partition) => {
    for (const broker of all ? role.replicas : role.leader >= 0 ? [role.leader] : []) {
      wanted.set(`${t.topicId}/${partition}/${broker}`, { topic: t, partition, broker });
    }
  });
}

/** Describes `replicas` at once, bounded; by "topic id/partition/broker", the ones that answered. */
async function describeReplicas(env: Env, replicas: Replica[], deadlineMs: number): Promise<Map<string, DescribeOk>> {
  const calls = replicas.slice(0, limits.metricsScrapeCallsMax).map((r) => ({
    who: `broker ${r.broker}`,
    call: () => callReplica(env, r.topic.topicId, r.partition, r.broker).describe(r.topic.topicId),
  }));
  const answers = await fanOut<DescribeOk>(calls, limits.metricsScrapeCallsInFlightMax, deadlineMs);
  const out = new Map<string, DescribeOk>();
  answers.forEach((a, i) => {
    const r = replicas[i]!;
    if (a.ok) out.set(`${r.topic.topicId}/${r.partition}/${r.broker}`, a);
  });
  return out;
}

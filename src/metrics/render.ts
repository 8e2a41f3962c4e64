/**
 * Writes what a scrape gathered (scrape.ts) as the exposition. Positions
 * of a partition come from its leader's answer; lag from the leaders'
 * high watermarks and each group's committed offsets (lag.ts). Whatever
 * was not gathered is simply absent.
 */
import { Exposition, type Family, type Labels } from "./exposition";
import { groupLag, type Positions, type TopicRef } from "./lag";
import type { Gathered } from "./scrape";
import { ALERTS, ALL_FAMILIES, CLUSTER, GROUP, LATENCY_BOUNDS_S, PARTITION, REPLICA, SCRAPE, SUBSCRIPTION } from "./series";

const BY_NAME = new Map(ALL_FAMILIES.map((f) => [f.name, f]));
const GROUP_STATES = ["EMPTY", "PREPARING_REBALANCE", "COMPLETING_REBALANCE", "STABLE"] as const;

/** The exposition text of a scrape. */
export function render(g: Gathered): string {
  const out = new Exposition(ALL_FAMILIES);
  const leaders = renderPartitions(out, g);
  renderGroups(out, g, leaders);
  renderSubscriptions(out, g);
  renderRouter(out, g);
  renderScrape(out, g);
  return out.text();
}

/** Cluster, partition and replica series; returns the leaders' positions by "topic id/partition". */
function renderPartitions(out: Exposition, g: Gathered): Map<string, Positions> {
  const c = g.controller;
  const leaders = new Map<string, Positions>();
  if (c !== null) {
    let under = 0;
    let offline = 0;
    for (const t of c.topics) {
      t.roles.forEach((role, partition) => {
        const l = { topic: t.name, partition };
        const isUnder = role.isr.length < role.replicas.length;
        under += isUnder ? 1 : 0;
        offline += role.leader < 0 ? 1 : 0;
        out.sample(PARTITION.leader, l, role.leader);
        out.sample(PARTITION.leaderEpoch, l, role.leaderEpoch);
        out.sample(PARTITION.replicas, l, role.replicas.length);
        out.sample(PARTITION.inSyncReplicas, l, role.isr.length);
        out.sample(PARTITION.underReplicated, l, isUnder ? 1 : 0);
        out.sample(PARTITION.offline, l, role.leader < 0 ? 1 : 0);
      });
    }
    out.sample(CLUSTER.topics, {}, c.topics.length);
    out.sample(CLUSTER.partitions, {}, c.topics.reduce((n, t) => n + t.roles.length, 0));
    out.sample(CLUSTER.groups, {}, c.groups.length);
    out.sample(CLUSTER.underReplicated, {}, under);
    out.sample(CLUSTER.offline, {}, offline);
    const counters: [Family, string][] = [
      [CLUSTER.isrShrinks, "isr_shrinks"], [CLUSTER.isrExpands, "isr_expands"],
      [CLUSTER.leaderElections, "leader_elections"], [CLUSTER.uncleanElections, "unclean_leader_elections"],
    ];
    for (const [family, name] of counters) out.sample(family, {}, c.counters[name] ?? 0);
    for (const a of c.alerts) out.sample(ALERTS.firing, { alert: a.name, kind: a.kind }, a.firing ? 1 : 0);
    for (const outcome of ["delivered", "failed", "dropped"]) out.sample(ALERTS.deliveries, { outcome }, c.counters[`alert_deliveries_${outcome}`] ?? 0);
  }
  for (const { topic, partition, answer: a } of g.replicas) {
    const l = { topic: topic.name, partition, broker: a.brokerId };
    out.sample(REPLICA.recordsIn, l, a.recordsIn);
    out.sample(REPLICA.bytesIn, l, a.bytesIn);
    out.sample(REPLICA.recordsOut, l, a.recordsOut);
    out.sample(REPLICA.bytesOut, l, a.bytesOut);
    out.sample(REPLICA.storedBytes, l, a.sizeBytes);
    out.sample(REPLICA.remoteUploadFailures, l, a.remoteUploadFailures);
    renderCleaner(out, l, a);
    if (!a.isLeader || topic.roles[partition]?.leader !== a.brokerId) continue;
    leaders.set(`${topic.topicId}/${partition}`, a);
    const p = { topic: topic.name, partition };
    out.sample(PARTITION.logStartOffset, p, a.logStartOffset);
    out.sample(PARTITION.highWatermark, p, a.highWatermark);
    out.sample(PARTITION.logEndOffset, p, a.logEndOffset);
    out.sample(PARTITION.localBytes, p, a.localSizeBytes);
    out.sample(PARTITION.remoteBytes, p, a.remoteSizeBytes);
    out.sample(PARTITION.remoteSegments, p, a.remoteSegments);
    out.sample(PARTITION.segmentsAwaitingUpload, p, a.segmentsAwaitingUpload);
  }
  return leaders;
}

/** A replica's log cleaner: only for a compacted topic (a replica that knows none of it answers without `cleaner`). */
function renderCleaner(out: Exposition, l: Labels, a: Gathered["replicas"][number]["answer"]): void {
  if (a.cleaner === null || a.cleaner === undefined) return;
  out.sample(REPLICA.cleanerCheckpoint, l, a.cleaner.lastCleanedOffset);
  out.sample(REPLICA.cleanerDirtyRatio, l, a.cleaner.dirtyRatio);
  if (a.cleaner.lastRunMs !== null) out.sample(REPLICA.cleanerLastRun, l, a.cleaner.lastRunMs / 1000);
  out.sample(REPLICA.cleanerPasses, l, a.cleanerPasses ?? 0);
  out.sample(REPLICA.cleanerRecordsRemoved, l, a.cleanerRecordsRemoved ?? 0);
  out.sample(REPLICA.cleanerRemoteRewrites, l, a.cleanerRemoteRewrites ?? 0);
  out.sample(REPLICA.cleanerRemoteFailures, l, a.cleanerRemoteFailures ?? 0);
}

function renderGroups(out: Exposition, g: Gathered, leaders: Map<string, Positions>): void {
  const refs = new Map<string, TopicRef>((g.controller?.topics ?? []).map((t) => [t.name, { topicId: t.topicId, partitionsCount: t.roles.length }]));
  for (const group of g.groups) {
    const l = { group: group.groupId };
    out.sample(GROUP.members, l, group.members);
    for (const state of GROUP_STATES) out.sample(GROUP.state, { ...l, state }, group.state === state ? 1 : 0);
    out.sample(GROUP.rebalances, l, group.generation);
    out.sample(GROUP.websockets, l, group.websockets);
    for (const [topic, n] of Object.entries(group.delivered)) out.sample(GROUP.wsDelivered, { ...l, topic }, n);
    for (const row of groupLag(group, refs, (topicId, partition) => leaders.get(`${topicId}/${partition}`)).rows) {
      out.sample(GROUP.lag, { ...l, topic: row.topic, partition: row.partition }, row.lag);
    }
  }
}

/** Each push subscription's state and counters; its lag is its group's (runnel_group_lag). */
function renderSubscriptions(out: Exposition, g: Gathered): void {
  for (const s of g.subscriptions) {
    const l = { subscription: s.name };
    const c = s.counters;
    out.sample(SUBSCRIPTION.stalled, l, s.stalled);
    out.sample(SUBSCRIPTION.paused, l, s.state === "paused" ? 1 : 0);
    out.sample(SUBSCRIPTION.deliveries, l, c.batchesDelivered);
    out.sample(SUBSCRIPTION.records, l, c.recordsDelivered);
    out.sample(SUBSCRIPTION.failures, l, c.failures);
    out.sample(SUBSCRIPTION.retries, l, c.retries);
    out.sample(SUBSCRIPTION.deadLetters, l, c.deadLetters);
    out.histogram(SUBSCRIPTION.latency, l, LATENCY_BOUNDS_S, c.latencyBuckets, c.latencyMsSum / 1000);
  }
}

/** The Worker's own series, as the metrics object totals them. */
function renderRouter(out: Exposition, g: Gathered): void {
  const r = g.router;
  if (r === null) return;
  const known = (name: string, type: Family["type"]) => {
    const f = BY_NAME.get(name);
    return f !== undefined && f.type === type ? f : null;
  };
  for (const [name, labels, value] of r.counters) {
    const f = known(name, "counter");
    if (f !== null) out.sample(f, labels, value);
  }
  for (const [name, labels, value] of r.gauges) {
    const f = known(name, "gauge");
    if (f !== null) out.sample(f, labels, value);
  }
  for (const [name, labels, counts, sum] of r.histograms) {
    const f = known(name, "histogram");
    const padded = Array.from({ length: LATENCY_BOUNDS_S.length + 1 }, (_, i) => counts[i] ?? 0);
    if (f !== null) out.histogram(f, labels, LATENCY_BOUNDS_S, padded, sum);
  }
}

function renderScrape(out: Exposition, g: Gathered): void {
  out.sample(SCRAPE.duration, {}, g.seconds);
  for (const [object, n] of g.asked) out.sample(SCRAPE.asked, { object }, n);
  for (const [key, n] of g.missing) {
    const [object, reason] = key.split("/") as [string, string];
    out.sample(SCRAPE.missing, { object, reason } satisfies Labels, n);
  }
}

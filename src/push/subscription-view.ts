/**
 * A subscription as the API shows it (API.md): its settings, its state,
 * its last error, and each partition's committed offset and lag — read
 * from its consumer group, as the group APIs show them. Never the signing
 * secret; a webhook's header values are not shown either (they often
 * carry credentials), only their names.
 */
import type { Env } from "../env";
import { callGroup } from "../rpc/objects";
import type { Stored, SubscriptionStore } from "./store";
import type { PartitionView, SubscriptionState, SubscriptionView, Target } from "./types";

/** What stands in for a webhook header's value in views. */
export const HIDDEN_HEADER_VALUE = "(hidden)";

/** The subscription's state: paused, else stalled when any partition is, else active. */
export function stateOf(s: Stored, store: SubscriptionStore): SubscriptionState {
  if (s.paused) return "paused";
  return store.retries().some((r) => r.stalled) ? "stalled" : "active";
}

/** The view of `s`; `withPartitions` false leaves `partitions` empty (lists: no call to the group). */
export async function subscriptionView(env: Env, s: Stored, store: SubscriptionStore, withPartitions = true): Promise<SubscriptionView> {
  const c = s.config;
  const e = store.lastError();
  return {
    name: c.name,
    topics: c.topics,
    target: shownTarget(c.target),
    format: c.format,
    batch_records: c.batchRecords,
    batch_bytes: c.batchBytes,
    max_wait_ms: c.maxWaitMs,
    max_retries: c.maxRetries,
    retry_backoff_ms: c.retryBackoffMs,
    dead_letter_topic: c.deadLetterTopic,
    delivery_delay_ms: c.deliveryDelayMs,
    start: c.start,
    isolation: c.isolation,
    created_by: s.principal,
    created_at: new Date(s.createdAtMs).toISOString(),
    state: stateOf(s, store),
    last_error: e === null ? null : { message: e.message, topic: e.topic, partition: e.partition, offset: e.offset, at: new Date(e.atMs).toISOString() },
    partitions: withPartitions ? await partitionViews(env, s, store) : [],
  };
}

function shownTarget(t: Target): Target {
  if (t.type === "worker") return t;
  return { ...t, headers: Object.fromEntries(Object.keys(t.headers).map((name) => [name, HIDDEN_HEADER_VALUE])) };
}

/**
 * Each partition of the subscription's topics, from its group's lag rows:
 * committed offset and lag, and its state. When the group cannot say now
 * (a partition without a leader), only the partitions with state stored
 * are shown, with committed offset and lag null.
 */
async function partitionViews(env: Env, s: Stored, store: SubscriptionStore): Promise<PartitionView[]> {
  const stalled = new Set(store.retries().filter((r) => r.stalled).map((r) => `${r.topic}\u0000${r.partition}`));
  const state = (topic: string, partition: number): SubscriptionState => (s.paused ? "paused" : stalled.has(`${topic}\u0000${partition}`) ? "stalled" : "active");
  const lags = await callGroup(env, s.config.name).lags(s.config.name);
  if (!lags.ok) {
    return store.retries().map((r) => ({ topic_name: r.topic, partition_id: r.partition, committed_offset: null, lag: null, state: state(r.topic, r.partition) }));
  }
  return lags.rows
    .filter((r) => s.config.topics.includes(r.topic))
    .map((r) => ({ topic_name: r.topic, partition_id: r.partition, committed_offset: r.currentOffset, lag: r.lag, state: state(r.topic, r.partition) }));
}

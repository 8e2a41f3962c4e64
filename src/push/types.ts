/** A push subscription's settings, state and views (API.md "Push subscriptions and Worker bindings"). */
import type { RecordFormat } from "../fetch/format";

/** A webhook: `url` (http or https) and headers added to every request. */
export interface WebhookTarget {
  type: "webhook";
  url: string;
  headers: Record<string, string>;
}

/** A Worker reached through the service binding `service` of Runnel's Worker; its `deliver(batch)` RPC method is called. */
export interface WorkerTarget {
  type: "worker";
  service: string;
}

export type Target = WebhookTarget | WorkerTarget;

/** Where a subscription starts on a partition that has no committed offset. */
export type Start = "earliest" | "latest";

/** Which records a subscription reads (API.md "Transactions": read_committed stops at the last stable offset). */
export type Isolation = "read_uncommitted" | "read_committed";

/** A subscription's settings, as created (defaults filled in). */
export interface SubscriptionConfig {
  name: string;
  topics: string[];
  target: Target;
  format: RecordFormat;
  batchRecords: number;
  batchBytes: number;
  maxWaitMs: number;
  maxRetries: number;
  retryBackoffMs: number;
  deadLetterTopic: string | null;
  deliveryDelayMs: number;
  start: Start;
  isolation: Isolation;
}

/** The last error a subscription met: what, where, and when (epoch ms). */
export interface LastError {
  message: string;
  topic: string;
  partition: number;
  /** The first offset of the batch it concerned (null: not about a batch). */
  offset: number | null;
  atMs: number;
}

/** Whether a subscription delivers: `paused` by hand, `stalled` when a partition stopped (no dead-letter topic), else `active`. */
export type SubscriptionState = "active" | "paused" | "stalled";

/** One partition of a subscription as its views show it. */
export interface PartitionView {
  topic_name: string;
  partition_id: number;
  committed_offset: number | null;
  lag: number | null;
  state: SubscriptionState;
}

/** What `GET …/subscriptions/{name}` answers (never the signing secret). */
export interface SubscriptionView {
  name: string;
  topics: string[];
  target: Target;
  format: RecordFormat;
  batch_records: number;
  batch_bytes: number;
  max_wait_ms: number;
  max_retries: number;
  retry_backoff_ms: number;
  dead_letter_topic: string | null;
  delivery_delay_ms: number;
  start: Start;
  isolation: Isolation;
  created_by: string;
  created_at: string;
  state: SubscriptionState;
  last_error: { message: string; topic: string; partition: number; offset: number | null; at: string } | null;
  partitions: PartitionView[];
}

/** One pushed batch: the body of a webhook request, and the argument of a worker target's `deliver`. */
export interface PushBatch {
  subscription: string;
  topic: string;
  partition: number;
  records: { offset: number; timestamp: number; key: unknown; value: unknown; headers: { name: string; value: string | null }[] }[];
}

/** A subscription's counters (GET /metrics). */
export interface PushCounters {
  /** Batches the target accepted, and their records. */
  batchesDelivered: number;
  recordsDelivered: number;
  /** Attempts that failed (each retry that fails counts again). */
  failures: number;
  /** Attempts that were retries. */
  retries: number;
  /** Records sent to the dead-letter topic. */
  deadLetters: number;
  /** Sum of the delivery latencies (ms, from a batch's first record's timestamp to its acceptance) and their count, by bucket bound (ms; Infinity last). */
  latencyMsSum: number;
  latencyBuckets: number[];
}

/** What a subscription tells a scrape and the alert rules. */
export interface PushMetricsOk {
  ok: true;
  name: string;
  state: SubscriptionState;
  /** Partitions stalled now. */
  stalled: number;
  counters: PushCounters;
}

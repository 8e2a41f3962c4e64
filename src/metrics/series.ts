/**
 * Every series `GET /metrics` shows: name, type and help text (docs/
 * monitoring.md lists the same, with labels). Counters end in `_total`
 * and never go down while the server runs; sizes end in `_bytes`, times
 * in `_seconds`.
 */
import type { Family } from "./exposition";

const counter = (name: string, help: string): Family => ({ name, type: "counter", help });
const gauge = (name: string, help: string): Family => ({ name, type: "gauge", help });
const histogram = (name: string, help: string): Family => ({ name, type: "histogram", help });

/** Per partition replica (labels topic, partition, broker). */
export const REPLICA = {
  recordsIn: counter("runnel_partition_records_in_total", "Records appended to the partition by this replica as leader."),
  bytesIn: counter("runnel_partition_bytes_in_total", "Bytes of record batches appended to the partition by this replica as leader."),
  recordsOut: counter("runnel_partition_records_out_total", "Records read from this replica by consumers (fetch, consumer instances, WebSocket, SSE, Kafka clients)."),
  bytesOut: counter("runnel_partition_bytes_out_total", "Bytes of record batches read from this replica by consumers."),
  storedBytes: gauge("runnel_partition_stored_bytes", "Bytes of record batches this replica stores."),
  remoteUploadFailures: counter("runnel_partition_remote_upload_failures_total", "Failed steps of copying segments to the bucket by this replica as leader (each is retried)."),
  cleanerCheckpoint: gauge("runnel_partition_cleaner_checkpoint_offset", "The replica's log cleaner checkpoint: the first offset not yet cleaned (compacted topics)."),
  cleanerDirtyRatio: gauge("runnel_partition_cleaner_dirty_ratio", "Dirty bytes over cleanable bytes of the replica's log, 0 to 1 (compacted topics)."),
  cleanerLastRun: gauge("runnel_partition_cleaner_last_run_timestamp_seconds", "When the replica's log cleaner last ended a pass (Unix time; compacted topics whose cleaner has run)."),
  cleanerPasses: counter("runnel_partition_cleaner_passes_total", "Passes the replica's log cleaner ended."),
  cleanerRecordsRemoved: counter("runnel_partition_cleaner_records_removed_total", "Records the replica's log cleaner removed (superseded records and expired tombstones)."),
  cleanerRemoteRewrites: counter("runnel_partition_cleaner_remote_rewrites_total", "Segments in the bucket the replica's log cleaner wrote anew as leader (a put or a multipart upload each)."),
  cleanerRemoteFailures: counter("runnel_partition_cleaner_remote_failures_total", "Steps of the replica's log cleaner whose call to the bucket failed (each is retried)."),
};

/** Per partition (labels topic, partition): positions from its leader, roles from the controller. */
export const PARTITION = {
  logStartOffset: gauge("runnel_partition_log_start_offset", "The partition's log start offset (the first offset kept), from its leader."),
  highWatermark: gauge("runnel_partition_high_watermark", "The partition's high watermark (offsets below it are visible to consumers), from its leader."),
  logEndOffset: gauge("runnel_partition_log_end_offset", "The partition's log end offset (the next offset to be written), from its leader."),
  localBytes: gauge("runnel_partition_local_bytes", "Bytes of record batches the partition's leader holds in its own storage (tiered storage: the hot tail)."),
  remoteBytes: gauge("runnel_partition_remote_bytes", "Bytes of the partition's segments in the bucket (tiered storage), from its leader."),
  remoteSegments: gauge("runnel_partition_remote_segments", "The partition's segments in the bucket (tiered storage), from its leader."),
  segmentsAwaitingUpload: gauge("runnel_partition_segments_awaiting_upload", "Closed segments of the partition's leader not yet copied to the bucket."),
  leader: gauge("runnel_partition_leader", "The broker id of the partition's leader; -1 when it has none."),
  leaderEpoch: gauge("runnel_partition_leader_epoch", "The partition's leader epoch."),
  replicas: gauge("runnel_partition_replicas", "Replicas the partition has (its replication factor)."),
  inSyncReplicas: gauge("runnel_partition_in_sync_replicas", "Replicas in the partition's ISR."),
  underReplicated: gauge("runnel_partition_under_replicated", "1 when the partition's ISR is smaller than its replica set, else 0."),
  offline: gauge("runnel_partition_offline", "1 when the partition has no leader, else 0."),
};

/** The cluster (no labels): counts from the controller. */
export const CLUSTER = {
  topics: gauge("runnel_topics", "Topics in the cluster."),
  partitions: gauge("runnel_partitions", "Partitions in the cluster (each counted once, whatever its replication factor)."),
  groups: gauge("runnel_consumer_groups", "Consumer groups the cluster knows."),
  underReplicated: gauge("runnel_under_replicated_partitions", "Partitions whose ISR is smaller than their replica set."),
  offline: gauge("runnel_offline_partitions", "Partitions without a leader."),
  isrShrinks: counter("runnel_isr_shrinks_total", "Times a partition's ISR lost replicas."),
  isrExpands: counter("runnel_isr_expands_total", "Times a partition's ISR took replicas back."),
  leaderElections: counter("runnel_leader_elections_total", "Times a partition got a new leader (after a failure, or the preferred replica taking over again)."),
  uncleanElections: counter("runnel_unclean_leader_elections_total", "Leader elections that chose a replica outside the ISR (unclean.leader.election.enable)."),
};

/** Requests through the Worker. */
export const REQUESTS = {
  requests: counter("runnel_http_requests_total", "HTTP requests by route (the path pattern), method and error_code (the API error code, or the HTTP status on success)."),
  duration: histogram("runnel_http_request_duration_seconds", "Time from a request's arrival to its response headers, by route and method."),
  produce: counter("runnel_produce_requests_total", "Produce requests by topic and error_code (a request with any refused record counts as failed, with that record's code)."),
};

/** Consumer groups (label group). */
export const GROUP = {
  members: gauge("runnel_group_members", "Members of the group (consumer instances and WebSocket subscribers)."),
  state: gauge("runnel_group_state", "1 for the group's current state (EMPTY, PREPARING_REBALANCE, COMPLETING_REBALANCE or STABLE, as the v3 group describes it), 0 for the others."),
  rebalances: counter("runnel_group_rebalances_total", "Rebalances of the group (its generation)."),
  lag: gauge("runnel_group_lag", "High watermark minus the group's committed offset, per partition (from the log start when nothing is committed)."),
  websockets: gauge("runnel_websocket_subscribers", "Open WebSocket subscriber sockets of the group."),
  wsDelivered: counter("runnel_websocket_records_delivered_total", "Records sent to the group's WebSocket subscribers, by topic."),
};

/** Server-Sent Events (label topic). */
export const SSE = {
  subscribers: gauge("runnel_sse_subscribers", "Open Server-Sent Events streams, by topic."),
  delivered: counter("runnel_sse_records_delivered_total", "Records sent over Server-Sent Events streams, by topic."),
};

/** Push subscriptions (label subscription; src/push). */
export const SUBSCRIPTION = {
  stalled: gauge("runnel_subscription_stalled_partitions", "Partitions of the subscription stalled now (their target refused a batch 1 + max_retries times, and there is no dead-letter topic)."),
  paused: gauge("runnel_subscription_paused", "1 while the subscription is paused, else 0."),
  deliveries: counter("runnel_subscription_deliveries_total", "Batches the subscription's target accepted."),
  records: counter("runnel_subscription_records_delivered_total", "Records in the batches the subscription's target accepted."),
  failures: counter("runnel_subscription_delivery_failures_total", "Attempts to deliver a batch that failed (an error status, no answer in time, a refusal, an unshowable record)."),
  retries: counter("runnel_subscription_delivery_retries_total", "Attempts that were retries of a batch that failed before."),
  deadLetters: counter("runnel_subscription_dead_letters_total", "Records sent to the subscription's dead-letter topic."),
  latency: histogram("runnel_subscription_delivery_latency_seconds", "From a batch's first record's timestamp to its acceptance by the target (retries included)."),
};

/** Alert rules (see docs/monitoring.md). */
export const ALERTS = {
  firing: gauge("runnel_alert_firing", "1 while the alert rule is firing, else 0 (labels alert, kind)."),
  deliveries: counter("runnel_alert_deliveries_total", "Webhook delivery attempts by outcome: delivered, failed (retried later) or dropped (given up)."),
};

/** The scrape itself (label object: controller, partition, group, subscription or router). */
export const SCRAPE = {
  duration: gauge("runnel_scrape_duration_seconds", "How long this scrape took to gather."),
  asked: gauge("runnel_scrape_objects", "Objects this scrape asked, by kind."),
  missing: gauge("runnel_scrape_objects_missing", "Objects left out of this scrape, by kind and reason (timeout, unreachable, limit)."),
  errors: counter("runnel_scrape_errors_total", "Objects left out of scrapes so far, by kind and reason."),
  seriesDropped: counter("runnel_metrics_series_dropped_total", "Router series not kept because the metrics object holds the most it may (metricsRouterSeriesMax)."),
};

/** Every family, in the order the exposition writes them. */
export const ALL_FAMILIES: Family[] = [REPLICA, PARTITION, CLUSTER, REQUESTS, GROUP, SSE, SUBSCRIPTION, ALERTS, SCRAPE].flatMap((group) => Object.values(group));

/** The upper bounds of the request latency histogram's buckets, in seconds. */
export const LATENCY_BOUNDS_S: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

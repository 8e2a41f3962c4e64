/**
 * Every size, count and wait Runnel accepts, with its unit in its name.
 * A request past any of these is refused whole.
 */
import { pushLimits } from "./limits-push";
import { storageLimits } from "./limits-storage";

export const limits = {
  /** Largest produce request body. */
  produceRequestBytesMax: 16 * 1024 * 1024,
  /** Most records in one produce request. */
  produceRecordsMax: 20_000,
  /** Largest record batch stored as one row (SQLite rows stop at 2 MB). */
  batchBytesMax: 1024 * 1024,
  /**
   * Most bytes one batch's records section may decompress to. A batch
   * past it is refused as corrupt (a decompression bomb), read or written.
   */
  batchDecompressedBytesMax: 16 * 1024 * 1024,
  /** Largest `max_bytes` a fetch may ask for. */
  fetchBytesMax: 16 * 1024 * 1024,
  /** Default `max_bytes` of a fetch. */
  fetchBytesDefault: 1024 * 1024,
  /** Longest a fetch may wait for new records. */
  fetchWaitMsMax: 30_000,
  /** Most fetches that may wait on one partition at once. */
  fetchWaitersMax: 1_000,
  /** Most topics a cluster may have. */
  topicsCountMax: 10_000,
  /** Most partitions a topic may have. */
  partitionsCountMax: 1_024,
  /** Longest a topic name may be. */
  topicNameLengthMax: 249,
  /**
   * Deepest nesting of arrays and objects a JSON body may have (the
   * request is a 400 past it): far beyond any real record or admin body,
   * far below the ~2,000 levels at which workerd's structured clone (every
   * Durable Object call) runs out of stack.
   */
  jsonDepthMax: 128,
  /**
   * Most items (array elements and object members, counted as commas and
   * opening brackets) a JSON body may hold in all; past it the body is a
   * 413 before it is parsed. A parsed item costs tens of bytes of heap: a
   * 16 MiB body of tiny records parsed grew workerd by 100 MiB, past what
   * one Worker isolate has (128 MiB); a million items stays near 40 MiB.
   */
  jsonItemsMax: 1_000_000,
  /** Largest body of an admin request. */
  adminRequestBytesMax: 1024 * 1024,
  /**
   * Most bytes of a refused request body that are read and thrown away
   * before the refusal is sent, so the client, still sending, hears it
   * (src/bytes/read-bounded.ts); a longer body gets its answer and a
   * closed connection.
   */
  refusedBodyDrainBytesMax: 256 * 1024 * 1024,
  /** Longest a refused request body is drained before the refusal is sent all the same. */
  refusedBodyDrainMsMax: 10_000,
  /** How long a Worker trusts its cached copy of a topic's metadata. */
  metadataCacheMs: 1_000,
  /** How often the retention check runs when nothing is due sooner. */
  retentionCheckIntervalMs: 5 * 60 * 1000,
  /** Longest an acks=all produce waits for the in-sync replicas (Kafka's request.timeout.ms). */
  produceAckWaitMsMax: 30_000,
  /** Most acks=all produces that may wait on one partition at once. */
  produceWaitersMax: 10_000,
  /** Most bytes the leader sends a follower in one replication call. */
  replicationBytesMax: 4 * 1024 * 1024,
  /** How often a replica writes its high watermark to storage, at most. */
  hwCheckpointMs: 1_000,
  /** Longest pause between the leader's contacts with each follower, even when idle. */
  replicationHeartbeatMsMax: 1_000,
  /** How long an Idempotency-Key is remembered. */
  idempotencyKeyMs: 15 * 60 * 1000,
  /**
   * How long a partition remembers an idempotent producer after its last
   * batch there (Kafka's producer.id.expiration.ms); past it, the producer
   * must start again at sequence 0.
   */
  producerIdExpirationMs: 24 * 60 * 60 * 1000,
  /** How many of a producer's latest batches a partition remembers to answer retries (Kafka's 5, its max in-flight requests). */
  producerBatchesKeptMax: 5,
  /** Most idempotent producers whose state a partition replica keeps in memory (the rest are read from storage when they write). */
  producerStatesCachedMax: 256,
  /** Producer ids stay below 2^53 so they are exact JavaScript numbers. */
  producerIdMax: Number.MAX_SAFE_INTEGER,
  /** Longest an Idempotency-Key may be (printable ASCII). */
  idempotencyKeyLengthMax: 255,
  /** How long the controller waits for a replica to answer before calling it unreachable. */
  replicaProbeMs: 2_000,
  /** How often a Worker tells the controller, at most, that a partition it was asked for has no leader. */
  leaderlessReportMs: 1_000,
  /** Most leaderless partitions a Worker keeps report times for (then it starts over). */
  leaderlessReportsTrackedMax: 10_000,
  /** Longest a consumer group id may be. */
  groupIdLengthMax: 255,
  /** Most members one consumer group may have. */
  groupMembersMax: 1_000,
  /** Default session timeout of a consumer instance or subscriber. */
  sessionTimeoutMsDefault: 45_000,
  /** Shortest and longest session timeout a member may ask for. */
  sessionTimeoutMsMin: 1_000,
  sessionTimeoutMsMax: 300_000,
  /** How often the coordinator checks sessions, patterns and sockets when nothing is due sooner. */
  groupCheckIntervalMs: 5_000,
  /** How long a coordinator gathers commits before appending them to `__consumer_offsets` (one batch). */
  offsetsTopicFlushMs: 200,
  /** How long a coordinator waits to try `__consumer_offsets` again after an append failed. */
  offsetsTopicRetryMs: 5_000,
  /** Most records a coordinator appends to `__consumer_offsets` in one batch. */
  offsetsTopicFlushRecordsMax: 1_000,
  /** Longest a subscription's `topic_pattern` may be (it is matched in linear time by RE2). */
  topicPatternLengthMax: 1_000,
  /**
   * How long a rebalance waits for more member changes to arrive with the
   * one that asked for it (Kafka's group.initial.rebalance.delay.ms):
   * changes that arrive together make one generation. A join always
   * waits; another change only when the group rebalanced this recently.
   */
  groupRebalanceDelayMs: 100,
  /** Longest changes that keep arriving may hold a rebalance back, from the first waiting one. */
  groupRebalanceDelayMsMax: 1_000,
  /**
   * Longest a Kafka member's JoinGroup is held waiting for the group's
   * other Kafka members to rejoin (its rebalance_timeout_ms is capped to
   * this); members that have not rejoined by then are removed, as Kafka
   * does. librdkafka asks max.poll.interval.ms (300 s), kafkajs 60 s.
   */
  kafkaRebalanceTimeoutMsMax: 300_000,
  /** Most bytes of subscription metadata a Kafka member may join with, all its protocols together. */
  kafkaMemberMetadataBytesMax: 64 * 1024,
  /** Most protocols (assignors) a Kafka member may offer. */
  kafkaProtocolsMax: 16,
  /** Longest a Kafka client id or protocol name may be. */
  kafkaNameLengthMax: 255,
  /** Most partitions one Kafka OffsetCommit or OffsetFetch may name. */
  kafkaOffsetsPerRequestMax: 10_000,
  /** Longest the metadata of a Kafka offset commit may be (Kafka's offset.metadata.max.bytes). */
  kafkaOffsetMetadataLengthMax: 4096,
  /**
   * A KIP-848 consumer group's session timeout unless the group sets its
   * own (Kafka's group.consumer.session.timeout.ms): a member that sends
   * no ConsumerGroupHeartbeat for this long is removed and its partitions
   * go to the others.
   */
  consumerGroupSessionTimeoutMsDefault: 45_000,
  /** How often a KIP-848 member is told to heartbeat unless the group sets its own (Kafka's group.consumer.heartbeat.interval.ms). */
  consumerGroupHeartbeatIntervalMsDefault: 5_000,
  /**
   * How old a KIP-848 group's copy of the topic list may be when a
   * heartbeat is answered: a topic created, deleted or given partitions
   * reaches the assignment within this (and within `groupCheckIntervalMs`
   * without heartbeats).
   */
  consumerGroupTopicsRefreshMs: 2_000,
  /** Default `timeout` of a consumer instance's records request. */
  consumerPollMsDefault: 1_000,
  /** Most consumer groups one partition tells when records arrive (more look again from their alarm). */
  partitionWatchersMax: 10_000,
  /** How long a WebSocket delivery waits for records before leaving a watch and stopping. */
  wsQuietWaitMs: 1_000,
  /** Most records a WebSocket subscriber may have permitted and not yet received. */
  wsPermitsMax: 1_000_000,
  /** Most bytes one WebSocket records frame carries (about; at least one batch). */
  wsFrameBytesMax: 1024 * 1024,
  /** Longest a text frame from a subscriber may be. */
  wsClientFrameBytesMax: 64 * 1024,
  /** Longest a live tail (SSE) stays silent: a `: ping` comment goes out after this long without an event (API.md: at least every 15 s). */
  ssePingMs: 10_000,
  /** Most bytes one live-tail read takes from a partition (at least one batch); its events are written before the next read. */
  sseReadBytesMax: 1024 * 1024,
  /** The same for each partition of a topic-wide live tail, which keeps one read per partition. */
  sseTopicReadBytesMax: 64 * 1024,
  /** How long a live tail waits before reading again after a retriable failure, or a read that could not wait. */
  sseRetryMs: 1_000,
  // ---- tiered storage and the log cleaner (limits-storage.ts) ----
  ...storageLimits,
  // ---- metrics (GET /metrics) ----
  /**
   * Counters held in memory are written to storage at most this long
   * after they move (objects), or sent to the metrics object at most this
   * often (each Worker isolate); always before a scrape shows them.
   */
  metricsFlushMs: 1_000,
  /** Longest a scrape gathers; an object that has not answered by then is left out (and counted in runnel_scrape_errors_total). */
  metricsScrapeMs: 5_000,
  /** Of `metricsScrapeMs`, what is kept for the last call of a scrape: the router's counters, from the metrics object. */
  metricsAggregatorCallMs: 1_000,
  /** Most calls one scrape has in flight at once. */
  metricsScrapeCallsInFlightMax: 32,
  /** Most objects (partition replicas and group coordinators) one scrape asks; the rest are left out and counted. */
  metricsScrapeCallsMax: 2_000,
  /** Most distinct router series (label sets) kept; new ones past it are dropped and counted. */
  metricsRouterSeriesMax: 10_000,
  /** An isolate's gauges (open SSE streams) count until it has not reported for this long. */
  metricsIsolateStaleMs: 60_000,
  /** How long the metrics object remembers an isolate it has not heard from (the batch number that makes a retried batch count once). */
  metricsIsolateForgetMs: 60 * 60 * 1000,
  // ---- alerts ----
  /** Most alert rules a cluster may hold. */
  alertRulesMax: 100,
  /** Longest an alert rule's name may be (`[a-zA-Z0-9._-]`). */
  alertNameLengthMax: 128,
  /** Longest a webhook URL may be. */
  alertWebhookUrlLengthMax: 2_048,
  /** Longest `for_ms` an alert rule may ask for. */
  alertForMsMax: 24 * 60 * 60 * 1000,
  /** How often the controller evaluates its alert rules while it has any. */
  alertEvalIntervalMs: 5_000,
  /** The window `produce_error_rate` is measured over. */
  alertRateWindowMs: 60_000,
  /** Longest a webhook may take to answer one delivery. */
  alertWebhookTimeoutMs: 5_000,
  /** The first retry of a failed delivery comes this long after it; each next one twice as long after the last. */
  alertRetryFirstMs: 1_000,
  /** The longest pause between two attempts of one delivery. */
  alertRetryPauseMsMax: 60_000,
  /** A delivery is retried until this long after its first attempt (then dropped, with a warning line). */
  alertRetryForMs: 10 * 60 * 1000,
  /** Most webhook deliveries waiting to be sent or retried; past it the oldest are dropped. */
  alertDeliveriesQueuedMax: 10_000,
  // ---- push subscriptions (limits-push.ts) ----
  ...pushLimits,
  /** Longest a principal name may be (`User:…`). */
  principalLengthMax: 255,
  /** Longest an ACL's resource name may be. */
  aclResourceNameLengthMax: 255,
  /** Longest an Authorization header (or a WebSocket auth subprotocol) may be. */
  authorizationHeaderLengthMax: 2_048,
  /** Most API keys a cluster may hold. */
  keysCountMax: 10_000,
  /** Most ACLs a cluster may hold. */
  aclsCountMax: 10_000,
  /** Most quotas a cluster may hold (one per principal). */
  quotasCountMax: 10_000,
  /** Longest a key's description may be. */
  keyDescriptionLengthMax: 1_000,
  /** Most audit entries kept; the oldest are dropped first. */
  auditEntriesMax: 100_000,
  /** Most audit entries one read returns (default 1,000). */
  auditReadEntriesMax: 10_000,
  /** How long a Worker trusts its copy of keys, ACLs and quotas before asking whether they changed. */
  accessCacheMs: 1_000,
  /** Most access decisions a Worker memoises before starting over. */
  accessDecisionsCachedMax: 100_000,
  /** The window over which a quota's rate is enforced: accepted units stay within rate × window. */
  quotaWindowMs: 10_000,
  /**
   * Latest record timestamp a client may give: the last millisecond of
   * year 9999, the latest RFC 3339 can write (reports are RFC 3339). It
   * also keeps every timestamp delta within a batch inside the ±2^52 that
   * varints hold exactly. The earliest is 0 (1970-01-01).
   */
  timestampMsMax: 253_402_300_799_999,
  /** Offsets stay below 2^53 so they are exact JavaScript numbers. */
  offsetMax: Number.MAX_SAFE_INTEGER,
  /** How long after a bug in an object's alarm it runs again: soon enough to keep heartbeats, never a hot loop. */
  alarmRetryAfterBugMs: 5_000,
  /** How long after the runtime refused to store an object's alarm it is tried again (until stored). */
  alarmSetRetryMs: 1_000,
} as const;

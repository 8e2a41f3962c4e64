/**
 * The limits of push subscriptions (src/push, docs/subscriptions.md). Part
 * of `limits` (limits.ts), where they are used from; docs/limits.md lists
 * them with the rest.
 */
export const pushLimits = {
  /** Longest a subscription's name may be (`[a-zA-Z0-9._-]`; it is also its consumer group's id). */
  subscriptionNameLengthMax: 249,
  /** Most subscriptions a cluster may hold. */
  subscriptionsCountMax: 1_000,
  /** Most topics one subscription may read. */
  subscriptionTopicsMax: 100,
  /** Most records one pushed batch carries (`batch_records`), and its default. */
  pushBatchRecordsMax: 1_000,
  pushBatchRecordsDefault: 100,
  /** Most bytes of records (as rendered) one pushed batch carries (`batch_bytes`; at least one record), and its default. */
  pushBatchBytesMax: 8 * 1024 * 1024,
  pushBatchBytesDefault: 1024 * 1024,
  /** Longest a partial batch waits for more records before it is pushed (`max_wait_ms`), and its default. */
  pushMaxWaitMsMax: 60_000,
  pushMaxWaitMsDefault: 1_000,
  /** Most retries of one batch (`max_retries`; it is tried 1 + max_retries times), and its default. */
  pushMaxRetriesMax: 100,
  pushMaxRetriesDefault: 10,
  /** The first wait before a retry (`retry_backoff_ms`, doubling with each retry), its default, and the cap on any wait. */
  pushRetryBackoffMsDefault: 1_000,
  pushRetryBackoffMsMax: 60_000,
  /** How much longer than its nominal length a retry waits, at most (a random share of it: jitter). */
  pushRetryJitterPercent: 20,
  /** Longest a record is held back after it was written (`delivery_delay_ms`). */
  pushDeliveryDelayMsMax: 12 * 60 * 60 * 1000,
  /** Longest a webhook may take to answer one delivery (a worker target: its deliver() call). */
  pushTargetTimeoutMs: 30_000,
  /** Most redirects to the same host a delivery follows (redirects to other hosts are never followed). */
  pushWebhookRedirectsMax: 5,
  /** Most bytes of a webhook's answer read (for the error it reports); the rest is dropped. */
  pushWebhookResponseBytesMax: 4_096,
  /** Longest a webhook URL may be. */
  pushWebhookUrlLengthMax: 2_048,
  /** Most headers a webhook target may add to each request, and the longest any name or value may be. */
  pushWebhookHeadersMax: 32,
  pushWebhookHeaderLengthMax: 4_096,
  /** Longest an error message kept as a subscription's `last_error` may be. */
  pushErrorMessageLengthMax: 1_000,
  /**
   * While a batch is out, the subscription's alarm is kept set this far
   * ahead: should the server restart mid-delivery, delivery resumes (from
   * the committed offset) when it goes off. Going off with nothing to do
   * costs no call.
   */
  pushRestartLookMs: 5_000,
  /** Most subscriptions (and most stale entries) one partition replica remembers to tell when records arrive. */
  pushWatchersMax: 10_000,
  /** How long a caught-up partition waits before it looks again when its replicas hold too many watches to remember it (else it is told). */
  pushUnwatchedLookMs: 5_000,
} as const;

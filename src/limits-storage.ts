/**
 * The limits of a partition's storage: tiered storage (docs/storage.md)
 * and the log cleaner. Part of `limits` (limits.ts), where they are used
 * from; docs/limits.md lists them with the rest.
 */
export const storageLimits = {
  // ---- tiered storage (docs/storage.md) ----
  /**
   * Most bytes of record batches one partition replica holds in its own
   * storage (a Durable Object holds at most 10 GB, indexes and producer
   * state included); an append past it is refused with 50003
   * KAFKA_STORAGE_ERROR. With tiered storage on, local retention keeps a
   * partition far below it.
   */
  partitionLocalBytesMax: 8 * 1024 * 1024 * 1024,
  /**
   * Bytes of one part of a multipart upload of a segment (R2: at least 5
   * MiB, all but the last the same size); a segment up to this size goes
   * up as one put. One part is read, held in memory and sent per alarm run.
   */
  remoteUploadPartBytes: 16 * 1024 * 1024,
  /** Bytes of a segment object between two entries of its sparse index (an entry per batch at or past each such step). */
  remoteIndexIntervalBytes: 256 * 1024,
  /** Bytes a remote read fetches beyond the batch it needs, up to the object's end, so the next reads hit the cache. */
  remoteReadAheadBytes: 4 * 1024 * 1024,
  /** Most bytes of remote reads a partition replica keeps in memory for the reads that follow. */
  remoteReadCacheBytesMax: 16 * 1024 * 1024,
  /** Longest one call to the segment bucket may take before it counts as failed (and is retried). */
  remoteCallMsMax: 60_000,
  /** The first retry of a failed upload or delete comes this long after it; each next one twice as long after the last. */
  remoteRetryFirstMs: 1_000,
  /** The longest pause between two attempts of an upload or a delete. */
  remoteRetryPauseMsMax: 60_000,
  /** Most object keys one alarm run deletes (R2 deletes up to 1,000 in one request). */
  remoteDeleteKeysPerStepMax: 1_000,
  /** How often a partition's leader lists its objects in the bucket to find orphans. */
  remoteSweepIntervalMs: 60 * 60 * 1000,
  /** An object not recorded is an orphan only once it is this old: an upload in flight is never taken for one. */
  remoteOrphanGraceMs: 60 * 60 * 1000,
  /**
   * How long the object of a remote segment the log cleaner rewrote stays
   * in the bucket once its replacement is recorded: reads that found it
   * just before go on, and a leader deposed without knowing it, back in
   * touch within this time, learns that the new leader's segments still
   * name it before its delete comes due (then it is not deleted).
   */
  remoteReplacedDeleteDelayMs: 60 * 60 * 1000,
  /** Most remote segments the leader tells a follower about in one replication call. */
  remoteSyncSegmentsMax: 64,
  /** Most sparse-index entries of those segments in one replication call (at least one segment's go). */
  remoteSyncIndexEntriesMax: 20_000,
  // ---- the log cleaner (cleanup.policy=compact) ----
  /**
   * Most bytes of stored batches one step of the log cleaner reads (one
   * alarm run of a partition replica): a step stalls appends no longer
   * than reading, decoding and rewriting this much takes.
   */
  cleanerStepBytesMax: 512 * 1024,
  /** Most records one step of the log cleaner decodes (the step ends at the batch that passes it). */
  cleanerStepRecordsMax: 5_000,
  /**
   * Most bytes the cleaner's offset map (the latest offset of each key of
   * the dirty section) holds, each key counted as its length plus
   * `cleanerOffsetMapEntryOverheadBytes`: a dirty section with more keys
   * is cleaned over several passes (Kafka's log.cleaner.dedupe.buffer.size).
   */
  cleanerOffsetMapBytesMax: 16 * 1024 * 1024,
  /** What one key of the offset map costs in memory beyond its own bytes. */
  cleanerOffsetMapEntryOverheadBytes: 64,
  /** Unbounded `max.compaction.lag.ms`: Kafka's Long.MAX_VALUE (9223372036854775807) becomes this, the largest exact JavaScript integer. */
  compactionLagMsUnbounded: Number.MAX_SAFE_INTEGER,
} as const;

/** The partition log's SQLite schema steps (see storage/schema.ts). */
export const PARTITION_SCHEMA: string[] = [
  // 1: the log. One batch per row, the stored bytes are Kafka's wire format.
  // time_index_ms is the running max of max_timestamp_ms up to each batch,
  // so it never decreases with offset and one index answers "first batch
  // that may hold a timestamp >= T".
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE segments (
     base_offset INTEGER PRIMARY KEY,
     created_at_ms INTEGER NOT NULL,
     closed INTEGER NOT NULL DEFAULT 0,
     size_bytes INTEGER NOT NULL DEFAULT 0,
     max_timestamp_ms INTEGER NOT NULL DEFAULT -1,
     last_offset INTEGER NOT NULL DEFAULT -1
   );
   CREATE TABLE batches (
     base_offset INTEGER PRIMARY KEY,
     last_offset INTEGER NOT NULL,
     segment_base_offset INTEGER NOT NULL,
     max_timestamp_ms INTEGER NOT NULL,
     time_index_ms INTEGER NOT NULL,
     leader_epoch INTEGER NOT NULL,
     size_bytes INTEGER NOT NULL,
     bytes BLOB NOT NULL
   );
   CREATE INDEX batches_by_time ON batches (time_index_ms, base_offset);`,
  // 2: replication and idempotent produce. The epoch index finds where an
  // epoch ends (for truncation); producer keys remember Idempotency-Keys
  // with the offsets they got, and travel to followers with their batches.
  `CREATE INDEX batches_by_epoch ON batches (leader_epoch, base_offset);
   CREATE TABLE producer_keys (
     key TEXT PRIMARY KEY,
     fingerprint TEXT NOT NULL,
     base_offset INTEGER NOT NULL,
     record_count INTEGER NOT NULL,
     request_time_ms INTEGER NOT NULL,
     expires_at_ms INTEGER NOT NULL
   );
   CREATE INDEX producer_keys_by_offset ON producer_keys (base_offset);
   CREATE INDEX producer_keys_by_expiry ON producer_keys (expires_at_ms);`,
  // 3: Kafka's idempotent producers share the producer keys: a row per
  // batch of a producer id (null for Idempotency-Keys), with its epoch and
  // the sequences of its first and last records, newest few per producer.
  `ALTER TABLE producer_keys ADD COLUMN producer_id INTEGER;
   ALTER TABLE producer_keys ADD COLUMN producer_epoch INTEGER;
   ALTER TABLE producer_keys ADD COLUMN first_sequence INTEGER;
   ALTER TABLE producer_keys ADD COLUMN last_sequence INTEGER;
   CREATE INDEX producer_keys_by_producer ON producer_keys (producer_id, base_offset) WHERE producer_id IS NOT NULL;`,
  // 4: tiered storage (src/tiered/). Segments copied to the bucket, oldest
  // first and contiguous: `seq` orders their recording (followers learn
  // them in that order; meta `remote_synced_seq` says up to which seq a
  // replica's rows are complete); `leader_epoch` is the uploader's. The sparse
  // index has one entry per remoteIndexIntervalBytes of an object: the
  // position of a batch and the running max timestamp up to the end of
  // its span. The one upload in progress (leader), with its multipart
  // state and the index entries made so far; owed deletes of objects and
  // aborts of multipart uploads, retried from the alarm.
  `CREATE TABLE remote_segments (
     id INTEGER PRIMARY KEY,
     base_offset INTEGER NOT NULL UNIQUE,
     last_offset INTEGER NOT NULL,
     size_bytes INTEGER NOT NULL,
     max_timestamp_ms INTEGER NOT NULL,
     leader_epoch INTEGER NOT NULL,
     object_key TEXT NOT NULL UNIQUE,
     seq INTEGER NOT NULL,
     recorded_at_ms INTEGER NOT NULL
   );
   CREATE INDEX remote_segments_by_seq ON remote_segments (seq);
   CREATE TABLE remote_index (
     segment_id INTEGER NOT NULL,
     base_offset INTEGER NOT NULL,
     position INTEGER NOT NULL,
     time_index_ms INTEGER NOT NULL,
     PRIMARY KEY (segment_id, base_offset)
   ) WITHOUT ROWID;
   CREATE INDEX remote_index_by_time ON remote_index (time_index_ms, base_offset);
   CREATE TABLE remote_upload (
     object_key TEXT PRIMARY KEY,
     base_offset INTEGER NOT NULL,
     last_offset INTEGER NOT NULL,
     size_bytes INTEGER NOT NULL,
     max_timestamp_ms INTEGER NOT NULL,
     leader_epoch INTEGER NOT NULL,
     upload_id TEXT,
     part_bytes INTEGER NOT NULL,
     parts TEXT NOT NULL DEFAULT '[]',
     next_offset INTEGER NOT NULL,
     next_skip INTEGER NOT NULL DEFAULT 0,
     position INTEGER NOT NULL DEFAULT 0,
     time_index_ms INTEGER NOT NULL,
     started_at_ms INTEGER NOT NULL
   );
   CREATE TABLE remote_upload_index (base_offset INTEGER PRIMARY KEY, position INTEGER NOT NULL, time_index_ms INTEGER NOT NULL);
   CREATE TABLE remote_deletes (
     object_key TEXT PRIMARY KEY,
     upload_id TEXT,
     owed_since_ms INTEGER NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     next_attempt_ms INTEGER NOT NULL
   );`,
  // 5: push subscriptions waiting for records here (replication/push-watchers.ts).
  `CREATE TABLE push_watchers (subscription TEXT PRIMARY KEY, offset INTEGER NOT NULL);`,
  // 6: fencing tokens (API.md "Conditional append and fencing"). Each fence
  // is a control batch in the log; this table remembers the token each one
  // set by its offset, so the current token outlives the batch (retention,
  // tiered storage) and a truncation goes back to the token before it.
  `CREATE TABLE fences (base_offset INTEGER PRIMARY KEY, token TEXT NOT NULL);`,
  // 7: the log cleaner's rewrite of a remote segment (src/tiered/remote-
  // segments-store.ts, leader only): the one segment being rewritten — its
  // new object's key, the object it replaces, how far its cleaned ranges
  // have been staged, the multipart upload's state — and the cleaned
  // batches staged and not yet sent, with the index entries made so far.
  `CREATE TABLE remote_rewrite (
     object_key TEXT PRIMARY KEY,
     old_key TEXT NOT NULL,
     base_offset INTEGER NOT NULL,
     last_offset INTEGER NOT NULL,
     leader_epoch INTEGER NOT NULL,
     staged_to INTEGER NOT NULL,
     size_bytes INTEGER NOT NULL DEFAULT 0,
     max_timestamp_ms INTEGER NOT NULL DEFAULT -1,
     changed INTEGER NOT NULL DEFAULT 0,
     upload_id TEXT,
     part_bytes INTEGER NOT NULL,
     parts TEXT NOT NULL DEFAULT '[]',
     next_offset INTEGER NOT NULL,
     next_skip INTEGER NOT NULL DEFAULT 0,
     position INTEGER NOT NULL DEFAULT 0,
     time_index_ms INTEGER NOT NULL,
     started_at_ms INTEGER NOT NULL
   );
   CREATE TABLE remote_rewrite_batches (base_offset INTEGER PRIMARY KEY, bytes BLOB NOT NULL);
   CREATE TABLE remote_rewrite_index (base_offset INTEGER PRIMARY KEY, position INTEGER NOT NULL, time_index_ms INTEGER NOT NULL);`,
];

/** A push subscription object's SQLite schema steps (see rpc/schema-steps.ts). */
export const SUBSCRIPTION_SCHEMA: string[] = [
  // 1: the subscription (one row while it exists: settings as JSON, the
  // principal it reads as, the webhook signing secret, paused or not); each
  // partition's retry state (failed attempts of the batch of offsets
  // [batch_offset, batch_next) and the last one's error, when the next is
  // due, stalled or not); the subscription's last error;
  // the counters GET /metrics shows. Positions are not here: they are the
  // consumer group's committed offsets.
  `CREATE TABLE subscription (
     singleton INTEGER PRIMARY KEY CHECK (singleton = 0),
     name TEXT NOT NULL,
     config TEXT NOT NULL,
     principal TEXT NOT NULL,
     secret TEXT,
     paused INTEGER NOT NULL DEFAULT 0,
     created_at_ms INTEGER NOT NULL
   );
   CREATE TABLE partitions (
     topic TEXT NOT NULL,
     partition INTEGER NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     batch_offset INTEGER,
     batch_next INTEGER,
     error TEXT,
     retry_at_ms INTEGER,
     stalled INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (topic, partition)
   );
   CREATE TABLE last_error (
     singleton INTEGER PRIMARY KEY CHECK (singleton = 0),
     message TEXT NOT NULL,
     topic TEXT NOT NULL,
     partition INTEGER NOT NULL,
     offset INTEGER,
     at_ms INTEGER NOT NULL
   );
   CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);`,
];

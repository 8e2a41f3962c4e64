/** The controller's SQLite schema steps (see storage/schema.ts). */
export const CONTROLLER_SCHEMA: string[] = [
  // 1: topics and the cleanup still owed to partition replicas.
  `CREATE TABLE topics (
     topic_name TEXT PRIMARY KEY,
     topic_id TEXT NOT NULL UNIQUE,
     partitions_count INTEGER NOT NULL,
     replication_factor INTEGER NOT NULL,
     configs TEXT NOT NULL,
     created_at_ms INTEGER NOT NULL
   );
   CREATE TABLE pending_wipes (
     topic_id TEXT PRIMARY KEY,
     partitions_count INTEGER NOT NULL,
     replication_factor INTEGER NOT NULL
   );
   CREATE TABLE pending_config_pushes (topic_id TEXT PRIMARY KEY);`,
  // 2: who leads each partition, in which epoch, and its in-sync replicas.
  // Topics made before this step get their rows on first use.
  `CREATE TABLE partitions (
     topic_id TEXT NOT NULL,
     partition INTEGER NOT NULL,
     leader INTEGER NOT NULL,
     leader_epoch INTEGER NOT NULL,
     replicas TEXT NOT NULL,
     isr TEXT NOT NULL,
     PRIMARY KEY (topic_id, partition)
   );`,
  // 3: consumer groups, for listing (each group's state lives in its coordinator).
  `CREATE TABLE groups (group_id TEXT PRIMARY KEY, created_at_ms INTEGER NOT NULL);`,
  // 4: the producer id counter: the next id InitProducerId hands out.
  `CREATE TABLE producer_ids (singleton INTEGER PRIMARY KEY CHECK (singleton = 0), next_id INTEGER NOT NULL);
   INSERT INTO producer_ids (singleton, next_id) VALUES (0, 0);`,
  // 5: monitoring. Counters of leadership events (GET /metrics); alert
  // rules with their state (inactive, pending or firing, since when); and
  // webhook deliveries still to send or retry, oldest first per alert.
  `CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
   CREATE TABLE alert_rules (
     name TEXT PRIMARY KEY,
     kind TEXT NOT NULL,
     target TEXT,
     threshold REAL NOT NULL,
     for_ms INTEGER NOT NULL,
     webhook_url TEXT NOT NULL,
     created_at_ms INTEGER NOT NULL,
     state TEXT NOT NULL DEFAULT 'inactive',
     since_ms INTEGER,
     value REAL,
     evaluated_at_ms INTEGER
   );
   CREATE TABLE alert_deliveries (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     alert TEXT NOT NULL,
     webhook_url TEXT NOT NULL,
     body TEXT NOT NULL,
     first_attempt_ms INTEGER NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     next_attempt_ms INTEGER NOT NULL
   );
   CREATE INDEX alert_deliveries_by_alert ON alert_deliveries (alert, id);`,
  // 6: push subscriptions, for listing (each one's state lives in its own object).
  `CREATE TABLE subscriptions (name TEXT PRIMARY KEY, created_at_ms INTEGER NOT NULL);`,
];

/** The group coordinator's SQLite schema steps (see storage/schema.ts). */
export const GROUP_SCHEMA: string[] = [
  // 1: members (HTTP instances and WebSocket subscribers) and committed offsets.
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE members (member_id TEXT PRIMARY KEY, state TEXT NOT NULL);
   CREATE TABLE offsets (
     topic TEXT NOT NULL,
     partition INTEGER NOT NULL,
     offset INTEGER NOT NULL,
     metadata TEXT,
     committed_at_ms INTEGER NOT NULL,
     PRIMARY KEY (topic, partition)
   );`,
  // 2: committed offsets remember the id of the topic they were committed
  // in, so a topic deleted and created again under the same name does not
  // inherit them. '' marks an offset committed before this step (adopted
  // by the topic of that name the next time the topics are listed).
  `ALTER TABLE offsets ADD COLUMN topic_id TEXT NOT NULL DEFAULT '';`,
  // 3: which committed offsets are in __consumer_offsets yet (offsets-log.ts): 0 until logged.
  // Offsets committed before this step are logged by the group's next flush.
  `ALTER TABLE offsets ADD COLUMN logged INTEGER NOT NULL DEFAULT 0;`,
];

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
];

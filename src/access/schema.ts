/** The access-control object's SQLite schema steps (see storage/schema.ts). */
export const ACCESS_SCHEMA: string[] = [
  // 1: API keys (secrets only as salted hashes), ACLs, quotas, the audit log, and a version bumped on every change.
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
   CREATE TABLE keys (
     key_id TEXT PRIMARY KEY,
     principal TEXT NOT NULL,
     description TEXT NOT NULL,
     created_at_ms INTEGER NOT NULL,
     disabled INTEGER NOT NULL,
     salt TEXT NOT NULL,
     hash TEXT NOT NULL
   );
   CREATE TABLE acls (
     resource_type TEXT NOT NULL,
     resource_name TEXT NOT NULL,
     pattern_type TEXT NOT NULL,
     principal TEXT NOT NULL,
     host TEXT NOT NULL,
     operation TEXT NOT NULL,
     permission TEXT NOT NULL,
     PRIMARY KEY (resource_type, resource_name, pattern_type, principal, host, operation, permission)
   );
   CREATE TABLE quotas (
     principal TEXT PRIMARY KEY,
     producer_byte_rate INTEGER,
     consumer_byte_rate INTEGER,
     request_rate INTEGER
   );
   CREATE TABLE audit (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     time_ms INTEGER NOT NULL,
     principal TEXT NOT NULL,
     action TEXT NOT NULL,
     resource TEXT NOT NULL,
     outcome TEXT NOT NULL,
     error_code INTEGER
   );
   CREATE INDEX audit_by_time ON audit (time_ms);`,
];

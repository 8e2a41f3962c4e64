/**
 * The audit log: admin actions and denied requests, newest last, bounded
 * to `limits.auditEntriesMax` entries (the oldest are dropped first).
 */
import { limits } from "../limits";
import type { AuditEntry } from "./types";

type AuditRow = { time_ms: number; principal: string; action: string; resource: string; outcome: AuditEntry["outcome"]; error_code: number | null };

export class AuditStore {
  constructor(
    private readonly sql: SqlStorage,
    /** `limits.auditEntriesMax`; tests lower it to reach it. */
    public entriesMax: number = limits.auditEntriesMax,
  ) {}

  /** Appends entries, then drops the oldest past the bound. */
  append(entries: AuditEntry[]): void {
    for (const e of entries) {
      this.sql.exec(
        "INSERT INTO audit (time_ms, principal, action, resource, outcome, error_code) VALUES (?, ?, ?, ?, ?, ?)",
        e.time, e.principal.slice(0, 300), e.action.slice(0, 100), e.resource.slice(0, 600), e.outcome, e.error_code ?? null,
      );
    }
    this.sql.exec("DELETE FROM audit WHERE seq <= (SELECT MAX(seq) FROM audit) - ?", this.entriesMax);
  }

  /** Entries at or after `sinceMs`, oldest first, at most `limit` (the newest ones when there are more). */
  read(sinceMs: number, limit: number): AuditEntry[] {
    const rows = this.sql
      .exec<AuditRow>("SELECT * FROM (SELECT * FROM audit WHERE time_ms >= ? ORDER BY seq DESC LIMIT ?) ORDER BY seq", sinceMs, limit)
      .toArray();
    return rows.map((r) => ({
      time: r.time_ms, principal: r.principal, action: r.action, resource: r.resource, outcome: r.outcome,
      ...(r.error_code === null ? {} : { error_code: r.error_code }),
    }));
  }
}

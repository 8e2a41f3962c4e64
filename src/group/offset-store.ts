/** A group's committed offsets, in the coordinator's SQLite. */
import type { CommittedOffset, OffsetChange, TopicPartition } from "./types";

export class OffsetStore {
  constructor(private readonly sql: SqlStorage) {}

  /** The committed offset of a partition, or null. */
  get(tp: TopicPartition): CommittedOffset | null {
    const row = this.sql
      .exec<{ offset: number; metadata: string | null }>("SELECT offset, metadata FROM offsets WHERE topic = ? AND partition = ?", tp.topic, tp.partition)
      .toArray()[0];
    return row === undefined ? null : { ...tp, offset: row.offset, metadata: row.metadata };
  }

  /** Commits offsets (replacing earlier ones), stamped with the time. */
  write(offsets: OffsetChange[]): void {
    const nowMs = Date.now();
    for (const o of offsets) {
      this.sql.exec(
        "INSERT OR REPLACE INTO offsets (topic, partition, offset, metadata, committed_at_ms) VALUES (?, ?, ?, ?, ?)",
        o.topic, o.partition, o.offset, o.metadata ?? null, nowMs,
      );
    }
  }

  /** Topics with any committed offset. */
  topics(): string[] {
    return this.sql.exec<{ topic: string }>("SELECT DISTINCT topic FROM offsets").toArray().map((r) => r.topic);
  }
}

/**
 * A group's committed offsets, in the coordinator's SQLite. Each offset
 * is stamped with the id of the topic it was committed in: an offset of
 * another topic id (the topic was deleted, maybe created again) counts as
 * absent and is dropped when met.
 */
import type { CommittedOffset, OffsetWrite, TopicIndex, TopicPartition } from "./types";

type Row = {
  topic: string;
  partition: number;
  offset: number;
  metadata: string | null;
  topic_id: string;
};

/** A committed offset not yet in `__consumer_offsets`, with the time it was committed. */
export interface UnloggedOffset extends CommittedOffset {
  committedAtMs: number;
}

export class OffsetStore {
  /** Told after every write (the coordinator flushes to `__consumer_offsets` soon after). */
  onWrite: () => void = () => {};

  constructor(private readonly sql: SqlStorage) {}

  /** The committed offset of a partition of topic id `topicId`, or null (dropping one of another topic id). */
  get(tp: TopicPartition, topicId: string): CommittedOffset | null {
    const row = this.sql
      .exec<Row>("SELECT topic, partition, offset, metadata, topic_id FROM offsets WHERE topic = ? AND partition = ?", tp.topic, tp.partition)
      .toArray()[0];
    if (row === undefined) return null;
    if (row.topic_id !== "" && row.topic_id !== topicId) {
      this.sql.exec("DELETE FROM offsets WHERE topic = ? AND partition = ?", tp.topic, tp.partition);
      return null;
    }
    return { ...tp, offset: row.offset, metadata: row.metadata };
  }

  /** Commits offsets (replacing earlier ones), stamped with the time. */
  write(offsets: OffsetWrite[]): void {
    const nowMs = Date.now();
    for (const o of offsets) {
      this.sql.exec(
        "INSERT OR REPLACE INTO offsets (topic, partition, offset, metadata, committed_at_ms, topic_id) VALUES (?, ?, ?, ?, ?, ?)",
        o.topic, o.partition, o.offset, o.metadata ?? null, nowMs, o.topicId,
      );
    }
    if (offsets.length > 0) this.onWrite();
  }

  /** Up to `limit` committed offsets not yet in `__consumer_offsets`, oldest first. */
  unlogged(limit: number): UnloggedOffset[] {
    return this.sql
      .exec<Row & { committed_at_ms: number }>("SELECT topic, partition, offset, metadata, committed_at_ms FROM offsets WHERE logged = 0 ORDER BY committed_at_ms LIMIT ?", limit)
      .toArray()
      .map((r) => ({ topic: r.topic, partition: r.partition, offset: r.offset, metadata: r.metadata, committedAtMs: r.committed_at_ms }));
  }

  /** Marks offsets as in `__consumer_offsets` — those not committed again since they were read. */
  markLogged(rows: UnloggedOffset[]): void {
    for (const r of rows) {
      this.sql.exec("UPDATE offsets SET logged = 1 WHERE topic = ? AND partition = ? AND offset = ? AND committed_at_ms = ?", r.topic, r.partition, r.offset, r.committedAtMs);
    }
  }

  /** The generation whose group metadata is in `__consumer_offsets`, or null. */
  loggedGeneration(): string | null {
    return this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'offsets_topic_generation'").toArray()[0]?.value ?? null;
  }

  setLoggedGeneration(generation: string): void {
    this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('offsets_topic_generation', ?)", generation);
  }

  /** Every committed offset, with the id of the topic it was committed in ("" before ids were kept). */
  all(): (CommittedOffset & { topicId: string })[] {
    return this.sql
      .exec<Row>("SELECT topic, partition, offset, metadata, topic_id FROM offsets ORDER BY topic, partition")
      .toArray()
      .map((r) => ({ topic: r.topic, partition: r.partition, offset: r.offset, metadata: r.metadata, topicId: r.topic_id }));
  }

  /** Forgets the committed offsets of `partitions` (Kafka's OffsetDelete and DeleteGroups). */
  delete(partitions: TopicPartition[]): void {
    for (const tp of partitions) this.sql.exec("DELETE FROM offsets WHERE topic = ? AND partition = ?", tp.topic, tp.partition);
  }

  /** Topics with any committed offset. */
  topics(): string[] {
    return this.sql.exec<{ topic: string }>("SELECT DISTINCT topic FROM offsets").toArray().map((r) => r.topic);
  }

  /**
   * Drops the offsets of topics that no longer exist or were created again
   * (another topic id) since; offsets stored before ids were kept take the
   * current id of their topic.
   */
  forgetGone(topics: TopicIndex): void {
    const stamps = this.sql.exec<{ topic: string; topic_id: string }>("SELECT DISTINCT topic, topic_id FROM offsets").toArray();
    for (const { topic, topic_id } of stamps) {
      const now = topics.get(topic);
      if (now === undefined || (topic_id !== "" && topic_id !== now.topicId)) {
        this.sql.exec("DELETE FROM offsets WHERE topic = ? AND topic_id = ?", topic, topic_id);
      } else if (topic_id === "") {
        this.sql.exec("UPDATE offsets SET topic_id = ? WHERE topic = ? AND topic_id = ''", now.topicId, topic);
      }
    }
  }
}

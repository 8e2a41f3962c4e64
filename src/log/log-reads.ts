/**
 * Reading a replica's stored batches: ranges for fetch and replication,
 * the time index, and the batch marks replication compares to find where
 * two histories diverge. Every batch is checked (CRC) as it is read back.
 * The log cleaner leaves gaps: batches holding fewer records than their
 * offsets span, or none, and offsets no batch holds; a read from such an
 * offset starts at the next batch.
 */
import { ErrorCode, failure, type Failure } from "../errors";
import { DELETE_HORIZON } from "../record/attributes";
import { checkStoredBatch, lastOffsetOf, readBatchHeader } from "../record/record-batch";
import type { Positions } from "./types";

type BatchRow = { base_offset: number; bytes: ArrayBuffer };

/** A batch's identity: enough to tell whether two histories agree there. */
export interface BatchMark {
  baseOffset: number;
  /** Inclusive; cleaning keeps it. */
  lastOffset: number;
  crc: number;
  leaderEpoch: number;
  /** Whether a cleaner rewrote it (fewer records than its offsets span, or a delete horizon): then its CRC is this replica's own. */
  cleaned: boolean;
}

export class LogReads {
  /** `log` gives the current positions (the log itself). */
  constructor(
    private readonly sql: SqlStorage,
    private readonly log: Positions & { localLogStartOffset: number },
  ) {}

  /**
   * Whole batches from the one holding `offset` (or, in a gap the cleaner
   * left, the next one), starting below `endOffset` (exclusive), up to
   * about `maxBytes` (at least one when any is there).
   */
  readBatches(offset: number, endOffset: number, maxBytes: number): Uint8Array[] | Failure {
    if (offset >= endOffset) return [];
    const cursor = this.sql.exec<BatchRow & { last_offset: number }>(
      `SELECT base_offset, last_offset, bytes FROM batches
       WHERE base_offset >= COALESCE((SELECT base_offset FROM batches WHERE base_offset <= ?1 ORDER BY base_offset DESC LIMIT 1), ?1)
         AND base_offset < ?2
       ORDER BY base_offset`,
      offset,
      endOffset,
    );
    const out: Uint8Array[] = [];
    let bytes = 0;
    for (const row of cursor) {
      if (row.last_offset < offset) continue; // the batch before a gap
      const batch = new Uint8Array(row.bytes);
      if (out.length > 0 && bytes + batch.length > maxBytes) break;
      const problem = checkStoredBatch(batch);
      if (problem !== null) return corrupt(row.base_offset, problem);
      out.push(batch);
      bytes += batch.length;
    }
    return out;
  }

  /**
   * The first batch holding a record at or after `timestampMs`, below the
   * high watermark: the first whose own max timestamp is (the running max
   * of the time index narrows the search; a batch the cleaner emptied or
   * rewrote has its own max timestamp lowered, so it is passed over).
   */
  batchForTimestamp(timestampMs: number): Uint8Array | null | Failure {
    const row = this.sql
      .exec<BatchRow>(
        `SELECT base_offset, bytes FROM batches WHERE time_index_ms >= ?1 AND max_timestamp_ms >= ?1 AND base_offset < ?2
         ORDER BY time_index_ms, base_offset LIMIT 1`,
        timestampMs,
        this.log.highWatermark,
      )
      .toArray()[0];
    if (row === undefined) return null;
    const batch = new Uint8Array(row.bytes);
    const problem = checkStoredBatch(batch);
    return problem === null ? batch : corrupt(row.base_offset, problem);
  }

  /** The last batch held, or null for an empty log. */
  lastBatch(): BatchMark | null {
    return markOf(this.sql.exec<BatchRow>("SELECT base_offset, bytes FROM batches ORDER BY base_offset DESC LIMIT 1").toArray()[0]);
  }

  /** The batch starting exactly at `baseOffset`, or null. */
  batchAt(baseOffset: number): BatchMark | null {
    return markOf(this.sql.exec<BatchRow>("SELECT base_offset, bytes FROM batches WHERE base_offset = ?", baseOffset).toArray()[0]);
  }

  /**
   * Where epoch `epoch` ends in this log: the first offset written in a
   * later epoch, or the log end when no later epoch has written.
   */
  endOffsetForEpoch(epoch: number): number {
    const row = this.sql.exec<{ start: number | null }>("SELECT MIN(base_offset) AS start FROM batches WHERE leader_epoch > ?", epoch).one();
    return row.start ?? this.log.logEndOffset;
  }

  /** The largest leader epoch a batch held was written in, at or below `epoch`; null when none was (Kafka's OffsetForLeaderEpoch). */
  epochAtOrBelow(epoch: number): number | null {
    return this.sql.exec<{ epoch: number | null }>("SELECT MAX(leader_epoch) AS epoch FROM batches WHERE leader_epoch <= ?", epoch).one().epoch;
  }

  /** The start of the batch holding `offset` (`offset` itself in a gap), or the log end when `offset` is at or past it. */
  batchBoundaryAtOrBelow(offset: number): number {
    if (offset >= this.log.logEndOffset) return this.log.logEndOffset;
    const row = this.sql
      .exec<{ base_offset: number; last_offset: number }>("SELECT base_offset, last_offset FROM batches WHERE base_offset <= ? ORDER BY base_offset DESC LIMIT 1", offset)
      .toArray()[0];
    if (row === undefined) return Math.max(offset, this.log.localLogStartOffset); // below what is held here: tiered storage's local log start
    return row.last_offset < offset ? offset : row.base_offset;
  }

  /**
   * Whether this log's history agrees with another replica's at `mark`
   * (that replica's batch there). The same bytes do; so does a batch
   * either cleaner rewrote, when it has the same offsets and epoch — as in
   * Kafka, an epoch and an offset name one history. Where no batch of
   * ours starts at the mark, one spanning it means other boundaries:
   * another history. A gap is what a cleaner leaves, and the history
   * there is the epoch of our batch before it (every epoch keeps its
   * first batch through cleaning), or, before our first batch, gone as
   * below the log start.
   */
  agreesAt(mark: BatchMark): boolean {
    const mine = this.batchAt(mark.baseOffset);
    if (mine !== null) {
      if (mine.crc === mark.crc) return true;
      return (mine.cleaned || mark.cleaned) && mine.lastOffset === mark.lastOffset && mine.leaderEpoch === mark.leaderEpoch;
    }
    const before = this.sql
      .exec<{ last_offset: number; leader_epoch: number }>("SELECT last_offset, leader_epoch FROM batches WHERE base_offset < ? ORDER BY base_offset DESC LIMIT 1", mark.baseOffset)
      .toArray()[0];
    if (before === undefined) return true;
    return before.last_offset < mark.baseOffset && before.leader_epoch === mark.leaderEpoch;
  }
}

function markOf(row: BatchRow | undefined): BatchMark | null {
  if (row === undefined) return null;
  const h = readBatchHeader(new Uint8Array(row.bytes));
  const cleaned = h.lastOffsetDelta > h.recordCount - 1 || (h.attributes & DELETE_HORIZON) !== 0;
  return { baseOffset: row.base_offset, lastOffset: lastOffsetOf(h), crc: h.crc, leaderEpoch: h.partitionLeaderEpoch, cleaned };
}

function corrupt(baseOffset: number, problem: string): Failure {
  return failure(ErrorCode.CORRUPT_MESSAGE, `corrupt record batch at offset ${baseOffset}: ${problem}`);
}

/**
 * Reading a replica's stored batches: ranges for fetch and replication,
 * the time index, and the batch marks replication compares to find where
 * two histories diverge. Every batch is checked (CRC) as it is read back.
 */
import { assert, ErrorCode, failure, type Failure } from "../errors";
import { checkBatch, readBatchHeader } from "../record/record-batch";
import type { Positions } from "./types";

type BatchRow = { base_offset: number; bytes: ArrayBuffer };

/** A batch's identity: enough to tell whether two histories agree there. */
export interface BatchMark {
  baseOffset: number;
  crc: number;
  leaderEpoch: number;
}

export class LogReads {
  /** `log` gives the current positions (the log itself). */
  constructor(
    private readonly sql: SqlStorage,
    private readonly log: Positions,
  ) {}

  /** Whole batches from the one holding `offset`, below `endOffset` (exclusive), up to about `maxBytes` (at least one). */
  readBatches(offset: number, endOffset: number, maxBytes: number): Uint8Array[] | Failure {
    if (offset >= endOffset) return [];
    const cursor = this.sql.exec<BatchRow>(
      `SELECT base_offset, bytes FROM batches
       WHERE base_offset >= (SELECT base_offset FROM batches WHERE base_offset <= ?1 ORDER BY base_offset DESC LIMIT 1)
         AND base_offset < ?2
       ORDER BY base_offset`,
      offset,
      endOffset,
    );
    const out: Uint8Array[] = [];
    let bytes = 0;
    for (const row of cursor) {
      const batch = new Uint8Array(row.bytes);
      if (out.length > 0 && bytes + batch.length > maxBytes) break;
      const problem = checkBatch(batch);
      if (problem !== null) return corrupt(row.base_offset, problem);
      out.push(batch);
      bytes += batch.length;
    }
    assert(out.length > 0, `no batch holds offset ${offset} below ${endOffset}`);
    return out;
  }

  /** The first batch whose running max timestamp is at or after `timestampMs`, below the high watermark. */
  batchForTimestamp(timestampMs: number): Uint8Array | null | Failure {
    const row = this.sql
      .exec<BatchRow>(
        `SELECT base_offset, bytes FROM batches WHERE time_index_ms >= ? AND base_offset < ?
         ORDER BY time_index_ms, base_offset LIMIT 1`,
        timestampMs,
        this.log.highWatermark,
      )
      .toArray()[0];
    if (row === undefined) return null;
    const batch = new Uint8Array(row.bytes);
    const problem = checkBatch(batch);
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

  /** The start of the batch holding `offset`, or the log end when `offset` is at or past it. */
  batchBoundaryAtOrBelow(offset: number): number {
    if (offset >= this.log.logEndOffset) return this.log.logEndOffset;
    const row = this.sql.exec<{ base_offset: number }>("SELECT base_offset FROM batches WHERE base_offset <= ? ORDER BY base_offset DESC LIMIT 1", offset).toArray()[0];
    return row?.base_offset ?? this.log.logStartOffset;
  }
}

function markOf(row: BatchRow | undefined): BatchMark | null {
  if (row === undefined) return null;
  const h = readBatchHeader(new Uint8Array(row.bytes));
  return { baseOffset: row.base_offset, crc: h.crc, leaderEpoch: h.partitionLeaderEpoch };
}

function corrupt(baseOffset: number, problem: string): Failure {
  return failure(ErrorCode.CORRUPT_MESSAGE, `corrupt record batch at offset ${baseOffset}: ${problem}`);
}

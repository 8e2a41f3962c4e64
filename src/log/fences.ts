/**
 * Conditional append and fencing tokens (API.md "Conditional append and
 * fencing"). A fence is a control batch in the log (record/
 * control-records.ts), so it replicates with the batches and a new leader
 * enforces the same token; the `fences` table remembers the token each
 * fence set by its offset, written in the same transaction as its batch
 * (leader and follower alike), so the current token outlives the batch
 * itself (retention, tiered storage) and a truncation goes back to the
 * token before it. Fences older than the newest one below the high
 * watermark are forgotten: a truncation never goes below it.
 *
 * The check of a conditional append runs inside the append's SQLite
 * transaction on the leader (partition-log.ts), so nothing can come
 * between the check and the append.
 */
import { ErrorCode, failure, type Failure } from "../errors";
import { fenceTokenOf, isControlBatch } from "../record/control-records";
import type { BatchHeader } from "../record/record-batch";
import type { AppendCondition } from "./types";

/** A fence: the offset of its control batch and the token it set. */
export interface Fence {
  offset: number;
  token: string;
}

export class Fences {
  /** The newest fence: undefined when not read from storage yet, null when there is none. */
  private latest: Fence | null | undefined = undefined;

  constructor(private readonly sql: SqlStorage) {}

  /** The fence in force: the newest one in this log, or null when no token was ever set. */
  current(): Fence | null {
    if (this.latest === undefined) this.latest = this.before(Number.MAX_SAFE_INTEGER);
    return this.latest;
  }

  /** The newest fence below `offset` (exclusive), or null. */
  before(offset: number): Fence | null {
    const row = this.sql.exec<{ base_offset: number; token: string }>("SELECT base_offset, token FROM fences WHERE base_offset < ? ORDER BY base_offset DESC LIMIT 1", offset).toArray()[0];
    return row === undefined ? null : { offset: row.base_offset, token: row.token };
  }

  /** Remembers the token of a batch being stored, when it is a fence (inside the batch's transaction). */
  noteBatch(batch: Uint8Array, h: BatchHeader, highWatermark: number): void {
    if (!isControlBatch(h)) return;
    const token = fenceTokenOf(batch, h);
    if (token === null) return;
    this.sql.exec("INSERT INTO fences (base_offset, token) VALUES (?, ?)", h.baseOffset, token);
    this.sql.exec("DELETE FROM fences WHERE base_offset < (SELECT MAX(base_offset) FROM fences WHERE base_offset < ?)", highWatermark);
    this.latest = { offset: h.baseOffset, token };
  }

  /** Forgets the fences at or after `offset` (a truncation, inside its transaction). */
  dropFrom(offset: number): void {
    this.sql.exec("DELETE FROM fences WHERE base_offset >= ?", offset);
    this.latest = undefined;
  }

  /** Replaces every fence with `fence` (a follower starting over at its leader's local log start, inside that transaction). */
  resetTo(fence: Fence | null): void {
    this.sql.exec("DELETE FROM fences");
    if (fence !== null) this.sql.exec("INSERT INTO fences (base_offset, token) VALUES (?, ?)", fence.offset, fence.token);
    this.latest = undefined;
  }

  /** Storage changed under memory (a rolled-back transaction): read it again when asked. */
  forget(): void {
    this.latest = undefined;
  }

  /**
   * Why an append under `condition` must be refused at `logEndOffset`, or
   * null: 40905 (with the log end offset) when it is not the expected
   * one, 40906 PRODUCER_FENCED when the token is not the current one.
   */
  refusal(condition: AppendCondition, logEndOffset: number): Failure | null {
    const { expectedOffset, fencingToken } = condition;
    if (fencingToken !== undefined && this.current()?.token !== fencingToken) {
      const why = this.current() === null ? "no fencing token was ever set on this partition" : "another fencing token was set on this partition since";
      return failure(ErrorCode.FENCED, `PRODUCER_FENCED: ${why}; nothing was appended`, "PRODUCER_FENCED");
    }
    if (expectedOffset !== undefined && expectedOffset !== logEndOffset) {
      const refused = failure(ErrorCode.OFFSET_NOT_EXPECTED, `expected_offset is ${expectedOffset}, but the log end offset is ${logEndOffset}; nothing was appended`);
      return { ...refused, log_end_offset: logEndOffset };
    }
    return null;
  }
}

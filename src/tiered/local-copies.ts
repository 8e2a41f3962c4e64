/**
 * What tiered storage does to the local log: drop the local copies of
 * segments the bucket holds (the local log start moves; the log start
 * does not), move the log start when retention deleted remote segments,
 * and refuse appends that would take a partition's local storage past
 * its bound.
 */
import { assert, retriable, type Failure } from "../errors";
import type { PartitionLog } from "../log/partition-log";

/**
 * The refusal of `batches` when `heldBytes` plus theirs would pass
 * `boundBytes` (50003 naming KAFKA_STORAGE_ERROR), else null.
 */
export function localStorageRefusal(heldBytes: number, batches: Uint8Array[], boundBytes: number): Failure | null {
  const bytes = batches.reduce((n, b) => n + b.length, 0);
  if (heldBytes + bytes <= boundBytes) return null;
  return retriable(
    "KAFKA_STORAGE_ERROR",
    `the partition's local storage would pass its bound of ${boundBytes} bytes (it holds ${heldBytes}); with remote.storage.enable=false nothing moves it to the bucket (see docs/storage.md)`,
  );
}

/**
 * Drops the closed local segments wholly below `offset` — never the
 * active one — and, when `logStartOffset` is given and ahead, moves the
 * log start there (retention deleted what lies below). Storage only:
 * call inside a transaction, then `log.reload()`.
 */
export function dropLocalBelow(log: PartitionLog, offset: number, logStartOffset?: number): void {
  const start = Math.max(log.logStartOffset, logStartOffset ?? log.logStartOffset);
  if (start > log.logStartOffset) {
    assert(start <= log.highWatermark, `the log start (${start}) never passes the high watermark (${log.highWatermark})`);
    log.setMeta("log_start_offset", String(start));
  }
  const kept = log.sql
    .exec<{ b: number | null }>("SELECT MIN(base_offset) AS b FROM segments WHERE closed = 0 OR last_offset >= ?", offset)
    .one().b;
  const first = kept ?? log.logEndOffset;
  // The local log starts just past what was dropped: a gap the log cleaner left before `first` stays this log's.
  const droppedEnd = log.sql.exec<{ e: number | null }>("SELECT MAX(last_offset) + 1 AS e FROM segments WHERE base_offset < ? AND last_offset >= 0", first).one().e;
  log.sql.exec("DELETE FROM batches WHERE base_offset < ?", first);
  log.sql.exec("DELETE FROM segments WHERE base_offset < ?", first);
  const local = Math.max(Math.min(droppedEnd ?? first, first), start);
  if (local > log.localLogStartOffset) log.setMeta("local_log_start_offset", String(local));
}

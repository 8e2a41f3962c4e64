/**
 * What the log cleaner keeps with the log, as rows of the partition's
 * meta table: Kafka's cleaner checkpoint (the first offset not yet
 * cleaned: everything below it was cleaned by a pass that ended), when the
 * last pass ended, and the earliest delete horizon of a batch still
 * holding a tombstone (KIP-534), so the cleaner comes back to remove it
 * even when nothing new is written.
 */

const CHECKPOINT = "cleaner_checkpoint";
const LAST_RUN = "cleaner_last_run_ms";
const HORIZON = "cleaner_horizon_ms";

/** The log's meta rows and offsets (PartitionLog). */
export interface CheckpointHost {
  readonly meta: Map<string, string>;
  setMeta(key: string, value: string): void;
  logStartOffset: number;
  logEndOffset: number;
}

export interface CleanerCheckpoint {
  /** The first offset not yet cleaned (Kafka's first dirty offset). */
  firstDirtyOffset: number;
  /** When the last pass ended (epoch ms), or null when none has. */
  lastRunMs: number | null;
  /** The earliest delete horizon among batches still holding a tombstone (epoch ms), or null when none does. */
  horizonMs: number | null;
}

/**
 * The cleaner's checkpoint as Kafka reads it: below the log start offset
 * (retention moved it) it is the log start; past the log end it is not
 * believed, and the log start it is too.
 */
export function readCheckpoint(log: CheckpointHost): CleanerCheckpoint {
  const stored = numberOf(log.meta.get(CHECKPOINT)) ?? log.logStartOffset;
  const firstDirtyOffset = stored < log.logStartOffset || stored > log.logEndOffset ? log.logStartOffset : stored;
  return { firstDirtyOffset, lastRunMs: numberOf(log.meta.get(LAST_RUN)), horizonMs: numberOf(log.meta.get(HORIZON)) };
}

/** A pass ended at `nowMs` having cleaned everything below `firstDirtyOffset`; `horizonMs`: the earliest tombstone horizon left. */
export function writeCheckpoint(log: CheckpointHost, firstDirtyOffset: number, nowMs: number, horizonMs: number | null): void {
  log.setMeta(CHECKPOINT, String(firstDirtyOffset));
  log.setMeta(LAST_RUN, String(nowMs));
  log.setMeta(HORIZON, horizonMs === null ? "" : String(horizonMs));
}

/**
 * The log was cut back to `offset` (truncation, or a reset to a new log
 * start): what lies at or after it may be written anew, so it is dirty
 * again (Kafka's maybeTruncateCheckpoint). Call within the cut's transaction.
 */
export function truncateCheckpoint(log: CheckpointHost, offset: number): void {
  const stored = numberOf(log.meta.get(CHECKPOINT));
  if (stored !== null && stored > offset) log.setMeta(CHECKPOINT, String(offset));
}

function numberOf(text: string | undefined): number | null {
  return text === undefined || text === "" ? null : Number(text);
}

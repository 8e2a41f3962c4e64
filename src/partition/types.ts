/** Arguments and results of the partition replica's RPC methods. */
import type { ConfigOverrides } from "../topic/configs";

export interface InitArgs {
  topicId: string;
  topicName: string;
  partition: number;
  brokerId: number;
  configs: ConfigOverrides;
}

export interface AppendArgs {
  /** The topic id the caller believes this partition belongs to. */
  topicId: string;
  /** The leader epoch the caller believes current; an older one is refused. */
  leaderEpoch: number;
  /** Whole record batches; base offsets are assigned here. Mutated in place. */
  batches: Uint8Array[];
}

export interface AppendOk {
  ok: true;
  /** Offset of the first record appended. */
  baseOffset: number;
  /** Offset of the last record appended (inclusive). */
  lastOffset: number;
  /** The time the log stamped on the records under LogAppendTime, else -1. */
  logAppendTimeMs: number;
  highWatermark: number;
}

export interface FetchArgs {
  topicId: string;
  offset: number;
  /** Stop adding batches past this many bytes; the first batch always counts. */
  maxBytes: number;
  /** How long to wait when `offset` is the high watermark (0: answer at once). */
  timeoutMs: number;
}

export interface Positions {
  /** First offset still in the log. */
  logStartOffset: number;
  /** Offsets below this are committed and visible to consumers. */
  highWatermark: number;
  /** The offset the next appended record gets. */
  logEndOffset: number;
}

export interface FetchOk extends Positions {
  ok: true;
  /** Whole batches, oldest first; the first one holds `offset`. */
  batches: Uint8Array[];
}

export interface TimestampLookupOk extends Positions {
  ok: true;
  /** The first batch that may hold a record at or after the time, or null. */
  batch: Uint8Array | null;
}

export interface DescribeOk extends Positions {
  ok: true;
  leaderEpoch: number;
  sizeBytes: number;
  segmentsCount: number;
}

/** Shapes of the partition log: its three positions and what it remembers of producers. */

/** What an Idempotency-Key produce brings to each partition it writes. */
export interface ProducerStamp {
  /** Scoped to the topic: the same key on every partition of one request. */
  key: string;
  /** Of the whole request's records and their partitions. */
  fingerprint: string;
  /** The time the first attempt was made (epoch ms): the timestamp of records that gave none. */
  requestTimeMs: number;
}

/**
 * What an idempotent Kafka producer's batch is remembered by (Kafka's
 * batch metadata): the producer, its epoch, and the sequences of the
 * batch's first and last records (inclusive).
 */
export interface ProducerBatchMark {
  producerId: number;
  producerEpoch: number;
  firstSequence: number;
  lastSequence: number;
}

/**
 * A remembered producer key: the offsets its records got here. Either an
 * Idempotency-Key (`producer` null) or one batch of an idempotent Kafka
 * producer (`producer` set; `fingerprint` empty). Both live in one table
 * and travel to followers with their batches.
 */
export interface ProducerKeyRow {
  key: string;
  fingerprint: string;
  baseOffset: number;
  recordCount: number;
  /** Idempotency-Key: the first attempt's time. Kafka batch: the time it was appended (its LogAppendTime). */
  requestTimeMs: number;
  expiresAtMs: number;
  producer: ProducerBatchMark | null;
}

export interface Positions {
  /** First offset still in the log. */
  logStartOffset: number;
  /** Offsets below this are committed and visible to consumers. */
  highWatermark: number;
  /** The offset the next appended record gets. */
  logEndOffset: number;
}

/** A conditional append (API.md "Conditional append and fencing"), checked on the leader in the append's own transaction. */
export interface AppendCondition {
  /** Appended only when the log end offset is exactly this: the offset the first record would get. */
  expectedOffset?: number;
  /** Appended only while this is the partition's current fencing token. */
  fencingToken?: string;
}

/**
 * Kafka's idempotent producer, per partition: the checks a leader makes
 * on batches that carry a producer id, epoch and base sequence, against
 * the producer's remembered batches (producer-keys.ts). Pure functions;
 * the leader applies their verdicts.
 *
 * The rules, as Kafka's: a batch that repeats one of the producer's last
 * `limits.producerBatchesKeptMax` batches (same epoch, same first and
 * last sequence) is a duplicate, answered with its original offsets and
 * appended again never; an older epoch is fenced (INVALID_PRODUCER_EPOCH);
 * a newer epoch, or a producer this partition does not know (never wrote
 * here, or expired), must start at sequence 0; otherwise the first
 * sequence must follow the last one remembered (OUT_OF_ORDER_SEQUENCE_NUMBER
 * on a gap). Sequences wrap from 2^31 - 1 to 0, as Kafka's do.
 */
import { ErrorCode, failure, type Failure } from "../errors";
import { readBatchHeader } from "../record/record-batch";
import type { ProducerBatchMark, ProducerKeyRow } from "./types";

/** Attributes bit 4: a transactional batch. */
const TRANSACTIONAL = 0x10;
const SEQUENCE_MAX = 2 ** 31 - 1;

/** The idempotent batches of one append: one producer, one epoch, contiguous sequences, in order. */
export interface IdempotentAppend {
  producerId: number;
  producerEpoch: number;
  /** One mark per batch, with its record count. */
  batches: (ProducerBatchMark & { recordCount: number })[];
}

/** The sequence after `sequence` (wrapping as Kafka's). */
export function nextSequence(sequence: number): number {
  return sequence === SEQUENCE_MAX ? 0 : sequence + 1;
}

/** The producer fields of the batches to append: null when none carries a producer id; a failure (42206) when they do not make one idempotent append. */
export function idempotentAppendOf(batches: Uint8Array[]): IdempotentAppend | null | Failure {
  let append: IdempotentAppend | null = null;
  for (let i = 0; i < batches.length; i++) {
    const h = readBatchHeader(batches[i]!);
    if (h.producerId < 0) {
      if (append !== null) return invalid(`batch ${i} has no producer id, but batch 0 has one: one body holds one producer's batches or none`);
      continue;
    }
    if ((h.attributes & TRANSACTIONAL) !== 0) return invalid(`batch ${i} is transactional; transactions are not served`);
    if (h.producerEpoch < 0 || h.baseSequence < 0) return invalid(`batch ${i} has producer id ${h.producerId} but epoch ${h.producerEpoch} and base sequence ${h.baseSequence}`);
    const mark = { producerId: h.producerId, producerEpoch: h.producerEpoch, firstSequence: h.baseSequence, lastSequence: (h.baseSequence + h.recordCount - 1) % (SEQUENCE_MAX + 1), recordCount: h.recordCount };
    if (append === null) {
      if (i > 0) return invalid(`batch ${i} has a producer id, but batch 0 has none: one body holds one producer's batches or none`);
      append = { producerId: h.producerId, producerEpoch: h.producerEpoch, batches: [mark] };
      continue;
    }
    if (h.producerId !== append.producerId || h.producerEpoch !== append.producerEpoch) {
      return invalid(`batch ${i} is of producer ${h.producerId} epoch ${h.producerEpoch}, batch 0 of producer ${append.producerId} epoch ${append.producerEpoch}`);
    }
    const expected = nextSequence(append.batches[append.batches.length - 1]!.lastSequence);
    if (h.baseSequence !== expected) return outOfOrder(`batch ${i} starts at sequence ${h.baseSequence}, but the batch before it ends where ${expected} should follow`);
    append.batches.push(mark);
  }
  return append;
}

/** What to do with an idempotent append: append it, answer it as the duplicate of earlier batches, or refuse it. */
export type SequenceVerdict = { kind: "append" } | { kind: "duplicate"; baseOffset: number; lastOffset: number; appendedAtMs: number } | Failure;

/** Kafka's checks of `append` against the producer's remembered batches (`remembered`, newest first). */
export function checkSequence(append: IdempotentAppend, remembered: ProducerKeyRow[]): SequenceVerdict {
  const first = append.batches[0]!;
  const newest = remembered[0]?.producer;
  const who = `producer ${append.producerId}`;
  if (newest === undefined || newest === null) {
    if (first.firstSequence === 0) return { kind: "append" };
    return outOfOrder(`${who} is not known here (it never wrote to this partition, or it was idle too long); it must start at sequence 0, not ${first.firstSequence}`);
  }
  if (append.producerEpoch < newest.producerEpoch) {
    return failure(
      ErrorCode.ILLEGAL_STATE,
      `INVALID_PRODUCER_EPOCH: ${who} epoch ${append.producerEpoch} is older than its epoch ${newest.producerEpoch} here; it is fenced`,
      "INVALID_PRODUCER_EPOCH",
    );
  }
  if (append.producerEpoch > newest.producerEpoch) {
    if (first.firstSequence === 0) return { kind: "append" };
    return outOfOrder(`${who} epoch ${append.producerEpoch} is new here, so it must start at sequence 0, not ${first.firstSequence}`);
  }
  const duplicate = duplicateOf(append, remembered);
  if (duplicate !== null) return duplicate;
  const expected = nextSequence(newest.lastSequence);
  if (first.firstSequence === expected) return { kind: "append" };
  return outOfOrder(`${who} epoch ${append.producerEpoch} sent sequence ${first.firstSequence}, but ${expected} is next here`);
}

/** The earlier append `append` repeats, when its first batch is one of the remembered ones; then every batch must be. */
function duplicateOf(append: IdempotentAppend, remembered: ProducerKeyRow[]): SequenceVerdict | null {
  const same = (b: ProducerBatchMark) =>
    remembered.find((r) => r.producer !== null && r.producer.producerEpoch === b.producerEpoch && r.producer.firstSequence === b.firstSequence && r.producer.lastSequence === b.lastSequence);
  const rows = append.batches.map(same);
  if (rows[0] === undefined) return null;
  if (rows.some((r) => r === undefined)) {
    return outOfOrder(`the first batch repeats sequences ${append.batches[0]!.firstSequence}–${append.batches[0]!.lastSequence}, but a later one was never appended with it`);
  }
  const last = rows[rows.length - 1]!;
  return { kind: "duplicate", baseOffset: rows[0].baseOffset, lastOffset: last.baseOffset + last.recordCount - 1, appendedAtMs: rows[0].requestTimeMs };
}

function outOfOrder(problem: string): Failure {
  return failure(ErrorCode.INVALID_PAYLOAD, `OUT_OF_ORDER_SEQUENCE_NUMBER: ${problem}; nothing was stored`, "OUT_OF_ORDER_SEQUENCE_NUMBER");
}

function invalid(problem: string): Failure {
  return failure(ErrorCode.INVALID_PAYLOAD, `INVALID_RECORD: ${problem}; nothing was stored`, "INVALID_RECORD");
}

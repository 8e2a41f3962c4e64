/**
 * A partition's batches on the client. An `OpenBatch` takes records until
 * the next would pass the batch size; sealing encodes its records section
 * once (compressed when asked) into a `SealedBatch`, which is framed as a
 * Kafka record batch (magic 2, CRC-32C) with the producer id, epoch and
 * base sequence when it is first sent — and sent as the same bytes on
 * every retry, so the server can recognise a duplicate.
 */
import { BATCH_HEADER_BYTES, recordCoreSize, type RecordInput, sizeAt, writeBatchHeader, writeRecords } from "../record/record-batch";

/** One `send` call's records: where their offsets go once known. */
export interface Pending {
  results: { partition: number; offset: number }[];
  remaining: number;
  settled: boolean;
  resolve(results: { partition: number; offset: number }[]): void;
  reject(e: unknown): void;
}

/** The producer identity a batch is framed with (Kafka's idempotent producer); none: -1s. */
export interface Identity {
  producerId: number;
  producerEpoch: number;
}

export class OpenBatch {
  readonly records: RecordInput[] = [];
  readonly cores: number[] = [];
  readonly owners: Pending[] = [];
  readonly slots: number[] = [];
  /** Exact size of the records section so far. */
  sectionBytes = 0;
  /** The records' core sizes added up: what the producer's in-flight bound counted for them. */
  coreBytes = 0;
  maxTimestampMs = 0;
  readonly createdMs = Date.now();

  constructor(readonly partition: number) {}

  /** Bytes the record would add (its core size: `recordCoreSize`). */
  static coreOf(record: RecordInput): number {
    return recordCoreSize(record);
  }

  /** Whether a record of core size `core` fits within `batchBytes` (an empty batch takes anything). */
  fits(core: number, timestampMs: number, batchBytes: number): boolean {
    if (this.records.length === 0) return true;
    return BATCH_HEADER_BYTES + this.sectionBytes + sizeAt(core, timestampMs - this.records[0]!.timestampMs, this.records.length) <= batchBytes;
  }

  add(record: RecordInput, core: number, owner: Pending, slot: number): void {
    const base = this.records[0]?.timestampMs ?? record.timestampMs;
    this.sectionBytes += sizeAt(core, record.timestampMs - base, this.records.length);
    this.coreBytes += core;
    this.records.push(record);
    this.cores.push(core);
    this.owners.push(owner);
    this.slots.push(slot);
    if (record.timestampMs > this.maxTimestampMs) this.maxTimestampMs = record.timestampMs;
  }

  /** Encodes the records (compressed by `compress` when given). */
  seal(codec: number, compress: ((bytes: Uint8Array) => Promise<Uint8Array>) | null): SealedBatch {
    const baseTimestampMs = this.records[0]!.timestampMs;
    // Uncompressed: the records go straight where the batch will hold them.
    const out = new Uint8Array((compress === null ? BATCH_HEADER_BYTES : 0) + this.sectionBytes);
    const end = writeRecords(out, compress === null ? BATCH_HEADER_BYTES : 0, this.records, this.cores, baseTimestampMs);
    if (end !== out.length) throw new Error(`assertion failed: encoded ${end} bytes, sized ${out.length}`);
    const framed = compress === null ? Promise.resolve(out) : compress(out).then((section) => withHeaderRoom(section));
    return new SealedBatch(this.partition, framed, codec, this.records.length, baseTimestampMs, this.maxTimestampMs, this.owners, this.slots, this.coreBytes);
  }
}

function withHeaderRoom(section: Uint8Array): Uint8Array {
  const out = new Uint8Array(BATCH_HEADER_BYTES + section.length);
  out.set(section, BATCH_HEADER_BYTES);
  return out;
}

export class SealedBatch {
  /** The framed bytes once sent (header written); kept for retries. */
  bytes: Uint8Array | null = null;
  baseSequence = -1;

  constructor(
    readonly partition: number,
    /** Header room (61 bytes) followed by the records section. */
    private readonly body: Promise<Uint8Array>,
    readonly codec: number,
    readonly recordCount: number,
    readonly baseTimestampMs: number,
    readonly maxTimestampMs: number,
    readonly owners: Pending[],
    readonly slots: number[],
    /** What the producer's in-flight bound counted for these records. */
    readonly countedBytes: number,
  ) {}

  /** The batch's bytes with `identity` and `baseSequence` in its header (written once, then reused). */
  async frame(identity: Identity | null, baseSequence: number): Promise<Uint8Array> {
    if (this.bytes !== null) return this.bytes;
    const out = await this.body;
    this.baseSequence = identity === null ? -1 : baseSequence;
    writeBatchHeader(out, {
      recordCount: this.recordCount,
      baseTimestampMs: this.baseTimestampMs,
      maxTimestampMs: this.maxTimestampMs,
      compression: this.codec,
      producerId: identity?.producerId ?? -1,
      producerEpoch: identity?.producerEpoch ?? -1,
      baseSequence: this.baseSequence,
    });
    this.bytes = out;
    return out;
  }

  /** Forgets the framing, so the next `frame` writes a new identity and sequence (after a new producer id). */
  reframe(): void {
    this.bytes = null;
  }

  /** Hands each record its offset (`baseOffset` + its index; -1 for acks=0). */
  complete(baseOffset: number): void {
    for (let i = 0; i < this.recordCount; i++) {
      const owner = this.owners[i]!;
      if (owner.settled) continue;
      owner.results[this.slots[i]!] = { partition: this.partition, offset: baseOffset < 0 ? -1 : baseOffset + i };
      if (--owner.remaining === 0) {
        owner.settled = true;
        owner.resolve(owner.results);
      }
    }
  }

  fail(e: unknown): void {
    for (const owner of this.owners) {
      if (owner.settled) continue;
      owner.settled = true;
      owner.reject(e);
    }
  }
}

/**
 * One partition's side of the producer: the open batch filling up, sealed
 * batches waiting, and one request in flight at a time (so batches are
 * appended in the order they were made, and a retry is the same bytes).
 * While a request is in flight the open batch keeps filling, as Kafka's
 * accumulator does; `lingerMs` only says when a batch that is not full may
 * go.
 */
import { type Identity, OpenBatch, type Pending, type SealedBatch } from "./batch";
import { RunnelError } from "./errors";
import type { RecordInput } from "../record/record-batch";
import { backoffMs, sleep, verdictOn } from "./retry";
import { joinBytes } from "../bytes/concat";

/** What a partition queue needs of its producer. */
export interface QueueHost {
  readonly settings: {
    lingerMs: number;
    batchBytes: number;
    requestBytes: number;
    deliveryTimeoutMs: number;
    retryBackoffMs: number;
    retryBackoffMaxMs: number;
    codec: number;
    compress: ((bytes: Uint8Array) => Promise<Uint8Array>) | null;
  };
  /** The producer identity to frame batches with (null: not idempotent), and its generation. */
  identity(): Promise<{ identity: Identity | null; generation: number }>;
  /** Drops identity `generation`: the next batches get a new producer id and start at sequence 0. */
  renewIdentity(generation: number): void;
  /** The producer was fenced (a newer epoch exists): it fails everything from now on. */
  fence(e: RunnelError): void;
  /** POSTs concatenated batches; resolves with the first offset (-1 for acks=0). */
  post(topic: string, partition: number, body: Uint8Array): Promise<number>;
  /** Records counted by the in-flight bound are done (appended or failed). */
  release(bytes: number): void;
  /** Whether the producer was fenced (its error) or not (null). */
  fencedBy(): RunnelError | null;
}

export class PartitionQueue {
  private open: OpenBatch | null = null;
  private readonly sealed: SealedBatch[] = [];
  private sending = false;
  private lingerTimer: ReturnType<typeof setTimeout> | null = null;
  private lingerDue = false;
  private nextSequence = 0;
  private generation = -1;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly host: QueueHost,
    readonly topic: string,
    readonly partition: number,
  ) {}

  /** Adds a record (of core size `core`); true when a batch was sealed because it was full. */
  add(record: RecordInput, core: number, owner: Pending, slot: number): boolean {
    const { batchBytes } = this.host.settings;
    let sealedFull = false;
    if (this.open !== null && !this.open.fits(core, record.timestampMs, batchBytes)) {
      this.seal();
      sealedFull = true;
    }
    if (this.open === null) {
      this.open = new OpenBatch(this.partition);
      this.armLinger();
    }
    this.open.add(record, core, owner, slot);
    if (sealedFull) this.drain();
    return sealedFull;
  }

  /** Sends whatever is open now, without waiting for the linger time. */
  flushNow(): void {
    if (this.open !== null) this.seal();
    this.drain();
  }

  /** Resolves once nothing is open, waiting or in flight here. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.open === null && this.sealed.length === 0 && !this.sending;
  }

  private armLinger(): void {
    this.lingerDue = false;
    const due = () => {
      this.lingerTimer = null;
      if (this.sending) this.lingerDue = true; // it goes when the request in flight is answered
      else this.flushNow();
    };
    if (this.host.settings.lingerMs <= 0) queueMicrotask(due);
    else this.lingerTimer = setTimeout(due, this.host.settings.lingerMs);
  }

  private seal(): void {
    const open = this.open!;
    this.open = null;
    if (this.lingerTimer !== null) clearTimeout(this.lingerTimer);
    this.lingerTimer = null;
    const { codec, compress } = this.host.settings;
    this.sealed.push(open.seal(codec, compress));
  }

  private drain(): void {
    if (this.sending || this.sealed.length === 0) return;
    this.sending = true;
    void this.run();
  }

  private async run(): Promise<void> {
    for (;;) {
      // An open batch whose linger ran out while a request was in flight goes with the next one.
      if (this.open !== null && this.lingerDue) this.seal();
      if (this.sealed.length === 0) break;
      const batches = [this.sealed.shift()!];
      let bytes = batches[0]!.countedBytes;
      while (this.sealed.length > 0 && bytes + this.sealed[0]!.countedBytes <= this.host.settings.requestBytes) {
        bytes += this.sealed[0]!.countedBytes;
        batches.push(this.sealed.shift()!);
      }
      await this.request(batches);
      for (const b of batches) this.host.release(b.countedBytes);
    }
    this.sending = false;
    if (this.isIdle()) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  /**
   * Sends `batches` in one request, retrying while the verdict and the
   * delivery timeout allow; settles their records. The request keeps the
   * identity it started with (another partition renewing it must not make
   * this one's retry look new), unless the server no longer knows it.
   */
  private async request(batches: SealedBatch[]): Promise<void> {
    const s = this.host.settings;
    const deadline = Date.now() + s.deliveryTimeoutMs;
    let current: { identity: Identity | null; generation: number };
    try {
      current = await this.host.identity();
    } catch (e) {
      return fail(batches, e);
    }
    for (let attempt = 1; ; attempt++) {
      const fenced = this.host.fencedBy();
      if (fenced !== null) return fail(batches, fenced);
      try {
        const first = await this.host.post(this.topic, this.partition, await this.framed(batches, current.identity, current.generation));
        let offset = first;
        for (const b of batches) {
          b.complete(offset);
          if (offset >= 0) offset += b.recordCount;
        }
        return;
      } catch (e) {
        if (!(e instanceof RunnelError)) return fail(batches, e); // a bug: never retried blindly
        const verdict = verdictOn(e, current.identity !== null);
        const waitMs = backoffMs(attempt, s.retryBackoffMs, s.retryBackoffMaxMs, e.retryAfterS);
        if (verdict === "fenced") {
          this.host.fence(e);
          return fail(batches, e);
        }
        if ((verdict === "retry" || verdict === "new-identity") && Date.now() + waitMs < deadline) {
          await sleep(waitMs);
          if (verdict === "new-identity") {
            this.host.renewIdentity(current.generation);
            try {
              current = await this.host.identity();
            } catch (e2) {
              return fail(batches, e2);
            }
          }
          continue;
        }
        // Whether these were appended is unknown, or they were refused: later batches start afresh under a new producer id.
        if (current.identity !== null) this.host.renewIdentity(current.generation);
        return fail(batches, e);
      }
    }
  }

  /** The request body: each batch framed with the identity and its sequence (kept from an earlier attempt of the same identity). */
  private async framed(batches: SealedBatch[], identity: Identity | null, generation: number): Promise<Uint8Array> {
    if (generation !== this.generation) {
      this.generation = generation;
      this.nextSequence = 0;
      for (const b of batches) b.reframe();
    }
    const parts: Uint8Array[] = [];
    for (const b of batches) {
      const fresh = b.bytes === null;
      parts.push(await b.frame(identity, this.nextSequence));
      if (fresh && identity !== null) this.nextSequence = (this.nextSequence + b.recordCount) % 2 ** 31;
    }
    return joinBytes(parts);
  }
}

function fail(batches: SealedBatch[], e: unknown): void {
  for (const b of batches) b.fail(e);
}

/**
 * A consumer's bookkeeping across its sockets: what it owns, the records
 * received and not yet handed out (never more than the credit it granted),
 * how far the application has consumed each partition, and what was
 * committed. Credit goes back to the server only as records leave this
 * buffer — handed to the application or dropped — so a slow handler
 * slows the stream instead of growing the buffer.
 */

/** A record as the server sends it (keys and values in the wire format). */
export interface WireRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
  headers: { name: string; value: string | null }[];
}

/** A partition of a topic, with an offset (the next one to read). */
export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: number;
}

export const tpKey = (topic: string, partition: number) => `${partition}\u0000${topic}`;

export class ConsumerState {
  /** Owned partitions and where delivery of each started (null: not yet known). */
  assigned = new Map<string, { topic: string; partition: number; offset: number | null }>();
  /** Next offset after the last record the application consumed, per partition. */
  readonly consumed = new Map<string, TopicPartitionOffset>();
  /** The last committed next offset per partition (as the group has it). */
  readonly committed = new Map<string, number>();
  /** A seek's target per partition: frames are dropped until one starts there. */
  readonly seeking = new Map<string, number>();
  private buffer: WireRecord[] = [];
  private head = 0;
  /** Records that left the buffer and are not yet permitted again. */
  private unpermitted = 0;

  constructor(
    /** Records granted to a socket at once: the most that can be buffered or in flight. */
    readonly window: number,
    /** Sends a permit frame for `records`. */
    private readonly permit: (records: number) => void,
  ) {}

  get buffered(): number {
    return this.buffer.length - this.head;
  }

  /** The next record to hand out, or undefined; its credit goes back. */
  take(): WireRecord | undefined {
    if (this.head >= this.buffer.length) return undefined;
    const r = this.buffer[this.head++]!;
    if (this.head > 4096 && this.head * 2 > this.buffer.length) {
      this.buffer = this.buffer.slice(this.head);
      this.head = 0;
    }
    this.giveBack(1);
    return r;
  }

  /** The application is done with `r`: its partition's position moves past it. */
  consumedUpTo(r: WireRecord): void {
    const key = tpKey(r.topic, r.partition);
    if (this.assigned.has(key)) this.consumed.set(key, { topic: r.topic, partition: r.partition, offset: r.offset + 1 });
  }

  /** A records frame; false when it was dropped (not ours, or from before a seek). */
  received(topic: string, partition: number, records: WireRecord[]): boolean {
    const key = tpKey(topic, partition);
    const target = this.seeking.get(key);
    const stale = !this.assigned.has(key) || (target !== undefined && records[0]?.offset !== target);
    if (stale) {
      this.giveBack(records.length);
      return false;
    }
    this.seeking.delete(key);
    for (const r of records) this.buffer.push(r);
    return true;
  }

  /**
   * A new assignment: buffered records of partitions no longer owned, and
   * of owned ones at or past where delivery now starts (the server
   * rewound), are dropped. Returns the partitions revoked and added.
   */
  reassigned(partitions: { topic: string; partition: number; offset: number | null }[]): { revoked: TopicPartitionOffset[]; added: TopicPartitionOffset[] } {
    const next = new Map(partitions.map((p) => [tpKey(p.topic, p.partition), p]));
    const revoked = [...this.assigned.entries()].filter(([k]) => !next.has(k)).map(([, p]) => p);
    const added = [...next.entries()].filter(([k]) => !this.assigned.has(k)).map(([, p]) => p);
    this.keepBuffered((r) => {
      const p = next.get(tpKey(r.topic, r.partition));
      return p !== undefined && (p.offset === null || r.offset < p.offset);
    });
    for (const p of revoked) this.forget(tpKey(p.topic, p.partition));
    for (const p of added) if (p.offset !== null) this.committed.set(tpKey(p.topic, p.partition), p.offset);
    this.assigned = next;
    const shown = (p: { topic: string; partition: number; offset: number | null }) => ({ topic: p.topic, partition: p.partition, offset: p.offset ?? -1 });
    return { revoked: revoked.map(shown), added: added.map(shown) };
  }

  /** A seek: buffered records of the partition go, and frames are dropped until one starts at `offset`. */
  sought(topic: string, partition: number, offset: number): void {
    const key = tpKey(topic, partition);
    this.keepBuffered((r) => tpKey(r.topic, r.partition) !== key);
    this.seeking.set(key, offset);
    this.consumed.set(key, { topic, partition, offset });
  }

  /** The socket is gone: everything it was sent is dropped, nothing is owned. Returns what was owned. */
  disconnected(): TopicPartitionOffset[] {
    const owned = [...this.assigned.values()].map((p) => ({ topic: p.topic, partition: p.partition, offset: p.offset ?? -1 }));
    this.buffer = [];
    this.head = 0;
    this.unpermitted = 0;
    for (const key of [...this.assigned.keys()]) this.forget(key);
    this.assigned = new Map();
    return owned;
  }

  /** Consumed positions not yet committed, of partitions still owned. */
  uncommitted(): TopicPartitionOffset[] {
    return [...this.consumed.entries()].filter(([k, c]) => this.assigned.has(k) && this.committed.get(k) !== c.offset).map(([, c]) => c);
  }

  private forget(key: string): void {
    this.consumed.delete(key);
    this.committed.delete(key);
    this.seeking.delete(key);
  }

  private keepBuffered(keep: (r: WireRecord) => boolean): void {
    const before = this.buffered;
    this.buffer = this.buffer.slice(this.head).filter(keep);
    this.head = 0;
    this.giveBack(before - this.buffer.length);
  }

  /** Credit for `n` records that left the buffer; sent back in halves of the window. */
  private giveBack(n: number): void {
    this.unpermitted += n;
    if (this.unpermitted > 0 && this.unpermitted >= Math.ceil(this.window / 2)) {
      const n2 = this.unpermitted;
      this.unpermitted = 0;
      this.permit(n2);
    }
  }
}

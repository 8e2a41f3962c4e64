/**
 * Kafka's consumer protocol: the bytes a Kafka consumer puts in each
 * JoinGroup protocol's metadata (ConsumerProtocolSubscription) and reads
 * from its SyncGroup answer (ConsumerProtocolAssignment). Big-endian,
 * int16-length strings, int32-count arrays, int32-length nullable bytes.
 * The coordinator reads a member's topics from the first and writes its
 * partitions into the second; user data is neither kept nor sent.
 */
import type { TopicPartition } from "../types";

/** What a Kafka consumer subscribes with (its user data is ignored). */
export interface ConsumerSubscription {
  version: number;
  topics: string[];
  /** v1+: what it still owns (cooperative rebalancing); empty for eager clients and v0. */
  ownedPartitions: TopicPartition[];
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/** Thrown by `Cursor` reads that run past the end or meet a bad length. */
class Malformed extends Error {}

class Cursor {
  private readonly view: DataView;
  pos = 0;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  private take(n: number): number {
    if (n < 0 || n > this.remaining) throw new Malformed();
    const at = this.pos;
    this.pos += n;
    return at;
  }

  int16(): number {
    return this.view.getInt16(this.take(2));
  }

  int32(): number {
    return this.view.getInt32(this.take(4));
  }

  string(): string {
    const n = this.int16();
    const at = this.take(n); // a null (-1) string is refused here too
    return utf8.decode(this.bytes.subarray(at, at + n));
  }

  array<T>(item: () => T): T[] {
    const n = this.int32();
    if (n < 0 || n > this.remaining) throw new Malformed(); // every item takes at least one byte
    return Array.from({ length: n }, item);
  }

  skipNullableBytes(): void {
    const n = this.int32();
    if (n !== -1) this.take(n);
  }
}

/**
 * Reads a ConsumerProtocolSubscription; null when the bytes are not one.
 * Lenient as Kafka's own parser is: fields of later versions are read
 * only when bytes are left for them (kafkajs writes version 1 without
 * owned partitions), and anything after them is ignored.
 */
export function decodeSubscription(bytes: Uint8Array): ConsumerSubscription | null {
  try {
    const c = new Cursor(bytes);
    const version = c.int16();
    if (version < 0) return null;
    const topics = c.array(() => c.string());
    if (c.remaining > 0) c.skipNullableBytes(); // user data
    const ownedPartitions: TopicPartition[] = [];
    if (version >= 1 && c.remaining >= 4) {
      for (const t of c.array(() => ({ topic: c.string(), partitions: c.array(() => c.int32()) }))) {
        for (const partition of t.partitions) ownedPartitions.push({ topic: t.topic, partition });
      }
    }
    return { version, topics, ownedPartitions };
  } catch (e) {
    if (e instanceof Malformed || e instanceof TypeError) return null; // TypeError: not UTF-8
    throw e;
  }
}

/** Big-endian writes into a growing list of chunks. */
class Out {
  private readonly parts: Uint8Array[] = [];

  int16(v: number): this {
    const b = new Uint8Array(2);
    new DataView(b.buffer).setInt16(0, v);
    this.parts.push(b);
    return this;
  }

  int32(v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, v);
    this.parts.push(b);
    return this;
  }

  string(s: string): this {
    const b = encoder.encode(s);
    this.int16(b.length);
    this.parts.push(b);
    return this;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/** Partitions grouped by topic, topics in first-seen order, partitions as given. */
function byTopic(partitions: TopicPartition[]): Map<string, number[]> {
  const topics = new Map<string, number[]>();
  for (const tp of partitions) {
    const list = topics.get(tp.topic) ?? [];
    list.push(tp.partition);
    topics.set(tp.topic, list);
  }
  return topics;
}

/**
 * A ConsumerProtocolAssignment of `partitions` (version 0 by default;
 * every version up to 3 has this layout), with null user data.
 */
export function encodeAssignment(partitions: TopicPartition[], version = 0): Uint8Array {
  const out = new Out().int16(version);
  const topics = byTopic(partitions);
  out.int32(topics.size);
  for (const [topic, list] of topics) {
    out.string(topic).int32(list.length);
    for (const p of list) out.int32(p);
  }
  return out.int32(-1).bytes();
}

/** A ConsumerProtocolSubscription v0 of `topics` with null user data: how an HTTP or WebSocket member is described to Kafka tools. */
export function encodeSubscription(topics: string[]): Uint8Array {
  const out = new Out().int16(0).int32(topics.length);
  for (const t of topics) out.string(t);
  return out.int32(-1).bytes();
}

/**
 * Kafka's internal `__consumer_offsets` topic as Kafka writes it: which
 * partition holds a group (`abs(groupId.hashCode()) % 50`, Java's String
 * hash), and its records in Kafka's own key/value formats (the
 * group-coordinator's OffsetCommitKey v1 / OffsetCommitValue v3 and
 * GroupMetadataKey v2 / GroupMetadataValue v3 message definitions: an
 * int16 version, then the fields big-endian, strings as int16 length and
 * UTF-8, bytes as int32 length). No state: offsets-log.ts writes them.
 */
import type { ConfigOverrides } from "../topic/configs";

/** The internal topic's name. Clients read it; only the group coordinators write it. */
export const OFFSETS_TOPIC = "__consumer_offsets";
/** Kafka's `offsets.topic.num.partitions` default. */
export const OFFSETS_TOPIC_PARTITIONS = 50;
/**
 * One replica per partition, as every topic has unless asked (Kafka's
 * default is 3): a replica's storage is durable already, and 150 replicas
 * with replication links would cost every cluster that has groups.
 */
export const OFFSETS_TOPIC_REPLICATION_FACTOR = 1;
/**
 * Bounded by retention until compaction (`cleanup.policy=compact`)
 * exists: records older than Kafka's `offsets.retention.minutes` (7
 * days) go; segments of Kafka's `offsets.topic.segment.bytes` (100 MiB).
 */
export const OFFSETS_TOPIC_CONFIGS: { name: keyof ConfigOverrides; value: string }[] = [
  { name: "cleanup.policy", value: "delete" },
  { name: "retention.ms", value: "604800000" },
  { name: "segment.bytes", value: "104857600" },
];

/** Whether `topic` is internal: written only by Runnel itself (403 to produce, delete or alter). */
export function isInternalTopic(topic: string): boolean {
  return topic === OFFSETS_TOPIC;
}

/** The partition of `__consumer_offsets` holding `groupId`: Kafka's `Utils.abs(groupId.hashCode()) % 50`. */
export function offsetsPartitionFor(groupId: string): number {
  let h = 0;
  for (let i = 0; i < groupId.length; i++) h = (Math.imul(h, 31) + groupId.charCodeAt(i)) | 0; // UTF-16 code units, as Java's
  return (h === -2147483648 ? 0 : Math.abs(h)) % OFFSETS_TOPIC_PARTITIONS;
}

/** A committed offset, as OffsetCommitValue holds it. */
export interface OffsetCommit {
  group: string;
  topic: string;
  partition: number;
  /** The next offset to read (Kafka's meaning). */
  offset: number;
  metadata: string | null;
  commitTimestampMs: number;
}

/** OffsetCommitKey v1 `{group, topic, partition}` and OffsetCommitValue v3 `{offset, leaderEpoch: -1, metadata, commitTimestamp}`. */
export function offsetCommitRecord(c: OffsetCommit): { key: Uint8Array; value: Uint8Array } {
  const key = new Writer().int16(1).string(c.group).string(c.topic).int32(c.partition);
  const value = new Writer().int16(3).int64(c.offset).int32(-1).string(c.metadata ?? "").int64(c.commitTimestampMs);
  return { key: key.bytes(), value: value.bytes() };
}

/** The tombstone of a partition's committed offset (OffsetCommitKey v1, value null): Kafka writes one when the offset is deleted. */
export function offsetTombstone(group: string, topic: string, partition: number): { key: Uint8Array; value: null } {
  return { key: new Writer().int16(1).string(group).string(topic).int32(partition).bytes(), value: null };
}

/** The tombstone of a group's metadata (GroupMetadataKey v2, value null): Kafka writes one when the group is deleted. */
export function groupTombstone(group: string): { key: Uint8Array; value: null } {
  return { key: new Writer().int16(2).string(group).bytes(), value: null };
}

/** One member of a group, as GroupMetadataValue's MemberMetadata holds it. */
export interface GroupMember {
  memberId: string;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  /** ConsumerProtocol Subscription bytes. */
  subscription: Uint8Array;
  /** ConsumerProtocol Assignment bytes. */
  assignment: Uint8Array;
}

/** A group's state, as GroupMetadataValue holds it. */
export interface GroupMetadata {
  group: string;
  generation: number;
  /** The assignor's name; null for a group with no members. */
  protocol: string | null;
  leader: string | null;
  currentStateTimestampMs: number;
  members: GroupMember[];
}

/** GroupMetadataKey v2 `{group}` and GroupMetadataValue v3 (protocol type "consumer"). */
export function groupMetadataRecord(g: GroupMetadata): { key: Uint8Array; value: Uint8Array } {
  const value = new Writer().int16(3).string("consumer").int32(g.generation).string(g.protocol).string(g.leader).int64(g.currentStateTimestampMs);
  value.int32(g.members.length);
  for (const m of g.members) {
    value.string(m.memberId).string(null).string(m.clientId).string(m.clientHost).int32(m.rebalanceTimeoutMs).int32(m.sessionTimeoutMs);
    value.bytesField(m.subscription).bytesField(m.assignment);
  }
  return { key: new Writer().int16(2).string(g.group).bytes(), value: value.bytes() };
}

const utf8 = new TextEncoder();

/** Kafka's non-flexible message fields, big-endian. */
class Writer {
  private parts: Uint8Array[] = [];

  int16(n: number): this {
    return this.push(2, (v) => v.setInt16(0, n));
  }

  int32(n: number): this {
    return this.push(4, (v) => v.setInt32(0, n));
  }

  int64(n: number): this {
    return this.push(8, (v) => v.setBigInt64(0, BigInt(n)));
  }

  /** An int16 length (-1: null) and UTF-8. */
  string(s: string | null): this {
    if (s === null) return this.int16(-1);
    const b = utf8.encode(s);
    return this.int16(b.length).raw(b);
  }

  /** An int32 length and the bytes. */
  bytesField(b: Uint8Array): this {
    return this.int32(b.length).raw(b);
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

  private raw(b: Uint8Array): this {
    this.parts.push(b);
    return this;
  }

  private push(size: number, write: (v: DataView) => void): this {
    const b = new Uint8Array(size);
    write(new DataView(b.buffer));
    return this.raw(b);
  }
}

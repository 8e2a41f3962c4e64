/** Arguments and results of the partition replica's RPC methods. */
import type { CleanerView } from "../cleaner/cleaner";
import type { ConfigOverrides } from "../topic/configs";
import type { Fence } from "../log/fences";
import type { BatchMark } from "../log/log-reads";
import type { AppendCondition, Positions, ProducerKeyRow, ProducerStamp } from "../log/types";
import type { RemoteMark, RemoteSync } from "../tiered/remote-sync";

export type { AppendCondition, Positions, ProducerBatchMark, ProducerKeyRow, ProducerStamp } from "../log/types";

/** Who leads a partition, in which epoch, and which replicas are in sync. */
export interface PartitionRole {
  /** Broker id of the leader; -1 when the partition has none. */
  leader: number;
  leaderEpoch: number;
  /** Broker ids of all replicas, preferred leader first. */
  replicas: number[];
  /** Broker ids of the in-sync replicas. */
  isr: number[];
}

export interface InitArgs {
  topicId: string;
  topicName: string;
  partition: number;
  brokerId: number;
  configs: ConfigOverrides;
  role: PartitionRole;
}

export interface AppendArgs {
  /** The topic id the caller believes this partition belongs to. */
  topicId: string;
  /** The leader epoch the caller believes current; any other is refused. */
  leaderEpoch: number;
  /** Whole record batches; base offsets are assigned here. Mutated in place. */
  batches: Uint8Array[];
  /** 0: no answer awaited; 1: once the leader has them; -1 (all): once the ISR has them. */
  acks: 0 | 1 | -1;
  producer?: ProducerStamp;
  /** Appended only if this holds (expected offset, fencing token); a retry the producer state recognises is answered first. */
  condition?: AppendCondition;
}

/** Sets a partition's fencing token (leader of `leaderEpoch` only): a fence control batch, acknowledged by the ISR. */
export interface FenceArgs {
  topicId: string;
  leaderEpoch: number;
  /** 1–64 printable ASCII characters (checked by the router). */
  token: string;
}

export interface FenceOk {
  ok: true;
  /** The offset of the fence's control batch. */
  offset: number;
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
  /** The log start offset when answered (Kafka's Produce v5+ reports it). */
  logStartOffset: number;
  /** True when an earlier request with the same producer key, or the same idempotent batches, already appended these records. */
  duplicate: boolean;
  /** The producer stamp's request time of the original request, or -1. */
  requestTimeMs: number;
}

export interface FetchArgs {
  topicId: string;
  offset: number;
  /** Stop adding batches past this many bytes; the first batch always counts. */
  maxBytes: number;
  /** How long to wait when `offset` is the high watermark (0: answer at once). */
  timeoutMs: number;
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

/** Where a leader epoch ends (Kafka's OffsetForLeaderEpoch): −1 and −1 for an epoch newer than the leader's. */
export interface EpochEndOk {
  ok: true;
  leaderEpoch: number;
  /** The first offset written in a later epoch, or the log end offset (exclusive end of the epoch). */
  endOffset: number;
}

/** An idempotent producer a partition remembers, as Kafka's DescribeProducers shows it. */
export interface ActiveProducer {
  producerId: number;
  producerEpoch: number;
  lastSequence: number;
  /** The max timestamp of its newest batch here (epoch ms). */
  lastTimestampMs: number;
}

export interface ProducersOk {
  ok: true;
  producers: ActiveProducer[];
}

export interface DescribeOk extends Positions {
  ok: true;
  brokerId: number;
  leaderEpoch: number;
  isLeader: boolean;
  sizeBytes: number;
  segmentsCount: number;
  /** Tiered storage (src/tiered/): the first offset held locally; bytes held locally and in the bucket; remote segments. */
  localLogStartOffset: number;
  localSizeBytes: number;
  remoteSizeBytes: number;
  remoteSegments: number;
  /** The log cleaner's state (compacted topics), else null. */
  cleaner: CleanerView | null;
}

/** A follower's answer to the leader's first contact in an epoch. */
export interface HandshakeOk {
  ok: true;
  logStartOffset: number;
  logEndOffset: number;
  /** The follower's last batch, to check that both histories agree there. */
  lastBatch: BatchMark | null;
  /** Up to where the follower knows the remote segments (remote-sync.ts). */
  remote?: RemoteMark;
}

export interface ReplicateArgs {
  topicId: string;
  leaderEpoch: number;
  /** Where the batches start: must be the follower's log end. */
  fromOffset: number;
  batches: Uint8Array[];
  /** Producer keys of these batches. */
  keys: ProducerKeyRow[];
  /** The leader's high watermark. */
  highWatermark: number;
  /** Remote segments the follower lacks, the log start and the copied offset (remote-sync.ts). */
  remote?: RemoteSync;
  /** The leader's log start offset: the follower's moves up to it (retention, DeleteRecords). Absent from leaders before it was sent. */
  logStartOffset?: number;
}

export interface ReplicateOk {
  ok: true;
  logEndOffset: number;
  logStartOffset: number;
}

/** A DeleteRecords call on a partition's leader: move its log start to `offset` (-1: the high watermark). */
export interface DeleteRecordsArgs {
  topicId: string;
  leaderEpoch: number;
  offset: number;
}

export interface DeleteRecordsOk {
  ok: true;
  /** Kafka's low watermark: the smallest log start offset of the leader and its in-sync followers, as they confirmed it. */
  lowWatermark: number;
}

/** A follower too far behind starts over at its leader's local log start `offset` (the log at `logStartOffset`). */
export interface ResetToArgs {
  topicId: string;
  leaderEpoch: number;
  offset: number;
  logStartOffset?: number;
  /** The leader's fence in force at `offset` (below it), so the follower enforces the same token; absent from leaders before fences. */
  fence?: Fence | null;
}

export interface TruncateOk {
  ok: true;
  logEndOffset: number;
  lastBatch: HandshakeOk["lastBatch"];
}

export interface PingOk {
  ok: true;
  brokerId: number;
  leaderEpoch: number;
  logEndOffset: number;
}

/** Whether a partition knows a producer key: not at all, with the same request, or with another. */
export interface KeyCheckOk {
  ok: true;
  state: "absent" | "same" | "other";
}

/**
 * The producer: `send(topic, records)` places each record on a partition
 * (explicit, else Kafka's murmur2 of the key, else the topic's sticky
 * partition for keyless records), adds it to that partition's open batch,
 * and resolves with every record's offset once its batch is appended.
 * Records are counted against `maxBufferedBytes` from the moment they are
 * taken until their batch is answered; a `send` past the bound waits (in
 * order) until earlier records are done.
 */
import { limits } from "../limits";
import { partitionForKey } from "../produce/murmur2";
import type { RecordInput } from "../record/record-batch";
import { OpenBatch, type Pending } from "./batch";
import { CODEC_CODES, type CompressionName, compressorFor } from "./codecs";
import { checkExpectedOffset, checkFencingToken, onePartition, sendConditional } from "./conditional-send";
import { RunnelError } from "./errors";
import { seg, type Http } from "./http";
import { IdentityKeeper } from "./identity";
import { PartitionQueue, type QueueHost } from "./partition-queue";
import { type HeadersInput, type Payload, toBytes, toHeaders } from "./serde";
import type { TopicPartitions } from "./topic-partitions";

export interface ProducerOptions {
  /** 0, 1 or "all" (-1), as Kafka's acks (default "all"). */
  acks?: 0 | 1 | -1 | "all";
  /** How long a batch that is not full may wait for more records (default 5 ms). */
  lingerMs?: number;
  /** Largest batch (default 1,000,000 bytes; a stored batch is at most 1 MiB, and the topic's max.message.bytes applies). */
  batchBytes?: number;
  /** Most bytes of batches one request carries (default 4 MiB). */
  requestBytes?: number;
  /** Most bytes of records taken and not yet answered; `send` waits past it (default 32 MiB). */
  maxBufferedBytes?: number;
  /** The batches' codec (default "none"). */
  compression?: CompressionName;
  /** Use a producer id and sequences, so retries never duplicate (default true; a server without them gets plain batches). */
  idempotent?: boolean;
  /** Give up on a record this long after its batch was first sent (default 120,000 ms, Kafka's delivery.timeout.ms). */
  deliveryTimeoutMs?: number;
  /** First wait between retries (default 100 ms), doubling up to `retryBackoffMaxMs` (default 1,000 ms). */
  retryBackoffMs?: number;
  retryBackoffMaxMs?: number;
  /** A fencing token (1–64 printable ASCII) every request carries: appends succeed only while it is the partition's current one (`admin.fence`); once refused (40906 PRODUCER_FENCED) the producer fails every send. */
  fencingToken?: string;
}

/** Options of one `send`. */
export interface SendOptions {
  /** Append only if the partition's log end offset is exactly this (the first record's offset); else a RunnelError 40905 with `logEndOffset`. All records must go to one partition. */
  expectedOffset?: number;
}

/** One record to send. See serde.ts for how keys, values and headers become bytes. */
export interface ProducerRecord {
  key?: Payload;
  value: Payload;
  headers?: HeadersInput;
  /** Wins over the key. */
  partition?: number;
  /** Epoch ms or a Date (default: now). */
  timestamp?: number | Date;
}

/** Where a record was appended (offset -1 with acks=0). */
export interface RecordMetadata {
  partition: number;
  offset: number;
}

interface Admission {
  topic: string;
  records: RecordInput[];
  cores: number[];
  explicit: (number | undefined)[];
  bytes: number;
  owner: Pending;
}

/** Keyless records move to the next partition after this many bytes (Kafka's sticky partitioner switches per batch). */
const STICKY_BYTES = 64 * 1024;

export class Producer {
  /** Each topic's partition queues, by partition. */
  private readonly queues = new Map<string, PartitionQueue[]>();
  private readonly admissions: Admission[] = [];
  private admitting = false;
  private bufferedBytes = 0;
  private spaceWaiters: (() => void)[] = [];
  private readonly sticky = new Map<string, { partition: number; bytes: number }>();
  private readonly identities: IdentityKeeper;
  private readonly host: QueueHost;
  private readonly acks: string;
  private readonly maxBufferedBytes: number;
  private readonly tokenHeader: Record<string, string>;
  private fenced: RunnelError | null = null;
  private closed = false;

  constructor(
    private readonly http: Http,
    private readonly clusterPath: () => Promise<string>,
    private readonly partitions: TopicPartitions,
    options: ProducerOptions = {},
  ) {
    const compression = options.compression ?? "none";
    const compress = compressorFor(compression);
    this.acks = options.acks === undefined || options.acks === "all" || options.acks === -1 ? "all" : String(options.acks);
    if (!["all", "0", "1"].includes(this.acks)) throw new RunnelError(400, `acks must be 0, 1 or "all", got ${String(options.acks)}`);
    this.maxBufferedBytes = positive("maxBufferedBytes", options.maxBufferedBytes, 32 * 1024 * 1024);
    this.tokenHeader = options.fencingToken === undefined ? {} : { "runnel-fencing-token": checkFencingToken(options.fencingToken) };
    this.identities = new IdentityKeeper(http, clusterPath, (options.idempotent ?? true) && this.acks !== "0");
    const settings = {
      lingerMs: options.lingerMs ?? 5,
      batchBytes: positive("batchBytes", options.batchBytes, 1_000_000),
      requestBytes: positive("requestBytes", options.requestBytes, 4 * 1024 * 1024),
      deliveryTimeoutMs: positive("deliveryTimeoutMs", options.deliveryTimeoutMs, 120_000),
      retryBackoffMs: positive("retryBackoffMs", options.retryBackoffMs, 100),
      retryBackoffMaxMs: positive("retryBackoffMaxMs", options.retryBackoffMaxMs, 1_000),
      codec: CODEC_CODES[compression],
      compress,
    };
    this.host = {
      settings,
      identity: () => this.identities.get(),
      renewIdentity: (g) => this.identities.renew(g),
      fence: (e) => (this.fenced ??= e),
      fencedBy: () => this.fenced,
      post: (topic, partition, body) => this.post(topic, partition, body),
      release: (bytes) => this.release(bytes),
    };
  }

  /**
   * Sends `records` to `topic`; resolves with each record's partition and
   * offset, in the order given, once all are appended (acks "all": by
   * every in-sync replica). Rejects with a `RunnelError` when any of them
   * could not be; records of one call to one partition are appended in
   * order and together or not at all per batch. With `expectedOffset`
   * (see `SendOptions`) they go as one request of their own, after the
   * partition's earlier records are answered.
   */
  async send(topic: string, records: ProducerRecord[], options: SendOptions = {}): Promise<RecordMetadata[]> {
    if (this.closed) throw new RunnelError(400, "the producer is closed");
    if (this.fenced !== null) throw this.fenced;
    if (!Array.isArray(records)) throw new RunnelError(400, "send takes an array of records");
    if (records.length === 0) return [];
    const nowMs = Date.now();
    const inputs: RecordInput[] = [];
    const cores: number[] = [];
    const explicit: (number | undefined)[] = [];
    let bytes = 0;
    for (const r of records) {
      if (r === null || typeof r !== "object") throw new RunnelError(400, "each record must be an object with a value");
      const ts = r.timestamp instanceof Date ? r.timestamp.getTime() : (r.timestamp ?? nowMs);
      // The server's range (produce/timestamps.ts): outside it the whole batch would come back 42206 INVALID_TIMESTAMP.
      if (!Number.isSafeInteger(ts) || ts < 0 || ts > limits.timestampMsMax) {
        throw new RunnelError(400, `timestamp must be epoch milliseconds from 0 to ${limits.timestampMsMax}, got ${String(r.timestamp)}`);
      }
      if (r.partition !== undefined && (!Number.isInteger(r.partition) || r.partition < 0)) throw new RunnelError(400, `partition must be a non-negative integer, got ${r.partition}`);
      const input = { key: toBytes(r.key), value: toBytes(r.value), headers: toHeaders(r.headers), timestampMs: ts };
      const core = OpenBatch.coreOf(input);
      inputs.push(input);
      cores.push(core);
      explicit.push(r.partition);
      bytes += core;
    }
    if (options.expectedOffset !== undefined) return this.sendAt(topic, inputs, cores, explicit, checkExpectedOffset(options.expectedOffset));
    return new Promise((resolve, reject) => {
      const owner: Pending = { results: new Array(records.length), remaining: records.length, settled: false, resolve, reject };
      this.admissions.push({ topic, records: inputs, cores, explicit, bytes, owner });
      void this.admit();
    });
  }

  /** A conditional send (conditional-send.ts): once the partition's earlier records are answered, one request of its own. */
  private async sendAt(topic: string, inputs: RecordInput[], cores: number[], explicit: (number | undefined)[], expectedOffset: number): Promise<RecordMetadata[]> {
    const partition = onePartition(inputs, explicit, await this.partitions.count(topic));
    const q = this.queue(topic, partition);
    q.flushNow();
    await q.idle();
    const host = { settings: this.host.settings, post: (t: string, p: number, body: Uint8Array, query: string) => this.post(t, p, body, query) };
    return (await sendConditional(host, topic, partition, inputs, cores, expectedOffset)).map((offset) => ({ partition, offset }));
  }

  /** Sends every batch now (no linger) and resolves once every record taken so far is answered. */
  async flush(): Promise<void> {
    while (this.admissions.length > 0 || this.admitting) await this.spaceFreed();
    const queues = this.allQueues();
    for (const q of queues) q.flushNow();
    await Promise.all(queues.map((q) => q.idle()));
  }

  /** Flushes, then refuses further sends. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  /** Takes waiting sends in order, each once the in-flight bound has room for it. */
  private async admit(): Promise<void> {
    if (this.admitting) return;
    this.admitting = true;
    try {
      while (this.admissions.length > 0) {
        const a = this.admissions[0]!;
        let count: number;
        try {
          count = await this.partitions.count(a.topic);
          const bad = a.explicit.find((p) => p !== undefined && p >= count);
          if (bad !== undefined) throw new RunnelError(40402, `topic '${a.topic}' has no partition ${bad} (it has ${count})`);
        } catch (e) {
          this.admissions.shift();
          a.owner.settled = true;
          a.owner.reject(e);
          continue;
        }
        while (this.bufferedBytes > 0 && this.bufferedBytes + a.bytes > this.maxBufferedBytes) await this.spaceFreed();
        this.admissions.shift();
        this.bufferedBytes += a.bytes;
        this.place(a, count);
      }
    } finally {
      this.admitting = false;
      this.wakeSpaceWaiters();
    }
  }

  private place(a: Admission, count: number): void {
    for (let i = 0; i < a.records.length; i++) {
      const record = a.records[i]!;
      const keyless = a.explicit[i] === undefined && record.key === null;
      const partition = a.explicit[i] ?? (record.key !== null ? partitionForKey(record.key, count) : this.stickyPartition(a.topic, count));
      const sealedFull = this.queue(a.topic, partition).add(record, a.cores[i]!, a.owner, i);
      if (keyless) this.movedSticky(a.topic, count, a.cores[i]!, sealedFull);
    }
  }

  private stickyPartition(topic: string, count: number): number {
    let s = this.sticky.get(topic);
    if (s === undefined || s.partition >= count) {
      s = { partition: Math.floor(Math.random() * count), bytes: 0 };
      this.sticky.set(topic, s);
    }
    return s.partition;
  }

  private movedSticky(topic: string, count: number, bytes: number, sealedFull: boolean): void {
    const s = this.sticky.get(topic)!;
    s.bytes += bytes;
    if (sealedFull || s.bytes >= STICKY_BYTES) {
      s.partition = (s.partition + 1) % count;
      s.bytes = 0;
    }
  }

  private queue(topic: string, partition: number): PartitionQueue {
    let ofTopic = this.queues.get(topic);
    if (ofTopic === undefined) {
      ofTopic = [];
      this.queues.set(topic, ofTopic);
    }
    let q = ofTopic[partition];
    if (q === undefined) {
      q = new PartitionQueue(this.host, topic, partition);
      ofTopic[partition] = q;
    }
    return q;
  }

  private allQueues(): PartitionQueue[] {
    return [...this.queues.values()].flatMap((qs) => qs.filter((q) => q !== undefined));
  }

  private async post(topic: string, partition: number, body: Uint8Array, query = ""): Promise<number> {
    const path = `${await this.clusterPath()}/topics/${seg(topic)}/partitions/${partition}/batches?acks=${this.acks}${query}`;
    const res = await this.http.json<{ base_offset: number }>({ method: "POST", path, body, contentType: "application/vnd.kafka.record-batch", headers: this.tokenHeader });
    if (res.base_offset === -1 && this.acks !== "0") throw new RunnelError(500, `the server answered no offset for partition ${partition} of '${topic}'`);
    return res.base_offset;
  }

  private release(bytes: number): void {
    this.bufferedBytes -= bytes;
    this.wakeSpaceWaiters();
  }

  private spaceFreed(): Promise<void> {
    return new Promise((resolve) => this.spaceWaiters.push(resolve));
  }

  private wakeSpaceWaiters(): void {
    for (const wake of this.spaceWaiters.splice(0)) wake();
  }
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new RunnelError(400, `${name} must be a positive number, got ${value}`);
  return value;
}

/**
 * Produce (key 0), v0–7. Records are stored only as record batches
 * (magic 2, v3+); v0–2 carry the legacy message sets and are answered
 * UNSUPPORTED_FOR_MESSAGE_FORMAT for every partition. They are in the
 * range because librdkafka before 2.11 reads features off exact versions:
 * it writes record batches only when the range holds v3, and compresses
 * with gzip or snappy only when it holds v0. Each partition's bytes go to
 * the Worker as they came (`POST …/partitions/{p}/batches`), appends to one
 * partition keep this connection's order, and with acks=0 nothing is
 * sent back: a failure closes the connection instead, as a Kafka broker
 * does, so the client learns of it.
 */
import { BackendError } from "../backend/runnel-api";
import type { Reader } from "../codec/reader";
import type { Writer } from "../codec/writer";
import { KafkaCode } from "../errors";
import { CloseConnection, type Context, each, type KafkaApi } from "./api";

export interface ProduceRequest {
  transactionalId: string | null;
  acks: number;
  timeoutMs: number;
  topics: { name: string; partitions: { index: number; records: Uint8Array | null }[] }[];
}

export interface PartitionProduced {
  index: number;
  errorCode: number;
  baseOffset: number;
  logAppendTimeMs: number;
  /** v5+; -1 when not known. */
  logStartOffset: number;
}

export interface ProduceResponse {
  topics: { name: string; partitions: PartitionProduced[] }[];
}

/** Kafka's acks as the Worker's: acks=0 still waits for the leader, so this connection's appends to a partition stay in order. */
const ACKS: Record<number, "1" | "all"> = { 0: "1", 1: "1", [-1]: "all" };

export const produce: KafkaApi<ProduceRequest, ProduceResponse> = {
  key: 0,
  name: "Produce",
  minVersion: 0,
  maxVersion: 7,

  decode(r: Reader, version: number): ProduceRequest {
    const transactionalId = version >= 3 ? r.nullableString() : null;
    const acks = r.int16();
    const timeoutMs = r.int32();
    const topics = r.array((r) => ({
      name: r.string(),
      partitions: r.array((r) => ({ index: r.int32(), records: r.nullableBytes() })),
    }));
    return { transactionalId, acks, timeoutMs, topics };
  },

  async handle(req, version, ctx) {
    if (version < 3) {
      if (req.acks === 0) throw new CloseConnection(`Produce v${version} (legacy message sets) is not stored; use v3+`);
      return answerAll(req, KafkaCode.UNSUPPORTED_FOR_MESSAGE_FORMAT);
    }
    const acks = ACKS[req.acks];
    const refused = acks === undefined ? KafkaCode.INVALID_REQUIRED_ACKS : req.transactionalId !== null ? KafkaCode.INVALID_TXN_STATE : null;
    if (refused !== null) return req.acks === 0 ? null : answerAll(req, refused);
    const topics = await each(req.topics, async (t) => ({
      name: t.name,
      partitions: await each(t.partitions, (p) => appendOne(ctx, t.name, p.index, p.records, acks!)),
    }));
    if (req.acks !== 0) return { topics };
    const failed = topics.flatMap((t) => t.partitions.filter((p) => p.errorCode !== KafkaCode.NONE).map((p) => `${t.name}/${p.index}: error ${p.errorCode}`));
    if (failed.length > 0) throw new CloseConnection(`acks=0 produce not appended (${failed.join(", ")})`);
    return null;
  },

  encode(w: Writer, res: ProduceResponse, version: number): void {
    w.array(res.topics, (w, t) => {
      w.string(t.name);
      w.array(t.partitions, (w, p) => {
        w.int32(p.index).int16(p.errorCode).int64(p.baseOffset);
        if (version >= 2) w.int64(p.logAppendTimeMs);
        if (version >= 5) w.int64(p.logStartOffset);
      });
    });
    if (version >= 1) w.int32(0); // throttle_time_ms
  },

  failed(req, code) {
    return req.acks === 0 ? null : answerAll(req, code);
  },
};

async function appendOne(ctx: Context, topic: string, index: number, records: Uint8Array | null, acks: "1" | "all"): Promise<PartitionProduced> {
  if (records === null || records.length === 0) return refusedPartition(index, KafkaCode.INVALID_RECORD);
  try {
    const done = await ctx.inOrder(`${topic}/${index}`, () => ctx.api.produceBatches(topic, index, records, acks));
    return { index, errorCode: KafkaCode.NONE, baseOffset: done.baseOffset, logAppendTimeMs: done.logAppendTimeMs, logStartOffset: done.logStartOffset };
  } catch (e) {
    if (!(e instanceof BackendError)) throw e;
    return refusedPartition(index, e.kafkaCode);
  }
}

function answerAll(req: ProduceRequest, code: number): ProduceResponse {
  return {
    topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => refusedPartition(p.index, code)) })),
  };
}

function refusedPartition(index: number, errorCode: number): PartitionProduced {
  return { index, errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1 };
}

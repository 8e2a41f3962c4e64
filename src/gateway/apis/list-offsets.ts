/**
 * ListOffsets (key 2), v1–3 (v0's old-style offset lists are not served;
 * librdkafka needs v1 in the range for offsets-for-times). Timestamp −2
 * is the log start offset, −1 the high watermark (the last stable offset
 * too: there are no transactions), −4 the local log start offset (Kafka's
 * EARLIEST_LOCAL_TIMESTAMP: below it the leader reads from the bucket,
 * tiered storage), anything else the first record at or
 * after that time — offset and timestamp −1 when no record is that recent,
 * as Kafka answers, which clients read as "the end".
 */
import { BackendError } from "../backend/runnel-api";
import type { Reader } from "../codec/reader";
import type { Writer } from "../codec/writer";
import { KafkaCode } from "../errors";
import { type Context, each, type KafkaApi } from "./api";

const EARLIEST = -2;
const LATEST = -1;
const EARLIEST_LOCAL = -4;

export interface ListOffsetsRequest {
  topics: { name: string; partitions: { index: number; timestamp: number }[] }[];
}

export interface PartitionOffset {
  index: number;
  errorCode: number;
  timestamp: number;
  offset: number;
}

export interface ListOffsetsResponse {
  topics: { name: string; partitions: PartitionOffset[] }[];
}

export const listOffsets: KafkaApi<ListOffsetsRequest, ListOffsetsResponse> = {
  key: 2,
  name: "ListOffsets",
  minVersion: 1,
  maxVersion: 3,

  decode(r: Reader, version: number): ListOffsetsRequest {
    r.int32(); // replica_id
    if (version >= 2) r.int8(); // isolation_level: the high watermark is the last stable offset either way
    const topics = r.array((r) => ({ name: r.string(), partitions: r.array((r) => ({ index: r.int32(), timestamp: r.int64() })) }));
    return { topics };
  },

  async handle(req, _version, ctx) {
    return {
      topics: await each(req.topics, async (t) => ({ name: t.name, partitions: await each(t.partitions, (p) => lookUp(ctx, t.name, p.index, p.timestamp)) })),
    };
  },

  encode(w: Writer, res: ListOffsetsResponse, version: number): void {
    if (version >= 2) w.int32(0); // throttle_time_ms
    w.array(res.topics, (w, t) => {
      w.string(t.name);
      w.array(t.partitions, (w, p) => w.int32(p.index).int16(p.errorCode).int64(p.timestamp).int64(p.offset));
    });
  },

  failed(req, code) {
    return { topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ index: p.index, errorCode: code, timestamp: -1, offset: -1 })) })) };
  },
};

async function lookUp(ctx: Context, topic: string, index: number, timestamp: number): Promise<PartitionOffset> {
  try {
    if (timestamp === EARLIEST || timestamp === LATEST || timestamp === EARLIEST_LOCAL) {
      const o = await ctx.api.offsets(topic, index);
      const offset = timestamp === EARLIEST ? o.earliest : timestamp === LATEST ? o.latest : o.earliestLocal;
      return { index, errorCode: KafkaCode.NONE, timestamp: -1, offset };
    }
    if (timestamp < 0 || !Number.isSafeInteger(timestamp)) return { index, errorCode: KafkaCode.INVALID_REQUEST, timestamp: -1, offset: -1 };
    const found = await ctx.api.offsetForTime(topic, index, timestamp);
    if (found.timestampMs === null) return { index, errorCode: KafkaCode.NONE, timestamp: -1, offset: -1 };
    return { index, errorCode: KafkaCode.NONE, timestamp: found.timestampMs, offset: found.offset };
  } catch (e) {
    if (!(e instanceof BackendError)) throw e;
    return { index, errorCode: e.kafkaCode, timestamp: -1, offset: -1 };
  }
}

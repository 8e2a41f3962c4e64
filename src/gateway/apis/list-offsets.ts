/**
 * ListOffsets (key 2), every version from Kafka 0.9's v0 to v10. Timestamp
 * −2 is the log start offset, −1 the high watermark (the last stable
 * offset too: there are no transactions), −4 the local log start offset
 * (Kafka's EARLIEST_LOCAL_TIMESTAMP: below it the leader reads from the
 * bucket, tiered storage), a time the first record at or after it —
 * offset and timestamp −1 when no record is that recent, as Kafka
 * answers, which clients read as "the end". v0 answers in its old style,
 * a list of offsets (one here). Kafka's other special timestamps (−3 max
 * timestamp, −5 latest tiered) are refused with INVALID_REQUEST, as any
 * other negative time.
 */
import { BackendError } from "../backend/runnel-api";
import { KafkaCode } from "../errors";
import { apis } from "../codec/generated";
import type { ListOffsetsResponseListOffsetsPartitionResponse } from "../codec/generated/list-offsets-response";
import type { Init } from "../codec/tagged";
import { type Context, each, serve } from "./api";

const EARLIEST = -2;
const LATEST = -1;
const EARLIEST_LOCAL = -4;

type Answer = Init<ListOffsetsResponseListOffsetsPartitionResponse>;

export const listOffsets = serve(apis.ListOffsets, {
  async handle(req, version, ctx) {
    return {
      topics: await each(req.topics, async (t) => ({
        name: t.name,
        partitions: await each(t.partitions, async (p) => oldStyle(await lookUp(ctx, t.name, p.partitionIndex, p.timestamp), version)),
      })),
    };
  },

  failed(req, code) {
    return { topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code, timestamp: -1, offset: -1 })) })) };
  },
});

/** v0 carries the offset in a list. */
function oldStyle(a: Answer, version: number): Answer {
  return version === 0 ? { ...a, oldStyleOffsets: a.errorCode === KafkaCode.NONE && (a.offset ?? -1) >= 0 ? [a.offset!] : [] } : a;
}

async function lookUp(ctx: Context, topic: string, partitionIndex: number, timestamp: number): Promise<Answer> {
  const none = { partitionIndex, timestamp: -1, offset: -1 };
  try {
    if (timestamp === EARLIEST || timestamp === LATEST || timestamp === EARLIEST_LOCAL) {
      const o = await ctx.api.offsets(topic, partitionIndex);
      const offset = timestamp === EARLIEST ? o.earliest : timestamp === LATEST ? o.latest : o.earliestLocal;
      return { ...none, errorCode: KafkaCode.NONE, offset };
    }
    if (timestamp < 0 || !Number.isSafeInteger(timestamp)) return { ...none, errorCode: KafkaCode.INVALID_REQUEST };
    const found = await ctx.api.offsetForTime(topic, partitionIndex, timestamp);
    if (found.timestampMs === null) return { ...none, errorCode: KafkaCode.NONE };
    return { partitionIndex, errorCode: KafkaCode.NONE, timestamp: found.timestampMs, offset: found.offset };
  } catch (e) {
    if (!(e instanceof BackendError)) throw e;
    return { ...none, errorCode: e.kafkaCode };
  }
}

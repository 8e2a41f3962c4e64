/**
 * DescribeLogDirs (key 35), every version Kafka defines (v0–4): the front
 * door is one broker with one log dir, `/runnel`, holding every partition
 * (it leads them all); each partition's size is the bytes its leader
 * stores and its offset lag how far the leader's log end runs ahead of
 * the high watermark (`GET …/log-dirs`). Total and usable bytes are not
 * known (−1). Needs DESCRIBE on the cluster, as Kafka: without it the
 * answer is CLUSTER_AUTHORIZATION_FAILED (v3+) with no log dirs.
 */
import { type PartitionSize, partitionSizes } from "../backend/admin-api";
import { KafkaCode } from "../errors";
import { apis } from "../codec/generated";
import { serve } from "./api";
import { refusalOf } from "./refusal";

/** The one log dir the front door names. */
export const LOG_DIR = "/runnel";

export const describeLogDirs = serve(apis.DescribeLogDirs, {
  async handle(req, _version, ctx) {
    const asked = req.topics === null ? null : new Map(req.topics.map((t) => [t.topic, new Set(t.partitions)]));
    let sizes: PartitionSize[];
    try {
      sizes = await partitionSizes(ctx.api, asked === null ? null : [...asked.keys()]);
    } catch (e) {
      return { errorCode: refusalOf(e).errorCode, results: [] };
    }
    const topics = new Map<string, { partitionIndex: number; partitionSize: number; offsetLag: number; isFutureKey: boolean }[]>();
    for (const s of sizes) {
      if (s.sizeBytes === null || (asked !== null && !asked.get(s.topic)?.has(s.partition))) continue; // a leader that did not answer has no size to show
      topics.set(s.topic, [...(topics.get(s.topic) ?? []), { partitionIndex: s.partition, partitionSize: s.sizeBytes, offsetLag: s.offsetLag ?? 0, isFutureKey: false }]);
    }
    const logDir = { errorCode: KafkaCode.NONE, logDir: LOG_DIR, topics: [...topics].map(([name, partitions]) => ({ name, partitions })), totalBytes: -1, usableBytes: -1 };
    return { errorCode: KafkaCode.NONE, results: [logDir] };
  },

  failed(_req, code) {
    return { errorCode: code, results: [] };
  },
});

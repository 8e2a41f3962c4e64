/**
 * OffsetCommit (key 8), v1–7 (librdkafka 2.0.2 sends 7, kafkajs 5; v8 is
 * flexible): stores each offset — the next one to read, as Kafka means it
 * and as the WebSocket commit and the group's store mean it — in the
 * group's coordinator, so HTTP instances and WebSocket subscribers of the
 * group resume from it. Generation -1 with an empty member id commits for
 * a client outside the group (only while the group has no members).
 * Retention times (v1–4) and leader epochs (v6+) are read and not used.
 * Each partition is answered on its own: TOPIC_AUTHORIZATION_FAILED
 * without READ on its topic, UNKNOWN_TOPIC_OR_PARTITION,
 * OFFSET_OUT_OF_RANGE past the high watermark, OFFSET_METADATA_TOO_LARGE.
 */
import { commitOffsets, groupCodeOf } from "../backend/group-api";
import type { Reader } from "../codec/reader";
import type { Writer } from "../codec/writer";
import { outcomeCode } from "../errors";
import type { KafkaApi } from "./api";

export interface OffsetCommitRequest {
  groupId: string;
  generation: number;
  memberId: string;
  topics: { name: string; partitions: { index: number; offset: number; metadata: string | null }[] }[];
}

export interface OffsetCommitResponse {
  topics: { name: string; partitions: { index: number; errorCode: number }[] }[];
}

export const offsetCommit: KafkaApi<OffsetCommitRequest, OffsetCommitResponse> = {
  key: 8,
  name: "OffsetCommit",
  minVersion: 1,
  maxVersion: 7,

  decode(r: Reader, version: number): OffsetCommitRequest {
    const groupId = r.string();
    const generation = r.int32();
    const memberId = r.string();
    if (version >= 7) r.nullableString(); // group_instance_id: static membership is not used
    if (version >= 2 && version <= 4) r.int64(); // retention_time_ms: offsets stay while their topic does
    const topics = r.array((r) => ({
      name: r.string(),
      partitions: r.array((r) => {
        const index = r.int32();
        const offset = r.int64();
        if (version === 1) r.int64(); // commit timestamp
        if (version >= 6) r.int32(); // committed_leader_epoch
        return { index, offset, metadata: r.nullableString() };
      }),
    }));
    return { groupId, generation, memberId, topics };
  },

  async handle(req, version, ctx) {
    const offsets = req.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.index, offset: p.offset, metadata: p.metadata })));
    if (offsets.length === 0) return { topics: [] };
    try {
      const outcomes = await commitOffsets(ctx.api, req.groupId, req.memberId, req.generation, offsets);
      const codeOf = (topic: string, partition: number) => outcomeCode(outcomes.get(`${topic}\u0000${partition}`)?.error);
      return { topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ index: p.index, errorCode: codeOf(t.name, p.index) })) })) };
    } catch (e) {
      return offsetCommit.failed(req, groupCodeOf(e), version, ctx)!;
    }
  },

  encode(w: Writer, res: OffsetCommitResponse, version: number): void {
    if (version >= 3) w.int32(0); // throttle_time_ms
    w.array(res.topics, (w, t) => {
      w.string(t.name);
      w.array(t.partitions, (w, p) => w.int32(p.index).int16(p.errorCode));
    });
  },

  failed(req, code) {
    return { topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ index: p.index, errorCode: code })) })) };
  },
};

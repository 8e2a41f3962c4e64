/**
 * OffsetFetch (key 9), v1–5 (v6 is flexible): the group's committed
 * offsets — the next offset to read, whoever committed it (a Kafka
 * consumer, an HTTP instance, a WebSocket subscriber) — and their
 * metadata; -1 where nothing is committed. From v2 a null topic list asks
 * for every partition with a commit (of the topics the client may
 * DESCRIBE). A topic the client may not DESCRIBE is TOPIC_AUTHORIZATION_FAILED.
 * Leader epochs (v5) are answered -1: none is kept.
 */
import { fetchOffsets, groupCodeOf } from "../backend/group-api";
import type { Reader } from "../codec/reader";
import type { Writer } from "../codec/writer";
import { KafkaCode, outcomeCode } from "../errors";
import type { KafkaApi } from "./api";

export interface OffsetFetchRequest {
  groupId: string;
  /** null: every partition with a commit (v2+). */
  topics: { name: string; partitions: number[] }[] | null;
}

export interface FetchedOffset {
  index: number;
  offset: number;
  metadata: string | null;
  errorCode: number;
}

export interface OffsetFetchResponse {
  errorCode: number;
  topics: { name: string; partitions: FetchedOffset[] }[];
}

export const offsetFetch: KafkaApi<OffsetFetchRequest, OffsetFetchResponse> = {
  key: 9,
  name: "OffsetFetch",
  minVersion: 1,
  maxVersion: 5,

  decode(r: Reader, version: number): OffsetFetchRequest {
    const groupId = r.string();
    const topic = (r: Reader) => ({ name: r.string(), partitions: r.array((r) => r.int32()) });
    return { groupId, topics: version >= 2 ? r.nullableArray(topic) : r.array(topic) };
  },

  async handle(req, version, ctx) {
    try {
      const found = await fetchOffsets(ctx.api, req.groupId, req.topics?.map((t) => ({ topic: t.name, partitions: t.partitions })) ?? null);
      const topics = new Map<string, FetchedOffset[]>();
      for (const o of found) {
        const fetched = { index: o.partition, offset: o.offset, metadata: o.metadata, errorCode: outcomeCode(o.error) };
        if (topics.has(o.topic)) topics.get(o.topic)!.push(fetched); // not a copy per partition (quadratic in a topic's partitions)
        else topics.set(o.topic, [fetched]);
      }
      return { errorCode: KafkaCode.NONE, topics: [...topics].map(([name, partitions]) => ({ name, partitions })) };
    } catch (e) {
      return offsetFetch.failed(req, groupCodeOf(e), version, ctx)!;
    }
  },

  encode(w: Writer, res: OffsetFetchResponse, version: number): void {
    if (version >= 3) w.int32(0); // throttle_time_ms
    w.array(res.topics, (w, t) => {
      w.string(t.name);
      w.array(t.partitions, (w, p) => {
        w.int32(p.index).int64(p.offset);
        if (version >= 5) w.int32(-1); // committed_leader_epoch
        w.string(p.metadata).int16(p.errorCode);
      });
    });
    if (version >= 2) w.int16(res.errorCode);
  },

  failed(req, code) {
    // v2+ carries a group-level error too; v1 only the partitions'.
    const topics = (req.topics ?? []).map((t) => ({ name: t.name, partitions: t.partitions.map((index) => ({ index, offset: -1, metadata: "", errorCode: code })) }));
    return { errorCode: code, topics };
  },
};

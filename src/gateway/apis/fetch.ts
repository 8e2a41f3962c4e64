/**
 * Fetch (key 1), v4–11: the versions that return record batches. v4 is
 * the minimum because librdkafka before 2.11 only enables record batches
 * when the advertised range contains it. Fields added on the way: log
 * start offset (v5), fetch sessions (v7; none are kept here: the answer's
 * session id 0 tells the client to send full requests), the current
 * leader epoch (v9, ignored: the front door is the only leader), the rack
 * and preferred read replica (v11, always -1). The stored batches are
 * returned as they are (`fetch-partitions.ts`).
 */
import type { Reader } from "../codec/reader";
import type { Writer } from "../codec/writer";
import { KafkaCode } from "../errors";
import type { KafkaApi } from "./api";
import { fetchPartitions, type PartitionFetched, type PartitionWanted } from "./fetch-partitions";

export interface FetchRequest {
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  isolationLevel: number;
  sessionId: number;
  sessionEpoch: number;
  topics: { name: string; partitions: PartitionWanted[] }[];
}

export interface FetchResponse {
  errorCode: number;
  /** Whether aborted_transactions is an empty array (read committed) or null. */
  readCommitted: boolean;
  topics: { name: string; partitions: PartitionFetched[] }[];
}

/** Kafka's FETCH_SESSION_ID_NOT_FOUND: an incremental fetch names a session this front door does not have. */
const FETCH_SESSION_ID_NOT_FOUND = 70;

export const fetchApi: KafkaApi<FetchRequest, FetchResponse> = {
  key: 1,
  name: "Fetch",
  minVersion: 4,
  maxVersion: 11,

  decode(r: Reader, version: number): FetchRequest {
    r.int32(); // replica_id: -1 for consumers
    const maxWaitMs = r.int32();
    const minBytes = r.int32();
    const maxBytes = r.int32();
    const isolationLevel = r.int8();
    const sessionId = version >= 7 ? r.int32() : 0;
    const sessionEpoch = version >= 7 ? r.int32() : -1;
    const topics = r.array((r) => ({
      name: r.string(),
      partitions: r.array((r): PartitionWanted => {
        const index = r.int32();
        if (version >= 9) r.int32(); // current_leader_epoch
        const offset = r.int64();
        if (version >= 5) r.int64(); // log_start_offset: a follower's, -1 from consumers
        return { index, offset, maxBytes: r.int32() };
      }),
    }));
    if (version >= 7) r.array((r) => [r.string(), r.array((r) => r.int32())]); // forgotten topics: no session to forget from
    if (version >= 11) r.string(); // rack_id
    return { maxWaitMs, minBytes, maxBytes, isolationLevel, sessionId, sessionEpoch, topics };
  },

  async handle(req, _version, ctx) {
    const readCommitted = req.isolationLevel === 1;
    // Epoch -1 (no session) and 0 (start one, answered with session id 0: none) are full fetches; later epochs are not.
    if (req.sessionEpoch > 0) return { errorCode: FETCH_SESSION_ID_NOT_FOUND, readCommitted, topics: [] };
    const topics = await fetchPartitions(ctx, req);
    return { errorCode: KafkaCode.NONE, readCommitted, topics };
  },

  encode(w: Writer, res: FetchResponse, version: number): void {
    w.int32(0); // throttle_time_ms
    if (version >= 7) w.int16(res.errorCode).int32(0); // error_code, session_id (0: no session)
    w.array(res.topics, (w, t) => {
      w.string(t.name);
      w.array(t.partitions, (w, p) => {
        w.int32(p.index).int16(p.errorCode).int64(p.highWatermark);
        w.int64(p.highWatermark); // last_stable_offset: no transactions, so the high watermark
        if (version >= 5) w.int64(p.logStartOffset);
        w.array(res.readCommitted ? [] : null, () => {}); // aborted_transactions: none
        if (version >= 11) w.int32(-1); // preferred_read_replica
        w.bytesOf(p.batches); // records: empty (not null) when there are none, as Kafka sends
      });
    });
  },

  failed(req, code) {
    return {
      errorCode: KafkaCode.NONE,
      readCommitted: req.isolationLevel === 1,
      topics: req.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ index: p.index, errorCode: code, highWatermark: -1, logStartOffset: -1, batches: [] })),
      })),
    };
  },
};

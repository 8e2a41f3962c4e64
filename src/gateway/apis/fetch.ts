/**
 * Fetch (key 1), every version from Kafka 0.9's v0 to v17. v4+ return the
 * stored record batches as they are (`fetch-partitions.ts`); v0–3 predate
 * record batches, so their records are converted down to the message
 * format of the version (magic 0 for v0–1, magic 1 for v2–3), as Kafka
 * 2.x and 3.x brokers did. v13+ name topics by id (Metadata v10+ gives
 * them); an id the front door does not find is UNKNOWN_TOPIC_ID. Fetch
 * sessions (v7+) are not kept: the answer's session id 0 tells the client
 * to send full requests, and an incremental one (epoch > 0) is
 * FETCH_SESSION_ID_NOT_FOUND. The last stable offset is the high
 * watermark; leader epochs, racks and the replica fields are Kafka's
 * defaults (the front door is the only broker).
 */
import { apis } from "../codec/generated";
import type { FetchResponsePartitionData } from "../codec/generated/fetch-response";
import type { Init } from "../codec/tagged";
import { serve } from "./api";
import { fetchPartitions, type PartitionFetched } from "./fetch-partitions";
import { toMessageSet } from "./legacy-records";

/** Kafka's FETCH_SESSION_ID_NOT_FOUND: an incremental fetch names a session this front door does not have. */
const FETCH_SESSION_ID_NOT_FOUND = 70;
const UNKNOWN_TOPIC_ID = 100;
/** The first version that names topics by id, and the first that carries record batches. */
const TOPIC_ID_VERSION = 13;
const RECORD_BATCH_VERSION = 4;

export const fetchApi = serve(apis.Fetch, {
  async handle(req, version, ctx) {
    // Epoch -1 (no session) and 0 (start one, answered with session id 0: none) are full fetches; later epochs are not.
    if (req.sessionEpoch > 0) return { errorCode: FETCH_SESSION_ID_NOT_FOUND };
    const names = version >= TOPIC_ID_VERSION ? await Promise.all(req.topics.map((t) => ctx.api.topicNameOf(t.topicId))) : req.topics.map((t) => t.topic);
    const known = req.topics.map((t, i) => ({ t, name: names[i] ?? null })).filter((k) => k.name !== null);
    const fetched = await fetchPartitions(ctx, {
      maxWaitMs: req.maxWaitMs,
      minBytes: req.minBytes,
      maxBytes: req.maxBytes,
      topics: known.map(({ t, name }) => ({ name: name!, partitions: t.partitions.map((p) => ({ index: p.partition, offset: p.fetchOffset, maxBytes: p.partitionMaxBytes })) })),
    });
    const byTopic = new Map(known.map((k, i) => [k.t, fetched[i]!.partitions]));
    const readCommitted = req.isolationLevel === 1;
    return {
      responses: req.topics.map((t) => {
        const got = byTopic.get(t);
        const partitions = got === undefined ? t.partitions.map((p) => refused(p.partition, UNKNOWN_TOPIC_ID)) : got.map((p, i) => answered(p, version, readCommitted, t.partitions[i]!.fetchOffset));
        return { topic: t.topic, topicId: t.topicId, partitions };
      }),
    };
  },

  failed(req, code) {
    return { responses: req.topics.map((t) => ({ topic: t.topic, topicId: t.topicId, partitions: t.partitions.map((p) => refused(p.partition, code)) })) };
  },
});

function answered(p: PartitionFetched, version: number, readCommitted: boolean, offset: number): Init<FetchResponsePartitionData> {
  const batches = p.batches[0] ?? null;
  // records: empty (not null) when there are none, as Kafka sends
  let records: Uint8Array = batches ?? new Uint8Array(0);
  if (version < RECORD_BATCH_VERSION && batches !== null) records = toMessageSet(batches, version < 2 ? 0 : 1, offset);
  return {
    partitionIndex: p.index,
    errorCode: p.errorCode,
    highWatermark: p.highWatermark,
    lastStableOffset: p.highWatermark, // no open transactions: the last stable offset is the high watermark
    logStartOffset: p.logStartOffset,
    abortedTransactions: readCommitted ? [] : null,
    records,
  };
}

function refused(partitionIndex: number, errorCode: number): Init<FetchResponsePartitionData> {
  return { partitionIndex, errorCode, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, records: new Uint8Array(0) };
}


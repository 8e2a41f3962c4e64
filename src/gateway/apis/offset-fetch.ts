/**
 * OffsetFetch (key 9), every version from Kafka 0.9's v0 to v9: the
 * group's committed offsets — the next offset to read, whoever committed
 * it (a Kafka consumer, an HTTP instance, a WebSocket subscriber) — and
 * their metadata; −1 where nothing is committed. From v2 a null topic list
 * asks for every partition with a commit (of the topics the client may
 * DESCRIBE); from v8 one request names several groups, each answered on
 * its own. A topic the client may not DESCRIBE is
 * TOPIC_AUTHORIZATION_FAILED. Leader epochs (v5+) are answered −1: none
 * is kept. v9 names the KIP-848 member asking and its epoch: the group
 * answers UNKNOWN_MEMBER_ID or STALE_MEMBER_EPOCH as Kafka does.
 */
import { fetchOffsets, groupCodeOf } from "../backend/group-api";
import { KafkaCode, outcomeCode } from "../errors";
import { apis } from "../codec/generated";
import type { OffsetFetchResponse } from "../codec/generated/offset-fetch-response";
import type { Init } from "../codec/tagged";
import { type Context, each, serve } from "./api";

/** The first version that names several groups. */
const GROUPS_VERSION = 8;

interface Wanted {
  name: string;
  partitionIndexes: number[];
}

interface Answer {
  errorCode: number;
  topics: { name: string; partitions: { partitionIndex: number; committedOffset: number; metadata: string | null; errorCode: number }[] }[];
}

export const offsetFetch = serve(apis.OffsetFetch, {
  async handle(req, version, ctx): Promise<Init<OffsetFetchResponse>> {
    if (version < GROUPS_VERSION) return await fetchGroup(ctx, req.groupId, req.topics);
    return { groups: await each(req.groups, async (g) => ({ groupId: g.groupId, ...(await fetchGroup(ctx, g.groupId, g.topics, { memberId: g.memberId, memberEpoch: g.memberEpoch })) })) };
  },

  failed(req, code, version): Init<OffsetFetchResponse> {
    if (version < GROUPS_VERSION) return refused(req.topics, code);
    return { groups: req.groups.map((g) => ({ groupId: g.groupId, ...refused(g.topics, code) })) };
  },
});

async function fetchGroup(ctx: Context, groupId: string, wanted: Wanted[] | null, member?: { memberId: string | null; memberEpoch: number }): Promise<Answer> {
  try {
    const found = await fetchOffsets(ctx.api, groupId, wanted?.map((t) => ({ topic: t.name, partitions: t.partitionIndexes })) ?? null, member);
    const topics = new Map<string, Answer["topics"][number]["partitions"]>();
    for (const o of found) {
      const fetched = { partitionIndex: o.partition, committedOffset: o.offset, metadata: o.metadata, errorCode: outcomeCode(o.error) };
      if (topics.has(o.topic)) topics.get(o.topic)!.push(fetched); // not a copy per partition (quadratic in a topic's partitions)
      else topics.set(o.topic, [fetched]);
    }
    return { errorCode: KafkaCode.NONE, topics: [...topics].map(([name, partitions]) => ({ name, partitions })) };
  } catch (e) {
    return refused(wanted, groupCodeOf(e));
  }
}

/** Every partition asked for answered `code` (v2+ carry a group-level error too; v0–1 only the partitions'). */
function refused(wanted: Wanted[] | null, code: number): Answer {
  const topics = (wanted ?? []).map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: -1, metadata: "", errorCode: code })) }));
  return { errorCode: code, topics };
}

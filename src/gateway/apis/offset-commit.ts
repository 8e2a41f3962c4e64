/**
 * OffsetCommit (key 8), every version from Kafka 0.9's v0 to v9: stores
 * each offset — the next one to read, as Kafka means it and as the
 * WebSocket commit and the group's store mean it — in the group's
 * coordinator, so HTTP instances and WebSocket subscribers of the group
 * resume from it. Generation −1 with an empty member id (and v0, which
 * has neither) commits for a client outside the group (only while the
 * group has no members). Retention times (v2–4), commit timestamps (v1)
 * and leader epochs (v6+) are read and not used. A KIP-848 member commits
 * with its member epoch (v9+: STALE_MEMBER_EPOCH for another; an older
 * version is UNSUPPORTED_VERSION for it, as Kafka rules). Each partition is
 * answered on its own: TOPIC_AUTHORIZATION_FAILED without READ on its
 * topic, UNKNOWN_TOPIC_OR_PARTITION, OFFSET_OUT_OF_RANGE past the high
 * watermark, OFFSET_METADATA_TOO_LARGE.
 */
import { commitOffsets, groupCodeOf } from "../backend/group-api";
import { outcomeCode } from "../errors";
import { apis } from "../codec/generated";
import type { OffsetCommitRequest } from "../codec/generated/offset-commit-request";
import { serve } from "./api";

export const offsetCommit = serve(apis.OffsetCommit, {
  async handle(req, version, ctx) {
    const offsets = req.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, metadata: p.committedMetadata })));
    if (offsets.length === 0) return { topics: [] };
    try {
      const outcomes = await commitOffsets(ctx.api, req.groupId, req.memberId, req.generationIdOrMemberEpoch, offsets, version);
      const codeOf = (topic: string, partition: number) => outcomeCode(outcomes.get(`${topic}\u0000${partition}`)?.error);
      return { topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: codeOf(t.name, p.partitionIndex) })) })) };
    } catch (e) {
      return answerAll(req, groupCodeOf(e));
    }
  },

  failed: (req, code) => answerAll(req, code),
});

function answerAll(req: OffsetCommitRequest, code: number) {
  return { topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: code })) })) };
}

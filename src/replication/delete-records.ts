/**
 * Kafka's DeleteRecords on a partition's leader: the log start moves
 * forward, records below it are no longer served, and whole segments
 * below it are deleted at once (log.moveLogStartTo). The followers move
 * theirs with the next replication call, which is sent at once; the
 * answer waits for it.
 */
import { ErrorCode, failure, type Failure } from "../errors";
import { deletes } from "../topic/configs";
import { notLeader } from "./leader";
import type { ReplicaState } from "./replica-state";
import type { DeleteRecordsArgs, DeleteRecordsOk } from "./types";

/**
 * Moves the log start to `args.offset` (-1: the high watermark) as leader
 * of `args.leaderEpoch`. An offset past the high watermark is
 * OFFSET_OUT_OF_RANGE (as Kafka); one at or below the log start changes
 * nothing; a topic whose cleanup.policy is compact alone refuses it with
 * POLICY_VIOLATION, as Kafka does. Answers Kafka's low watermark once every follower was told
 * (or could not be reached): the smallest log start of the leader and its
 * in-sync followers as they confirmed it.
 */
export async function deleteRecordsBefore(r: ReplicaState, args: DeleteRecordsArgs): Promise<DeleteRecordsOk | Failure> {
  if (!r.leads(args.leaderEpoch)) return notLeader(r.brokerId, args.leaderEpoch, r.role.leaderEpoch);
  const log = r.log;
  if (!deletes(log.configs)) {
    return failure(ErrorCode.BAD_REQUEST, `records of topic '${r.topicName}' partition ${r.partition} cannot be deleted: its cleanup.policy is compact (Kafka allows it under delete or compact,delete)`, "POLICY_VIOLATION");
  }
  const offset = args.offset === -1 ? log.highWatermark : args.offset;
  if (!Number.isSafeInteger(offset) || offset < 0 || offset > log.highWatermark) {
    return failure(ErrorCode.OFFSET_OUT_OF_RANGE, `cannot delete records before offset ${args.offset}: it is past the high watermark ${log.highWatermark} (-1 means the high watermark)`);
  }
  if (offset > log.logStartOffset) {
    log.moveLogStartTo(offset);
    r.schedule(Date.now());
  }
  const lowWatermark = await r.leader.syncLogStart();
  return { ok: true, lowWatermark };
}

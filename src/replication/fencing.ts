/**
 * Setting a partition's fencing token (API.md "Conditional append and
 * fencing"): the leader appends a fence control batch through its own
 * append path, with acks=all, so the token is in the log of every in-sync
 * replica — a new leader enforces it too — before the caller hears.
 * Setting it is unconditional: the last fence wins.
 */
import type { Failure } from "../errors";
import { fenceBatch } from "../record/control-records";
import type { ReplicaState } from "./replica-state";
import type { FenceArgs, FenceOk } from "./types";

/** Appends a fence setting `args.token` at the log end; answers its offset once the ISR holds it. */
export async function setFence(r: ReplicaState, args: FenceArgs): Promise<FenceOk | Failure> {
  const appended = await r.leader.append({ topicId: args.topicId, leaderEpoch: args.leaderEpoch, batches: [fenceBatch(args.token, Date.now())], acks: -1 });
  return appended.ok ? { ok: true, offset: appended.baseOffset } : appended;
}

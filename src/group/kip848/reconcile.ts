/**
 * KIP-848's reconciliation (Kafka's CurrentAssignmentBuilder): brings a
 * member from what it owns towards its part of the target assignment, one
 * safe step per heartbeat. A partition is never given to a member while
 * another still owns it (assigned, or pending revocation): partitions to
 * take away are revoked first, the member keeps its epoch until it says
 * (in its heartbeat's owned partitions) that it let them go, and only then
 * moves to the target epoch and gets what is free of its target; what
 * another member still holds comes on a later heartbeat, once released.
 * A pure function over the member's state.
 */
import { tpKey, type TopicPartition } from "../types";
import type { ReconcileState } from "./kip848-types";
import { compareTp } from "./server-assignors";

/** A member's reconciliation state. */
export interface Reconciled {
  memberEpoch: number;
  previousMemberEpoch: number;
  state: ReconcileState;
  assigned: TopicPartition[];
  pendingRevocation: TopicPartition[];
}

export interface ReconcileInput extends Reconciled {
  targetEpoch: number;
  target: TopicPartition[];
  /** The topics the member subscribes to now (its target keeps only these). */
  subscribed: ReadonlySet<string>;
  /** What its heartbeat says it owns; null when it did not say. */
  owned: TopicPartition[] | null;
  /** Whether another member owns `tp` now (assigned to it, or pending its revocation). */
  ownedByOther: (tp: TopicPartition) => boolean;
}

/** Whether the member is at `targetEpoch` with nothing left to reconcile. */
export function reconciledTo(m: Pick<Reconciled, "memberEpoch" | "state">, targetEpoch: number): boolean {
  return m.memberEpoch === targetEpoch && m.state === "stable";
}

/** The member's next state; the same object when nothing can move yet. */
export function reconcile(m: ReconcileInput): Reconciled {
  if (reconciledTo(m, m.targetEpoch)) return m;
  // Waiting for revocations: nothing moves while the member still reports one of them.
  if (m.state === "unrevoked" && stillOwns(m.owned, m.pendingRevocation)) return m;
  return next(m);
}

function next(m: ReconcileInput): Reconciled {
  const target = m.target.filter((tp) => m.subscribed.has(tp.topic));
  const targetKeys = new Set(target.map(tpKey));
  const kept = m.assigned.filter((tp) => targetKeys.has(tpKey(tp)));
  const revoke = m.assigned.filter((tp) => !targetKeys.has(tpKey(tp)));
  const keptKeys = new Set(kept.map(tpKey));
  const ownRevoking = new Set(m.pendingRevocation.map(tpKey));
  const missing = target.filter((tp) => !keptKeys.has(tpKey(tp)));
  // What another member still holds is not given yet (this member's own revoking partitions do not count).
  const unreleased = missing.filter((tp) => m.ownedByOther(tp) && !ownRevoking.has(tpKey(tp)));
  const unreleasedKeys = new Set(unreleased.map(tpKey));
  const add = missing.filter((tp) => !unreleasedKeys.has(tpKey(tp)));
  const moved = (epoch: number, state: ReconcileState, assigned: TopicPartition[], pendingRevocation: TopicPartition[]): Reconciled => ({
    memberEpoch: epoch,
    previousMemberEpoch: m.memberEpoch,
    state,
    assigned: sorted(assigned),
    pendingRevocation: sorted(pendingRevocation),
  });
  if (revoke.length > 0 && stillOwns(m.owned, revoke)) return moved(m.memberEpoch, "unrevoked", kept, revoke);
  return moved(m.targetEpoch, unreleased.length > 0 ? "unreleased" : "stable", [...kept, ...add], []);
}

/** Whether `owned` (null: not said, so assumed) still includes any of `partitions`. */
function stillOwns(owned: TopicPartition[] | null, partitions: TopicPartition[]): boolean {
  if (owned === null) return true;
  const keys = new Set(partitions.map(tpKey));
  return owned.some((tp) => keys.has(tpKey(tp)));
}

function sorted(list: TopicPartition[]): TopicPartition[] {
  return [...list].sort(compareTp);
}

/**
 * Talking to a partition's replicas about leadership: probing whether a
 * replica answers (before an election), and telling replicas their new
 * role. A replica that cannot be reached is expected and quiet — the
 * probe says no, and a role it missed reaches it by the new leader's
 * handshake. A replica that answers with a refusal (it lost its data, or
 * knows a newer epoch than the controller) is one warning line with the
 * partition's ids; its bugs are logged by its own boundary.
 */
import { isUnreachable, logFailedCall, reach } from "../rpc/call";
import type { Env } from "../env";
import { ErrorCode, type Failure } from "../errors";
import { limits } from "../limits";
import { replicaOn } from "../replication/replica-stub";
import type { PartitionRole } from "../replication/types";

/** Whether the replica of `topicId`'s partition on `brokerId` answers within `limits.replicaProbeMs`. */
export async function answers(env: Env, topicId: string, partition: number, brokerId: number): Promise<boolean> {
  const context = { topicId, partition, broker: brokerId };
  const callee = { who: `broker ${brokerId}`, where: "Controller.probe", context, timeoutMs: limits.replicaProbeMs };
  const pong = await reach(callee, () => replicaOn(env, topicId, partition, brokerId).ping(topicId));
  if (!pong.ok) noteRefusal("Controller.probe", pong, context);
  return pong.ok;
}

/**
 * Tells the replicas of `topicId`'s partition their new `role`: the new
 * leader first (awaited), the others after (not awaited).
 */
export async function tellRole(env: Env, topicId: string, partition: number, role: PartitionRole): Promise<void> {
  const tell = async (brokerId: number) => {
    const context = { topicId, partition, broker: brokerId, leaderEpoch: role.leaderEpoch };
    const callee = { who: `broker ${brokerId}`, where: "Controller.tellRole", context, timeoutMs: limits.replicaProbeMs };
    const told = await reach(callee, () => replicaOn(env, topicId, partition, brokerId).assumeRole(topicId, role));
    if (!told.ok) noteRefusal("Controller.tellRole", told, context);
  };
  if (role.leader >= 0) await tell(role.leader);
  for (const b of role.replicas) if (b !== role.leader) void tell(b);
}

/** Logs a replica's refusal; quiet for one out of reach, and for a bug (the replica logged it). */
function noteRefusal(where: string, f: Failure, context: Record<string, unknown>): void {
  if (isUnreachable(f) || f.error_code === ErrorCode.INTERNAL) return;
  logFailedCall(where, f, context);
}

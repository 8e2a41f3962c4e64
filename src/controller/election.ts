/**
 * Choosing a partition's leader. Pure: the controller probes replicas and
 * passes in which answered.
 */
import type { PartitionRole } from "../replication/types";

/**
 * The role after `failed` (the leader) is found unreachable: the first
 * reachable in-sync replica in replica order leads in the next epoch, and
 * the failed leader leaves the ISR. When no in-sync replica is reachable,
 * a reachable out-of-sync replica leads only if `unclean` (and the ISR
 * becomes just it); otherwise the partition has no leader (-1) and keeps
 * its ISR, so the old leader can take over again when it returns. A
 * partition that already has no leader and still finds none keeps its
 * role as it is (no new epoch for nothing).
 */
export function electAfterFailure(role: PartitionRole, failed: number, reachable: ReadonlySet<number>, unclean: boolean): PartitionRole {
  const leaderEpoch = role.leaderEpoch + 1;
  const inSync = role.replicas.find((b) => b !== failed && role.isr.includes(b) && reachable.has(b));
  if (inSync !== undefined) return { ...role, leader: inSync, leaderEpoch, isr: role.isr.filter((b) => b !== failed) };
  const anyone = role.replicas.find((b) => b !== failed && reachable.has(b));
  if (unclean && anyone !== undefined) return { ...role, leader: anyone, leaderEpoch, isr: [anyone] };
  if (role.leader < 0) return role;
  return { ...role, leader: -1, leaderEpoch };
}

/** The preferred leader (replica 0) takes over once it is in sync and someone else leads. */
export function preferredLeaderRole(role: PartitionRole): PartitionRole | null {
  const preferred = role.replicas[0];
  if (preferred === undefined || role.leader === preferred || !role.isr.includes(preferred)) return null;
  return { ...role, leader: preferred, leaderEpoch: role.leaderEpoch + 1 };
}

/** The role of a new partition: replica 0 leads in epoch 0 and every replica is in sync. */
export function initialRole(replicas: number[]): PartitionRole {
  return { leader: replicas[0]!, leaderEpoch: 0, replicas, isr: [...replicas] };
}

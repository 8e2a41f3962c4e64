/**
 * What a replica passes before it answers or acts. The deployed Worker
 * has no gate at all (no fault-injection code or binding ships in it);
 * the development entry (src/dev.ts: `npm start` and the tests) installs
 * the fault gate (src/faults/gate.ts), through which a broker can be made
 * down, slow or restarted on demand.
 */
import type { Env } from "../env";
import type { Failure } from "../errors";

/** A gate: `pass` answers null when broker `brokerId` may answer now, else the failure to answer with. */
export interface ReplicaGate {
  pass(brokerId: number): Promise<Failure | null>;
}

/** Makes a replica's gate; `restarted` rebuilds the replica's memory from storage. */
export type ReplicaGateFactory = (env: Env, restarted: () => void) => ReplicaGate;

let factory: ReplicaGateFactory | null = null;

/** Installs the gate every replica made from now on passes (the development entry only; once, at load). */
export function installReplicaGate(make: ReplicaGateFactory): void {
  factory = make;
}

/** The gate of a new replica, or null when none is installed (a deployed Worker). */
export function replicaGateFor(env: Env, restarted: () => void): ReplicaGate | null {
  return factory === null ? null : factory(env, restarted);
}

/**
 * Faults on demand, for tests and for trying failures out (development
 * mode only): one object holds, per broker, whether it is down or slow,
 * and how often it was restarted. Every partition replica asks it before
 * it answers or acts. Kept in memory: a server restart heals everything.
 */
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";

export type FaultMode = "none" | "down" | "slow";

export interface FaultState {
  mode: FaultMode;
  /** Extra time each call to the broker takes while slow. */
  latencyMs: number;
  /** Bumped by each restart: replicas that saw an older value drop their memory. */
  restartGeneration: number;
}

const HEALTHY: FaultState = { mode: "none", latencyMs: 0, restartGeneration: 0 };

export class Faults extends DurableObject<Env> {
  private readonly brokers = new Map<number, FaultState>();

  /** Sets broker `brokerId` down, slow (by `latencyMs`) or healthy again. */
  async set(brokerId: number, mode: FaultMode, latencyMs = 0): Promise<FaultState> {
    const next = { ...this.stateOfSync(brokerId), mode, latencyMs: mode === "slow" ? latencyMs : 0 };
    this.brokers.set(brokerId, next);
    return next;
  }

  /** Makes every replica on `brokerId` drop its in-memory state and start again from storage. */
  async restart(brokerId: number): Promise<FaultState> {
    const current = this.stateOfSync(brokerId);
    const next = { ...current, restartGeneration: current.restartGeneration + 1 };
    this.brokers.set(brokerId, next);
    return next;
  }

  async stateOf(brokerId: number): Promise<FaultState> {
    return this.stateOfSync(brokerId);
  }

  private stateOfSync(brokerId: number): FaultState {
    return this.brokers.get(brokerId) ?? HEALTHY;
  }
}

/** The one Faults object. */
export function faultsStub(env: Pick<Env, "FAULTS">): DurableObjectStub<Faults> {
  return env.FAULTS.get(env.FAULTS.idFromName("faults"));
}

/** Whether fault injection is allowed: development mode only. */
export function faultsAllowed(env: Pick<Env, "MODE">): boolean {
  return env.MODE === "development";
}

/** Thrown by a replica on a broker that is down: to its callers it is unreachable. */
export class BrokerUnreachable extends Error {
  constructor(brokerId: number) {
    super(`broker ${brokerId} is unreachable (fault injected)`);
    this.name = "BrokerUnreachable";
  }
}

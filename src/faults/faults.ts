/**
 * Faults on demand, for tests and for trying failures out (development
 * mode only): one object holds, per broker, whether it is down or slow,
 * and how often it was restarted. Every partition replica asks it before
 * it answers or acts (see `gate.ts`). Kept in memory: a server restart
 * heals everything.
 */
import type { Env } from "../env";
import { ErrorCode, failure, type Failure } from "../errors";
import { RunnelObject } from "../rpc/runnel-object";

export type FaultMode = "none" | "down" | "slow";

export interface FaultState {
  mode: FaultMode;
  /** Extra time each call to the broker takes while slow. */
  latencyMs: number;
  /** Bumped by each restart: replicas that saw an older value drop their memory. */
  restartGeneration: number;
}

/** A broker's fault state, as every `Faults` method answers. */
export interface FaultOk {
  ok: true;
  state: FaultState;
}

const HEALTHY: FaultState = { mode: "none", latencyMs: 0, restartGeneration: 0 };

export class Faults extends RunnelObject {
  readonly #brokers = new Map<number, FaultState>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, []); // kept in memory: a server restart heals everything
  }

  /** Sets broker `brokerId` down, slow (by `latencyMs`, default 0) or healthy again ("none"). */
  async set(brokerId: number, mode: FaultMode, latencyMs = 0): Promise<FaultOk | Failure> {
    if (mode !== "none" && mode !== "down" && mode !== "slow") return failure(ErrorCode.BAD_REQUEST, `unknown fault mode '${String(mode)}'`);
    if (!Number.isInteger(latencyMs) || latencyMs < 0) return failure(ErrorCode.BAD_REQUEST, "latency must be a whole number of milliseconds, 0 or more");
    const state = { ...this.#current(brokerId), mode, latencyMs: mode === "slow" ? latencyMs : 0 };
    this.#brokers.set(brokerId, state);
    return { ok: true, state };
  }

  /** Makes every replica on `brokerId` drop its in-memory state and start again from storage. */
  async restart(brokerId: number): Promise<FaultOk | Failure> {
    const current = this.#current(brokerId);
    const state = { ...current, restartGeneration: current.restartGeneration + 1 };
    this.#brokers.set(brokerId, state);
    return { ok: true, state };
  }

  /** Broker `brokerId`'s fault state (healthy unless set). */
  async stateOf(brokerId: number): Promise<FaultOk | Failure> {
    return { ok: true, state: this.#current(brokerId) };
  }

  logContext(): Record<string, unknown> {
    return { object: "Faults" };
  }

  #current(brokerId: number): FaultState {
    return this.#brokers.get(brokerId) ?? HEALTHY;
  }
}

/**
 * The fault gate a partition replica passes before it answers or acts
 * (development mode only). While its broker is down the replica answers
 * with an unreachable failure — an expected result, exactly what its
 * callers get when a real broker does not answer — never a thrown error;
 * while slow it answers later; after a restart it rebuilds its memory
 * from storage first.
 */
import { unreachable } from "../rpc/call";
import type { Env } from "../env";
import type { Failure } from "../errors";
import { faultsAllowed, faultsStub } from "./faults-stub";

/** The failure a replica on a down broker answers with: 50003 `BROKER_NOT_AVAILABLE: broker {id} is unreachable (fault injected)`. */
export function brokerDown(brokerId: number): Failure {
  return unreachable(`broker ${brokerId}`, "is unreachable (fault injected)");
}

export class FaultGate {
  /** The restart generation this replica's memory was built in. */
  private restartGeneration = 0;

  /** `restarted` rebuilds the replica's memory; it is called when the broker was restarted since the last pass. */
  constructor(
    private readonly env: Pick<Env, "FAULTS" | "MODE">,
    private readonly restarted: () => void,
  ) {}

  /**
   * Null when broker `brokerId` may answer now (after its injected
   * latency, if slow); the failure to answer with while it is down. A
   * negative id (a replica not created yet) always passes.
   */
  async pass(brokerId: number): Promise<Failure | null> {
    if (brokerId < 0 || !faultsAllowed(this.env)) return null;
    const f = await faultsStub(this.env).stateOf(brokerId);
    if (!f.ok) return f;
    if (f.state.restartGeneration !== this.restartGeneration) {
      this.restartGeneration = f.state.restartGeneration;
      this.restarted();
    }
    if (f.state.mode === "down") return brokerDown(brokerId);
    if (f.state.mode === "slow") await new Promise((resolve) => setTimeout(resolve, f.state.latencyMs));
    return null;
  }
}

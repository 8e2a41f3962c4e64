/** Reaching the one Faults object (development builds), and whether faults may be injected at all. */
import type { Env } from "../env";
import { caller, type Caller } from "../rpc/call";
import type { Faults } from "./faults";

/** The one Faults object (named "faults"); only where `faultsAllowed`. */
export function callFaults(env: Pick<Env, "FAULTS">): Caller<Faults> {
  return caller<Faults>(() => env.FAULTS!.get(env.FAULTS!.idFromName("faults")), { who: "the faults object" });
}

/** Whether fault injection is allowed: a development build (the FAULTS binding) in development mode. */
export function faultsAllowed(env: Pick<Env, "MODE" | "FAULTS">): boolean {
  return env.MODE === "development" && env.FAULTS !== undefined;
}

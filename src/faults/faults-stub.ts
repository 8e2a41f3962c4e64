/** Reaching the one Faults object, and whether faults may be injected at all. */
import type { Env } from "../env";
import type { Faults } from "./faults";

/** The one Faults object (named "faults"). */
export function faultsStub(env: Pick<Env, "FAULTS">): DurableObjectStub<Faults> {
  return env.FAULTS.get(env.FAULTS.idFromName("faults"));
}

/** Whether fault injection is allowed: development mode only. */
export function faultsAllowed(env: Pick<Env, "MODE">): boolean {
  return env.MODE === "development";
}

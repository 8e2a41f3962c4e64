/** Reaching the controller. */
import type { Env } from "../env";
import type { Controller } from "./controller";

/** The controller's stub (there is one controller, named "controller"). */
export function controllerStub(env: Pick<Env, "CONTROLLER">): DurableObjectStub<Controller> {
  return env.CONTROLLER.get(env.CONTROLLER.idFromName("controller"));
}

import type { Env } from "../env";

/** The controller's stub (there is one controller, named "controller"). */
export function controllerStub(env: Pick<Env, "CONTROLLER">) {
  return env.CONTROLLER.get(env.CONTROLLER.idFromName("controller"));
}

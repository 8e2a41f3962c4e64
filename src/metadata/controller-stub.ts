/**
 * Moved to src/controller/controller-stub.ts, beside the controller. This
 * re-export keeps the group code's imports working until they move too.
 */
export { controllerStub } from "../controller/controller-stub";

import type { Env } from "../env";
import { ErrorCode, RunnelError } from "../errors";
import { limits } from "../limits";

/** The coordinator of consumer group `groupId` (400 for an empty or overlong id). */
export function groupStub(env: Pick<Env, "GROUPS">, groupId: string) {
  if (groupId.length === 0 || groupId.length > limits.groupIdLengthMax) {
    throw new RunnelError(ErrorCode.BAD_REQUEST, `a consumer group id is 1 to ${limits.groupIdLengthMax} characters`);
  }
  return env.GROUPS.get(env.GROUPS.idFromName(groupId));
}

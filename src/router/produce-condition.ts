/**
 * The condition of a produce request (API.md "Conditional append and
 * fencing"): `?expected_offset=N` (the offset the request's first record
 * would get) and the `Runnel-Fencing-Token` header. Both are checked by
 * the partition's leader in the append's own transaction; here they are
 * only read and their form checked.
 */
import { ErrorCode, RunnelError } from "../errors";
import { limits } from "../limits";
import type { AppendCondition } from "../log/types";
import { intParam } from "./params";

/** The header carrying a writer's fencing token. */
export const FENCING_TOKEN_HEADER = "runnel-fencing-token";

const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

/** A fencing token as given (a header or a fence body): 400 unless 1 to `limits.fencingTokenLengthMax` printable ASCII characters. */
export function checkFencingToken(token: string, where: string): string {
  if (token.length === 0 || token.length > limits.fencingTokenLengthMax || !PRINTABLE_ASCII.test(token)) {
    throw new RunnelError(ErrorCode.BAD_REQUEST, `${where} must be 1 to ${limits.fencingTokenLengthMax} printable ASCII characters`);
  }
  return token;
}

/** The request's append condition from its query and headers; undefined when it has none. 400 when one is malformed. */
export function appendConditionOf(query: (name: string) => string | undefined, header: (name: string) => string | undefined): AppendCondition | undefined {
  const expected = query("expected_offset");
  const token = header(FENCING_TOKEN_HEADER);
  if (expected === undefined && token === undefined) return undefined;
  const condition: AppendCondition = {};
  if (expected !== undefined) condition.expectedOffset = intParam("expected_offset", expected);
  if (token !== undefined) condition.fencingToken = checkFencingToken(token, "Runnel-Fencing-Token");
  return condition;
}

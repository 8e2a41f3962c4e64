/**
 * Subscription patterns (`topic_pattern`), matched against whole topic
 * names with RE2 (re2js): linear in the name's length whatever the
 * pattern, so a pattern like `(a+)+$` cannot freeze the coordinator as a
 * backtracking engine would. RE2 has no backreferences or lookaround; a
 * pattern that needs them is refused when it is subscribed.
 */
import { RE2JS } from "re2js";
import { ErrorCode, failure, type Failure } from "../errors";
import { limits } from "../limits";

/** Compiled patterns by source, so a rebalance does not compile each member's again. */
const compiled = new Map<string, RE2JS | null>();
/** Most compiled patterns kept (then the cache starts over). */
const compiledMax = 1_000;

/**
 * Why `pattern` cannot be a subscription pattern (a 42206 naming the
 * reason: too long, or not valid RE2 syntax), or null when it can.
 */
export function patternProblem(pattern: string): Failure | null {
  const re = compile(pattern);
  return re instanceof RE2JS ? null : re;
}

/**
 * Whether `topic` is wholly matched by `pattern`. A pattern that does not
 * compile (stored before patterns were checked) matches nothing.
 */
export function patternMatches(pattern: string, topic: string): boolean {
  let re = compiled.get(pattern);
  if (re === undefined) {
    const made = compile(pattern);
    re = made instanceof RE2JS ? made : null;
    if (compiled.size >= compiledMax) compiled.clear();
    compiled.set(pattern, re);
  }
  return re?.matches(topic) ?? false;
}

function compile(pattern: string): RE2JS | Failure {
  if (pattern.length === 0 || pattern.length > limits.topicPatternLengthMax) {
    return failure(ErrorCode.INVALID_PAYLOAD, `topic_pattern must be 1 to ${limits.topicPatternLengthMax} characters`, "INVALID_REQUEST");
  }
  try {
    return RE2JS.compile(pattern);
  } catch (e) {
    return failure(
      ErrorCode.INVALID_PAYLOAD,
      `topic_pattern is not a regular expression Runnel can match (RE2 syntax: no backreferences or lookaround): ${(e as Error).message}`,
      "INVALID_REQUEST",
    );
  }
}

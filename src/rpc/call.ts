/**
 * The one way to call another Durable Object, for routes and objects
 * alike. A call never throws; it answers the callee's result or a
 * `Failure`, sorted three ways:
 *
 * - Expected failures the callee answered with keep their error_code and
 *   Kafka error_name (every object method returns them as results).
 * - Transient ones — the runtime's own retryable or overloaded errors (an
 *   object reset or overloaded), or no answer within `timeoutMs` — mean
 *   the callee could not be reached: a retriable 50003 named
 *   BROKER_NOT_AVAILABLE (`isUnreachable`), with one warning line when
 *   the runtime threw. A broker that is down by injected fault answers
 *   the same failure itself, quietly: a heartbeat every second to a down
 *   follower must not write a line every second.
 * - Anything else thrown is a bug on the calling side (an argument that
 *   cannot be sent, a broken stub): logged once here with its context,
 *   and answered as a 500 that carries the bug id of that log line. A
 *   bug inside the callee is logged by its own boundary (boundary.ts) and
 *   comes back the same way.
 *
 * Callers reach objects through typed callers (`caller`, used by
 * objects.ts), so a route writes `unwrap(await callController(env).getTopic(name))`
 * and gets a RunnelError with the callee's code, never a raw runtime error.
 */
import { ErrorCode, failure, isFailure, retriable, RunnelError, failureOf, type Failure } from "../errors";
import { isTransient, logBug } from "./boundary";

/** The failure meaning "`who` could not be reached": 50003 BROKER_NOT_AVAILABLE, message `BROKER_NOT_AVAILABLE: {who} {detail}`. */
export function unreachable(who: string, detail: string): Failure {
  return retriable("BROKER_NOT_AVAILABLE", `${who} ${detail}`);
}

/** Whether `result` says its callee could not be reached (not a failure the callee answered with). */
export function isUnreachable(result: unknown): boolean {
  return isFailure(result) && result.error_code === ErrorCode.RETRIABLE && result.error_name === "BROKER_NOT_AVAILABLE";
}

/** An unreachable failure's text without its leading Kafka name, to quote inside another message. */
export function unreachableDetail(f: Failure): string {
  const prefix = `${f.error_name}: `;
  return f.error_name !== undefined && f.message.startsWith(prefix) ? f.message.slice(prefix.length) : f.message;
}

/** Who is called, and where from, for messages and log lines. */
export interface Callee {
  /** The callee in words, for the failure's message: "broker 2", "the controller". */
  who: string;
  /** The calling code, for a bug's log line: "Replicator.replicate" (default: the callee and method). */
  where?: string;
  /** Small ids for a bug's log line: topic id, partition, broker. */
  context?: Record<string, unknown>;
  /** Give up after this many milliseconds (default: as long as the runtime waits). */
  timeoutMs?: number;
  /**
   * Log one warning line when the callee cannot be reached (default
   * false: quiet but for a thrown transient error). For fire-and-forget
   * calls, whose failure reaches no one.
   */
  warnUnreachable?: boolean;
}

/**
 * Makes one call to another object: its result, or a failure sorted as
 * the module comment says. Never throws.
 */
export async function call<R extends { ok: true }>(callee: Callee, invoke: () => unknown): Promise<R | Failure> {
  const where = callee.where ?? `call to ${callee.who}`;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let result: R | Failure;
  try {
    const answer = Promise.resolve(invoke());
    const late = new Promise<typeof NO_ANSWER>((resolve) => {
      if (callee.timeoutMs !== undefined) timer = setTimeout(() => resolve(NO_ANSWER), callee.timeoutMs);
    });
    const first = await Promise.race([answer, late]);
    result = first === NO_ANSWER ? unreachable(callee.who, `did not answer within ${callee.timeoutMs} ms`) : checkedAnswer<R>(first, where, callee);
  } catch (e) {
    result = thrown(e, where, callee);
  } finally {
    clearTimeout(timer);
  }
  if (callee.warnUnreachable && isUnreachable(result) && !result.ok) logFailedCall(where, result, callee.context);
  return result;
}

const NO_ANSWER = Symbol("no answer");

/** A callee's answer must be a result (`{ok: true, …}`) or a `Failure`; anything else is a bug. */
function checkedAnswer<R extends { ok: true }>(answer: unknown, where: string, callee: Callee): R | Failure {
  if (isFailure(answer)) return answer;
  if (typeof answer === "object" && answer !== null && (answer as { ok?: unknown }).ok === true) return answer as R;
  const bugId = logBug(where, new Error("the callee answered neither a result nor a Failure"), { ...callee.context, callee: callee.who });
  return bugFailure(where, bugId, "the callee answered neither a result nor a Failure");
}

function thrown(e: unknown, where: string, callee: Callee): Failure {
  if (e instanceof RunnelError) return failureOf(e); // thrown while making the call (an unknown broker, a bad group id)
  const text = `did not answer: ${e instanceof Error ? e.message : String(e)}`;
  if (isTransient(e)) {
    const f = unreachable(callee.who, text);
    if (!callee.warnUnreachable) logFailedCall(where, f, callee.context); // once: warnUnreachable logs it after
    return f;
  }
  const bugId = logBug(where, e, { ...callee.context, callee: callee.who });
  return bugFailure(where, bugId, e instanceof Error ? e.message : String(e));
}

/**
 * Runs `work` — code that throws a RunnelError for an expected failure
 * (as `unwrap` of a caller's answer does) — and answers its value or that
 * failure with its code and Kafka name. Anything else thrown is a bug,
 * logged once here (`where`) and answered as a 500. Never throws.
 */
export async function settle<T>(where: string, work: () => Promise<T>): Promise<T | Failure> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof RunnelError) return failureOf(e);
    return bugFailure(where, logBug(where, e), e instanceof Error ? e.message : String(e));
  }
}

/** The 500 for a bug logged as `bugId`: the router answers it with the bug id and the request id, never the text. */
export function bugFailure(where: string, bugId: string, text: string): Failure {
  return { ...failure(ErrorCode.INTERNAL, `bug in ${where}: ${text}`), bug_id: bugId };
}

/**
 * One warning line (no stack) for a call that failed (its callee out of
 * reach, or refusing) and has no caller to hand the failure to.
 */
export function logFailedCall(where: string, f: Failure, context: Record<string, unknown> = {}): void {
  console.warn(JSON.stringify({ level: "warn", event: "call-failed", where, ...context, error_code: f.error_code, error_name: f.error_name, message: f.message }));
}

/** An object's RPC methods that answer `{ok: true, …} | Failure` — what a typed caller offers. */
type RpcMethodNames<T> = {
  [K in keyof T & string]: T[K] extends (...args: never[]) => Promise<unknown> ? K : never;
}[keyof T & string];

/** A typed caller of object class `T`: each RPC method, answering its result or a `Failure`; never throwing. */
export type Caller<T> = {
  [K in RpcMethodNames<T>]: T[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => Promise<R | Failure> : never;
};

/**
 * The typed caller of the object `stubOf` gives (resolved on each call,
 * so a stub that cannot be made — an unknown broker — is a failure too).
 * Each method call goes through `call` with `callee`; the method's name
 * completes `callee.where` for log lines.
 */
export function caller<T>(stubOf: () => object, callee: Callee): Caller<T> {
  return new Proxy({} as Caller<T>, {
    get(_target, method) {
      if (typeof method !== "string" || method === "then") return undefined; // a caller is not a promise
      const where = callee.where ?? `call to ${callee.who} (${method})`;
      return (...args: unknown[]) =>
        call({ ...callee, where }, () => (stubOf() as Record<string, (...a: unknown[]) => unknown>)[method]!(...args));
    },
  });
}

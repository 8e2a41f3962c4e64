/**
 * Calling another object (a replica on some broker, the controller, a
 * group coordinator) and what "could not reach it" means. Every way a
 * callee can be out of reach comes back as one result: a retriable 50003
 * failure named BROKER_NOT_AVAILABLE. A replica on a broker that is down
 * answers with it itself (the fault gate); a call that throws the
 * runtime's transient errors, or gets no answer in time, is turned into it
 * here. Callers test `isUnreachable` and take one path for all of them.
 *
 * Logging: an unreachable callee is an expected condition, and it is
 * reported where it matters (the client gets a retriable failure, the
 * controller elects another leader, the ISR shrinks), so reaching it is
 * quiet here; a heartbeat every second to a down follower must not write
 * a line every second. A callee never throws anything else (every object
 * method is guarded and returns its failures), so any other thrown error
 * is a bug on this side of the call (an argument that cannot be sent, a
 * broken stub): it is logged once with `logBug` and still reported as
 * unreachable, so the caller's retry path stays the one path. A
 * fire-and-forget caller, whose failure reaches no one, asks for one
 * warning line instead (`warnUnreachable`).
 */
import { ErrorCode, isFailure, retriable, RunnelError, failureOf, type Failure } from "../errors";
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
  /** The calling code, for a bug's log line: "Replicator.replicate". */
  where: string;
  /** Small ids for a bug's log line: topic id, partition, broker. */
  context?: Record<string, unknown>;
  /** Give up after this many milliseconds (default: as long as the runtime waits). */
  timeoutMs?: number;
  /**
   * Log one warning line when the callee cannot be reached (default
   * false: quiet). For fire-and-forget calls, whose failure reaches no one.
   */
  warnUnreachable?: boolean;
}

/**
 * Makes one call to another object: its result, or an unreachable failure
 * when it threw or did not answer within `callee.timeoutMs`. Never throws.
 */
export async function reach<R extends { ok: true }>(callee: Callee, call: () => unknown): Promise<R | Failure> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let result: R | Failure;
  try {
    const answer = Promise.resolve(call());
    const late = new Promise<typeof NO_ANSWER>((resolve) => {
      if (callee.timeoutMs !== undefined) timer = setTimeout(() => resolve(NO_ANSWER), callee.timeoutMs);
    });
    const first = await Promise.race([answer, late]);
    result = first === NO_ANSWER ? unreachable(callee.who, `did not answer within ${callee.timeoutMs} ms`) : (first as R | Failure);
  } catch (e) {
    if (e instanceof RunnelError) return failureOf(e);
    const text = `did not answer: ${e instanceof Error ? e.message : String(e)}`;
    if (isTransient(e)) result = unreachable(callee.who, text);
    else {
      logBug(callee.where, e, { ...callee.context, callee: callee.who });
      return unreachable(callee.who, text); // logged once, as the bug it is
    }
  } finally {
    clearTimeout(timer);
  }
  if (callee.warnUnreachable && isUnreachable(result) && !result.ok) logFailedCall(callee.where, result, callee.context);
  return result;
}

const NO_ANSWER = Symbol("no answer");

/**
 * One warning line (no stack) for a fire-and-forget call that failed
 * (its callee out of reach, or refusing) and has no caller to hand the
 * failure to.
 */
export function logFailedCall(where: string, f: Failure, context: Record<string, unknown> = {}): void {
  console.warn(JSON.stringify({ level: "warn", event: "call-failed", where, ...context, error_code: f.error_code, error_name: f.error_name, message: f.message }));
}

/**
 * One evaluation of an alert rule: where it stands after measuring
 * `value`, and the webhook notice that causes, if any. Pure.
 *
 * A value above the threshold makes an inactive rule pending (since now);
 * a pending rule whose value stayed above for `forMs` fires (a `firing`
 * notice, `since` the time it went above). A value at or below the
 * threshold ends a pending rule quietly and resolves a firing one (a
 * `resolved` notice, `since` now). A value that could not be measured
 * (null) changes nothing: an object that does not answer neither fires
 * nor resolves a rule.
 */
import type { AlertState } from "./alert-rules";

/** The webhook's body: `{"alert","status","value","since"}` (since in epoch ms). */
export interface AlertNotice {
  alert: string;
  status: "firing" | "resolved";
  value: number;
  since: number;
}

/** The rule's next state after measuring `value` at `nowMs`, and the notice to send (or null). */
export function evaluate(
  rule: { name: string; threshold: number; forMs: number },
  state: AlertState,
  value: number | null,
  nowMs: number,
): { next: AlertState; notice: AlertNotice | null } {
  if (value === null) return { next: { ...state, value: null, evaluatedAtMs: nowMs }, notice: null };
  const measured = { value, evaluatedAtMs: nowMs };
  if (value > rule.threshold) {
    if (state.status === "firing") return { next: { ...state, ...measured }, notice: null };
    const sinceMs = state.status === "pending" && state.sinceMs !== null ? state.sinceMs : nowMs;
    if (nowMs - sinceMs >= rule.forMs) {
      return { next: { status: "firing", sinceMs, ...measured }, notice: { alert: rule.name, status: "firing", value, since: sinceMs } };
    }
    return { next: { status: "pending", sinceMs, ...measured }, notice: null };
  }
  const next: AlertState = { status: "inactive", sinceMs: null, ...measured };
  if (state.status !== "firing") return { next, notice: null };
  return { next, notice: { alert: rule.name, status: "resolved", value, since: nowMs } };
}

/** When a pending rule would fire if its value stays up (epoch ms), or null when it is not pending. */
export function firesAtMs(rule: { forMs: number }, state: AlertState): number | null {
  return state.status === "pending" && state.sinceMs !== null ? state.sinceMs + rule.forMs : null;
}

/**
 * When to try a failed delivery again: `limits`' first pause after the
 * first failure, doubling after each further one up to the longest pause;
 * null once `retryForMs` has passed since the first attempt (give up).
 */
export function nextAttemptMs(
  firstAttemptMs: number,
  failedAttempts: number,
  nowMs: number,
  policy: { firstMs: number; pauseMsMax: number; retryForMs: number },
): number | null {
  if (nowMs - firstAttemptMs >= policy.retryForMs) return null;
  const pause = Math.min(policy.firstMs * 2 ** Math.max(0, failedAttempts - 1), policy.pauseMsMax);
  return nowMs + pause;
}

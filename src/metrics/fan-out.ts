/**
 * Calling many objects at once, bounded: at most `inFlightMax` calls at a
 * time, and nothing waited for past a deadline. A call that has not
 * answered by then is left out (`timeout`), as is one that was never
 * started; one that failed is `unreachable`. Never throws and never hangs
 * past the deadline (a call left out may still finish in the background;
 * its answer is dropped).
 */
import { reach } from "../rpc/call";
import type { Failure } from "../errors";

/** Why an answer is missing. */
export type MissingReason = "timeout" | "unreachable";

/** A call that gave no answer: why, and the failure if it answered with one. */
export interface Missing {
  ok: false;
  missing: MissingReason;
  failure?: Failure;
}

/** One call: what it reaches (for a bug's log line) and the call itself, answering `T` or a failure. */
export interface Call<T> {
  who: string;
  call: () => Promise<T | Failure> | T | Failure;
}

/** Runs `calls` as described above; the results are in the calls' order. */
export async function fanOut<T extends { ok: true }>(calls: Call<T>[], inFlightMax: number, deadlineMs: number): Promise<(T | Missing)[]> {
  const results: (T | Missing | undefined)[] = new Array(calls.length);
  const deadline = lateAt(deadlineMs); // one timer for every call
  let next = 0;
  const worker = async () => {
    while (next < calls.length && Date.now() < deadlineMs) {
      const i = next++;
      results[i] = await answerOrLate<T>(calls[i]!, deadline.late);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(inFlightMax, calls.length) }, worker));
  } finally {
    deadline.clear();
  }
  // Array.from, not map: map skips the holes left by calls never started.
  return Array.from(results, (r) => r ?? { ok: false, missing: "timeout" });
}

/** One call's answer, or why it is missing, by `deadlineMs`. */
export async function answerBy<T extends { ok: true }>(c: Call<T>, deadlineMs: number): Promise<T | Missing> {
  const deadline = lateAt(deadlineMs);
  try {
    return await answerOrLate(c, deadline.late);
  } finally {
    deadline.clear();
  }
}

async function answerOrLate<T extends { ok: true }>(c: Call<T>, late: Promise<"late">): Promise<T | Missing> {
  const answer = await Promise.race([reach<T>({ who: c.who, where: "metrics.fanOut" }, c.call), late]);
  if (answer === "late") return { ok: false, missing: "timeout" };
  return answer.ok ? answer : { ok: false, missing: "unreachable", failure: answer };
}

/** A promise of "late" at `deadlineMs`, and how to stop its timer. */
function lateAt(deadlineMs: number): { late: Promise<"late">; clear: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), Math.max(0, deadlineMs - Date.now()));
  });
  return { late, clear: () => clearTimeout(timer) };
}

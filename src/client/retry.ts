/**
 * When a produce request may be sent again. A retry can never duplicate:
 * without a producer id only failures that prove nothing was appended are
 * retried (429, no leader, NOT_ENOUGH_REPLICAS before the append); with
 * one (Kafka's idempotent producer) every failure that may be transient
 * is, because the server recognises a batch it already has by its
 * producer id and sequence and answers with the original offsets.
 */
import type { RunnelError } from "./errors";

/** What to do about a failed produce request. */
export type Verdict = "retry" | "fail" | "new-identity" | "fenced";

/** Retriable failures (50003) that say nothing was appended. */
const NOTHING_APPENDED = new Set(["NOT_ENOUGH_REPLICAS", "NOT_LEADER_OR_FOLLOWER", "LEADER_NOT_AVAILABLE"]);

/** The verdict on `e` for a request sent with (`idempotent`) or without a producer id. */
export function verdictOn(e: RunnelError, idempotent: boolean): Verdict {
  const name = e.errorName;
  if (e.errorCode === 429 || e.errorCode === 42901 || e.errorCode === 40404) return "retry";
  if (e.errorCode === 50003) return name !== null && NOTHING_APPENDED.has(name) ? "retry" : idempotent ? "retry" : "fail";
  if (e.unanswered || e.errorCode === 500 || e.status === 502 || e.status === 503 || e.status === 504) return idempotent && e.errorCode !== 50301 ? "retry" : "fail";
  if (name === "INVALID_PRODUCER_EPOCH" || name === "PRODUCER_FENCED") return "fenced";
  if (name === "UNKNOWN_PRODUCER_ID") return idempotent ? "new-identity" : "fail";
  if (name === "OUT_OF_ORDER_SEQUENCE_NUMBER") return "fail";
  return "fail";
}

/**
 * How long to wait before attempt `attempt` (from 1): exponential from
 * `initialMs` to `maxMs` with jitter, or what the server asked for.
 */
export function backoffMs(attempt: number, initialMs: number, maxMs: number, retryAfterS: number | null = null): number {
  if (retryAfterS !== null) return retryAfterS * 1000;
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt - 1, 20));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

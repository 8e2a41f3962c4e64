/**
 * How long a failed batch waits before its next attempt (API.md): the
 * waits double from `retry_backoff_ms`, each capped at
 * `limits.pushRetryBackoffMsMax`, and each is at least its nominal length
 * and at most `limits.pushRetryJitterPercent` more (jitter, so many
 * partitions failing at once do not retry in step).
 */
import { limits } from "../limits";

/** The nominal wait (ms) before retry number `retry` (1 for the first), doubling from `backoffMs`, capped. */
export function nominalWaitMs(retry: number, backoffMs: number): number {
  return Math.min(backoffMs * 2 ** Math.min(retry - 1, 52), limits.pushRetryBackoffMsMax);
}

/** The wait (ms) before retry number `retry`: nominal, plus up to `pushRetryJitterPercent` of it at random (`random` in [0, 1)). */
export function retryWaitMs(retry: number, backoffMs: number, random: number = Math.random()): number {
  const nominal = nominalWaitMs(retry, backoffMs);
  return Math.floor(nominal * (1 + (random * limits.pushRetryJitterPercent) / 100));
}

/**
 * Metering a Server-Sent Events stream for GET /metrics: open streams per
 * topic (a gauge of this isolate, summed over isolates by the metrics
 * object) and records sent. The stream calls `delivered` per records
 * event, `alive` per keep-alive ping (so an isolate whose only traffic is
 * open streams still reports them), and `closed` once it ends.
 */
import type { Env } from "../env";
import { flushIfDue, routerCounters } from "./router-counters";
import { SSE } from "./series";

export interface SseMeter {
  /** `records` records were sent in one event. */
  delivered(records: number): void;
  /** A keep-alive ping was sent. */
  alive(): void;
  /** The stream ended (closed by either side); later calls do nothing. */
  closed(): void;
}

/** Counts one stream on `topic`, open from now; `ctx` is the request's execution context (null: none), for flushes. */
export function sseOpened(env: Env, ctx: { waitUntil(p: Promise<unknown>): void } | null, topic: string): SseMeter {
  const labels = { topic };
  let open = true;
  routerCounters.moveGauge(SSE.subscribers.name, labels, 1);
  flushIfDue(env, ctx);
  return {
    delivered(records) {
      if (!open) return;
      routerCounters.count(SSE.delivered.name, labels, records);
      flushIfDue(env, ctx);
    },
    alive() {
      if (open) flushIfDue(env, ctx);
    },
    closed() {
      if (!open) return;
      open = false;
      routerCounters.moveGauge(SSE.subscribers.name, labels, -1);
      flushIfDue(env, ctx);
    },
  };
}

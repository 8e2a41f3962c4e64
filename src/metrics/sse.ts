/**
 * Metering a Server-Sent Events stream for GET /metrics: open streams per
 * topic (a gauge of this isolate, summed over isolates by the metrics
 * object) and records sent. The route calls `delivered` per records event
 * it writes, and `meteredBody` watches the stream: each keep-alive ping is
 * `alive` (so an isolate whose only traffic is open streams still reports
 * them), and its end — closed, failed or cancelled by the client — is
 * `closed`.
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

/** `body`, passed through as it is read; `meter` hears of its pings and of its end, however it ends. */
export function meteredBody(body: ReadableStream<Uint8Array>, meter: SseMeter): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (e) {
          meter.closed();
          throw e;
        }
        if (chunk.done) {
          meter.closed();
          return controller.close();
        }
        if (chunk.value[0] === COLON) meter.alive(); // a comment line: the keep-alive ping
        controller.enqueue(chunk.value);
      },
      cancel(reason) {
        meter.closed();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

const COLON = ":".charCodeAt(0);

import { env } from "cloudflare:test";
import type { PushBatch } from "../../examples/consumer-worker/src/index";
import type { RunnelService } from "../../src/service/runnel-service";
import { V3, call } from "../helpers";

export const SUBS = `${V3}/subscriptions`;

/** The receiver Worker's URL of hook `id` (the tests' Miniflare sends every outbound fetch to it, whatever the host). */
export const hookUrl = (id: string) => `http://receiver.test/hooks/${id}`;

/** What hook `id` received so far. */
export async function received(id: string): Promise<{ headers: Record<string, string>; body: string; answered: number | null; at: number; url: string }[]> {
  return (await fetch(hookUrl(id))).json();
}

/** Sets how hook `id` answers: the first `fail` requests answer `status` (default 500), each after `delayMs`. */
export async function script(id: string, s: { fail?: number; status?: number; delayMs?: number; redirect?: string; body?: string; slowPartition?: number }): Promise<void> {
  const res = await fetch(`http://receiver.test/scripts/${id}`, { method: "PUT", body: JSON.stringify(s) });
  if (res.status !== 204) throw new Error(`script ${id}: ${res.status}`);
}

/** Creates a webhook subscription (fails the test otherwise); its 201 body. */
export async function webhookSubscription(name: string, topics: string[], extra: Record<string, unknown> = {}) {
  const res = await call("POST", SUBS, { name, topics, target: { type: "webhook", url: hookUrl(name) }, ...extra });
  if (res.status !== 201) throw new Error(`create ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Polls `probe` until `done` holds (every 50 ms, up to `timeoutMs`). */
export async function until<T>(what: string, probe: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runnel's own RunnelService, bound as `User:app` (RUNNEL_APP), `User:other`, or naming no principal (vitest.config.mts). */
export function runnelService(binding: "RUNNEL_APP" | "RUNNEL_OTHER" | "RUNNEL_NOBODY"): Service<RunnelService> {
  return (env as unknown as Record<string, Service<RunnelService>>)[binding]!;
}

/** The example consumer Worker (examples/consumer-worker), bound as CONSUMER. */
export function consumerWorker(): { recent(): Promise<PushBatch[]> } {
  return (env as unknown as { CONSUMER: { recent(): Promise<PushBatch[]> } }).CONSUMER;
}

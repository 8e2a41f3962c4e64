/**
 * Delivery to a Worker (API.md): Runnel's Worker holds a service binding
 * to it, named by the target's `service`, and calls its `deliver(batch)`
 * RPC method (a WorkerEntrypoint's). Accepted when the call resolves
 * within `limits.pushTargetTimeoutMs`; a rejection or no answer is a
 * failure, retried as a webhook's.
 */
import type { Env } from "../env";
import { limits } from "../limits";
import type { PushBatch } from "./types";

type Deliverer = { deliver(batch: PushBatch): Promise<unknown> };

/** The service binding `name` of Runnel's Worker, or null when there is none (another kind of binding is none). */
export function serviceBinding(env: Env, name: string): Deliverer | null {
  const binding = (env as unknown as Record<string, unknown>)[name];
  if (typeof binding !== "object" || binding === null) return null;
  const b = binding as Record<string, unknown>;
  // A service binding is a Fetcher; no other kind of binding (Durable Object namespace, KV, R2, …) has fetch. (An RPC
  // stub answers every other property name, so `in` and typeof tell nothing about it.)
  return typeof b.fetch === "function" ? (binding as Deliverer) : null;
}

/** null when the Worker bound as `service` accepted `batch`, else why not (one sentence). */
export async function callWorker(env: Env, service: string, batch: PushBatch, timeoutMs: number = limits.pushTargetTimeoutMs): Promise<string | null> {
  const binding = serviceBinding(env, service);
  if (binding === null) return `Runnel's Worker has no service binding named ${service}`;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), timeoutMs);
  });
  try {
    const answer = await Promise.race([binding.deliver(batch).then(() => "done" as const), late]);
    return answer === "late" ? `${service}.deliver() did not answer within ${timeoutMs} ms` : null;
  } catch (e) {
    return `${service}.deliver() failed: ${e instanceof Error ? e.message : String(e)}`;
  } finally {
    clearTimeout(timer);
  }
}

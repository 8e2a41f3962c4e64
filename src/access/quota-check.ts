/**
 * Enforcing a principal's quotas on a request before it is served: one
 * request unit (request_rate), the request's bytes for produce
 * (producer_byte_rate), and, for reads, whether the consumer byte window
 * has room (consumer_byte_rate; the bytes are charged once served). Over
 * quota → 429 / 42901 with Retry-After, and nothing of the request runs.
 * Principals without a quota pay nothing here.
 */
import type { Context } from "hono";
import { readBounded } from "../bytes/read-bounded";
import type { Env } from "../env";
import { ErrorCode, RunnelError, unwrap } from "../errors";
import { limits } from "../limits";
import type { AccessRule } from "../router/access-rules";
import type { AccessState } from "./access-cache";
import type { QuotaKind } from "./principal-quota";
import { callQuota } from "../rpc/objects";

type C = Context<{ Bindings: Env }>;

/** Throws 42901 when the request is over one of the principal's quotas; counts it otherwise. */
export async function enforceQuotas(c: C, state: AccessState, principal: string, rule: AccessRule): Promise<void> {
  const quota = state.quotas.get(principal);
  if (quota === undefined) return;
  if (quota.request_rate !== null) await reserve(c, principal, "requests", 1, quota.request_rate);
  if (rule.quota === "produce" && quota.producer_byte_rate !== null) {
    await reserve(c, principal, "producer_bytes", await requestBytes(c), quota.producer_byte_rate);
  }
  if (rule.quota === "consume" && quota.consumer_byte_rate !== null) {
    await reserve(c, principal, "consumer_bytes", 0, quota.consumer_byte_rate);
  }
}

/** Charges the bytes of a read's response to the principal's consumer byte quota. */
export async function chargeConsumed(c: C, state: AccessState, principal: string): Promise<void> {
  const quota = state.quotas.get(principal);
  if (quota === undefined || quota.consumer_byte_rate === null || c.res.status !== 200) return;
  // A live tail (SSE) never ends: it charges each event as it writes it (src/router/sse-routes.ts).
  if (c.res.headers.get("content-type")?.startsWith("text/event-stream")) return;
  const declared = c.res.headers.get("content-length");
  const bytes = declared !== null ? Number(declared) : (await c.res.clone().arrayBuffer()).byteLength;
  unwrap(await callQuota(c.env, principal).charge("consumer_bytes", bytes));
}

async function reserve(c: C, principal: string, kind: QuotaKind, units: number, ratePerS: number): Promise<void> {
  await reserveQuota(c.env, principal, kind, units, ratePerS);
}

/** Reserves `units` of `principal`'s `kind` window at `ratePerS`; 42901 (thrown) when that is over the quota. Also for callers without HTTP (src/service). */
export async function reserveQuota(env: Env, principal: string, kind: QuotaKind, units: number, ratePerS: number): Promise<void> {
  const answer = unwrap(await callQuota(env, principal).reserve(kind, units, ratePerS));
  if (!answer.granted) throw new RunnelError(ErrorCode.QUOTA_EXCEEDED, `${principal} is ${answer.message}; retry after ${answer.retryAfterS} s`, answer.retryAfterS);
}

/**
 * The size of the request body: its Content-Length, or (chunked) the body
 * read whole — within the produce limit — and put back for the route.
 */
async function requestBytes(c: C): Promise<number> {
  const declared = c.req.header("content-length");
  if (declared !== undefined && /^\d+$/.test(declared)) return Number(declared);
  if (c.req.raw.body === null) return 0;
  const bytes = await readBounded(c.req.raw.body, limits.produceRequestBytesMax);
  if (bytes === null) throw new RunnelError(ErrorCode.PAYLOAD_TOO_LARGE, `request body is over the ${limits.produceRequestBytesMax}-byte limit`);
  c.req.raw = new Request(c.req.raw, { body: bytes });
  return bytes.length;
}

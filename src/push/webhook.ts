/**
 * One delivery to a webhook (API.md): `POST url` with the batch as JSON,
 * the target's own headers and `Runnel-Signature`. Accepted on any 2xx
 * within `limits.pushTargetTimeoutMs` (redirects included). A redirect is
 * followed, with the same POST, only to the same origin (scheme, host and
 * port), at most `limits.pushWebhookRedirectsMax` times; one to another
 * host is a failure, never followed. Only the first
 * `limits.pushWebhookResponseBytesMax` bytes of an answer are read, for
 * the error a failure reports; the rest is dropped.
 */
import { readBounded } from "../bytes/read-bounded";
import { limits } from "../limits";
import { signatureHeader } from "./signature";
import type { WebhookTarget } from "./types";

/** null when the webhook accepted `body`, else why not (one sentence). */
export async function postWebhook(target: WebhookTarget, secret: string, body: string, timeoutMs: number = limits.pushTargetTimeoutMs): Promise<string | null> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    let url = new URL(target.url);
    for (let redirects = 0; ; redirects++) {
      const headers = { ...target.headers, "content-type": "application/json", "runnel-signature": await signatureHeader(secret, body, Date.now()) };
      const res = await fetch(url, { method: "POST", headers, body, redirect: "manual", signal: abort.signal });
      if (res.status >= 200 && res.status < 300) {
        await res.body?.cancel();
        return null;
      }
      const next = redirectOf(res, url);
      if (next === null) return `the webhook answered ${res.status}${await excerpt(res)}`;
      await res.body?.cancel();
      if (next.origin !== url.origin) return `the webhook answered ${res.status} redirecting to another host (${next.origin}), which is not followed`;
      if (redirects >= limits.pushWebhookRedirectsMax) return `the webhook redirected more than ${limits.pushWebhookRedirectsMax} times`;
      url = next;
    }
  } catch (e) {
    if (abort.signal.aborted) return `the webhook did not answer within ${timeoutMs} ms`;
    return `the webhook could not be reached: ${e instanceof Error ? e.message : String(e)}`;
  } finally {
    clearTimeout(timer);
  }
}

/** Where a redirect answer points (resolved against `from`), or null when `res` is none. */
function redirectOf(res: Response, from: URL): URL | null {
  if (![301, 302, 303, 307, 308].includes(res.status)) return null;
  const location = res.headers.get("location");
  if (location === null || !URL.canParse(location, from)) return null;
  return new URL(location, from);
}

/** `: {the start of the answer}` for an error message, or "" for an empty one. */
async function excerpt(res: Response): Promise<string> {
  if (res.body === null) return "";
  try {
    const bytes = await readBounded(res.body.pipeThrough(firstBytes(limits.pushWebhookResponseBytesMax)), limits.pushWebhookResponseBytesMax, 0);
    const text = bytes === null ? "" : new TextDecoder().decode(bytes).trim();
    return text === "" ? "" : `: ${text}`;
  } catch {
    return "";
  }
}

/** A stream that passes on the first `n` bytes, then ends (cancelling the rest). */
function firstBytes(n: number): TransformStream<Uint8Array, Uint8Array> {
  let left = n;
  return new TransformStream({
    transform(chunk, controller) {
      if (left <= 0) return controller.terminate();
      const part = chunk.length > left ? chunk.subarray(0, left) : chunk;
      left -= part.length;
      controller.enqueue(part);
      if (left <= 0) controller.terminate();
    },
  });
}

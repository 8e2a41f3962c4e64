/**
 * Opening a consumer's subscription socket: `GET /ws/v1/consumer/{group}`
 * with its query, the `runnel.v1` subprotocol and the key as
 * `runnel.auth.{base64url(key)}` (never in the URL). When the upgrade is
 * refused and the WebSocket cannot say why, an HTTP GET of the same URL
 * does: an authentication, ACL or cluster error comes back as it is.
 */
import { RunnelError } from "./errors";
import { seg, type Http } from "./http";
import { openSocket, type SocketLike, type SocketOptions } from "./ws-open";

/** Internal error code: an upgrade refused by a server that answers HTTP on the same URL (so not a network failure). */
export const REFUSED = -1;

export interface SubscriptionParams {
  group: string;
  topics: string[];
  autoOffsetReset?: "earliest" | "latest";
  sessionTimeoutMs?: number;
  /** Permits granted in the URL. */
  window: number;
  wireFormat: "binary" | "string";
}

/** Opens the subscription socket; rejects with the best `RunnelError` it can find. */
export async function openSubscription(http: Http, socketOptions: SocketOptions, p: SubscriptionParams): Promise<SocketLike> {
  const query = new URLSearchParams({ topics: p.topics.join(","), auto_offset_reset: p.autoOffsetReset ?? "latest", permits: String(p.window), format: p.wireFormat });
  if (p.sessionTimeoutMs !== undefined) query.set("session_timeout_ms", String(p.sessionTimeoutMs));
  const url = `${http.base}/ws/v1/consumer/${seg(p.group)}?${query}`;
  const protocols = ["runnel.v1", ...(http.key === undefined ? [] : [`runnel.auth.${base64url(http.key)}`])];
  try {
    return await openSocket(url, protocols, socketOptions);
  } catch (e) {
    if (e instanceof RunnelError && e.errorCode !== 0) throw e;
    // 426 (an upgrade is needed) means the request itself was fine.
    const why = await http.raw({ path: url.slice(http.base.length) }).then(
      () => null,
      (e2: RunnelError) => (e2.status === 426 ? new RunnelError(REFUSED, (e as Error).message) : e2),
    );
    throw why ?? e;
  }
}

/** base64url of an ASCII string (an API key), without padding. */
function base64url(text: string): string {
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

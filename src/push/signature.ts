/**
 * The `Runnel-Signature` header of a webhook request (API.md):
 * `t={epoch seconds},v1={hex HMAC-SHA256(secret, t + "." + body)}`, the key
 * being the secret's UTF-8 bytes and `t` the time of each attempt. A
 * receiver recomputes it over the raw body and compares in constant time,
 * and refuses a `t` too far from its own clock (replays).
 */
const utf8 = new TextEncoder();

/** The header's value for `body` sent at `nowMs` (epoch ms) with `secret`. */
export async function signatureHeader(secret: string, body: string, nowMs: number): Promise<string> {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},v1=${await hmacHex(secret, `${t}.${body}`)}`;
}

/** Hex HMAC-SHA256 of `text` under the UTF-8 bytes of `secret` (crypto.subtle). */
export async function hmacHex(secret: string, text: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", utf8.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, utf8.encode(text)));
  let hex = "";
  for (const b of mac) hex += b.toString(16).padStart(2, "0");
  return hex;
}

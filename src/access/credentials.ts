/**
 * Reading an API key from a request. A key is `{key_id}.{secret}`, sent as
 * `Authorization: Bearer {key_id}.{secret}` or HTTP Basic
 * (`key_id:secret`, as REST proxies do). WebSocket clients may instead
 * offer the subprotocol `runnel.auth.{base64url(key_id.secret)}`, or
 * (browsers, which cannot set headers) `?access_token={key_id}.{secret}`.
 */
import { ErrorCode, RunnelError } from "../errors";
import { limits } from "../limits";

export interface Credentials {
  keyId: string;
  secret: string;
}

/** The subprotocol prefix that carries a key on a WebSocket upgrade. */
export const AUTH_SUBPROTOCOL_PREFIX = "runnel.auth.";

const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;
const SECRET = /^[\x21-\x7e]{1,512}$/;

/**
 * The key a request carries, or null when it carries none. A malformed
 * one is a 401 (never silently treated as none).
 */
export function credentialsOf(request: Request, url: URL): Credentials | null {
  const header = request.headers.get("authorization");
  if (header !== null) return fromAuthorization(header);
  const protocols = (request.headers.get("sec-websocket-protocol") ?? "").split(",").map((p) => p.trim());
  const offered = protocols.find((p) => p.startsWith(AUTH_SUBPROTOCOL_PREFIX));
  if (offered !== undefined) return fromToken(decodeBase64Url(offered.slice(AUTH_SUBPROTOCOL_PREFIX.length)));
  const token = url.searchParams.get("access_token");
  if (token !== null) return fromToken(token);
  return null;
}

function fromAuthorization(header: string): Credentials {
  if (header.length > limits.authorizationHeaderLengthMax) throw malformed("the Authorization header is too long");
  const space = header.indexOf(" ");
  const scheme = space < 0 ? header : header.slice(0, space);
  const value = space < 0 ? "" : header.slice(space + 1).trim();
  if (scheme.toLowerCase() === "bearer") return fromToken(value);
  if (scheme.toLowerCase() === "basic") {
    let decoded: string;
    try {
      decoded = atob(value);
    } catch {
      throw malformed("HTTP Basic credentials are not base64");
    }
    const colon = decoded.indexOf(":");
    if (colon < 0) throw malformed("HTTP Basic credentials need key_id:secret");
    return checked(decoded.slice(0, colon), decoded.slice(colon + 1));
  }
  throw malformed(`authentication scheme '${scheme}' is not supported; use Bearer or Basic`);
}

/** `{key_id}.{secret}` (key ids have no dots; secrets may). */
function fromToken(token: string | null): Credentials {
  if (token === null) throw malformed("the WebSocket auth subprotocol is not base64url");
  const dot = token.indexOf(".");
  if (dot < 0) throw malformed("a key is {key_id}.{secret}");
  return checked(token.slice(0, dot), token.slice(dot + 1));
}

function checked(keyId: string, secret: string): Credentials {
  if (!KEY_ID.test(keyId) || !SECRET.test(secret)) throw malformed("a key is {key_id}.{secret}: an id of letters, digits, '_' or '-' and a printable secret");
  return { keyId, secret };
}

function decodeBase64Url(text: string): string | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length > limits.authorizationHeaderLengthMax) return null;
  try {
    return atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4));
  } catch {
    return null;
  }
}

function malformed(message: string): RunnelError {
  return new RunnelError(ErrorCode.UNAUTHENTICATED, message);
}

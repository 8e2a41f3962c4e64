/**
 * One connection's SASL state, when the front door requires SASL/PLAIN
 * (the Worker has authentication on): Runnel keys as user name (`key_id`)
 * and password (`secret`). The credentials are checked by calling the
 * Worker with them as a bearer token, and then carried by every call made
 * for this connection, so a Kafka client gets exactly the ACLs its key has
 * over HTTP. Until then, as Kafka's brokers rule when SASL is required,
 * the connection may send only ApiVersions, SaslHandshake and then
 * SaslAuthenticate (or, after a SaslHandshake v0, one raw PLAIN token
 * without a Kafka header). With SASL off every call carries the front
 * door's own key (if any) and SASL requests are refused.
 */
import type { RunnelApi } from "../backend/runnel-api";
import { BackendError } from "../backend/runnel-api";
import { gatewayLimits } from "../limits";

export type SaslMode = "required" | "off";

/** The one mechanism served. */
export const PLAIN = "PLAIN";

const API_VERSIONS = 18;
const SASL_HANDSHAKE = 17;
const SASL_AUTHENTICATE = 36;
/** What a user name and a password may hold: printable ASCII without spaces, as Runnel key ids and secrets. */
const PRINTABLE = /^[\x21-\x7e]+$/;

type State = "start" | "handshaken" | "authenticated";

export class SaslSession {
  private state: State;
  /** Released when the last request that took a turn is done with it (see `turn`). */
  private queue: Promise<void> = Promise.resolve();
  private current: RunnelApi;

  constructor(
    readonly mode: SaslMode,
    /** The API without a client's credentials (the front door's own key with SASL off). */
    base: RunnelApi,
  ) {
    this.state = mode === "off" ? "authenticated" : "start";
    this.current = base;
  }

  /** The API to call the Worker with for this connection: with the client's credentials once authenticated. */
  get api(): RunnelApi {
    return this.current;
  }

  get authenticated(): boolean {
    return this.state === "authenticated";
  }

  /**
   * Waits until every earlier request that took a turn has released it,
   * then returns this request's release. Before authentication each
   * request takes one, so requests pipelined behind the SASL exchange are
   * judged on its outcome, in order.
   */
  async turn(): Promise<() => void> {
    const previous = this.queue;
    let release!: () => void;
    this.queue = new Promise<void>((resolve) => (release = resolve));
    await previous;
    return release;
  }

  /**
   * Why request `apiKey` may not be served in this state (Kafka's
   * ILLEGAL_SASL_STATE), or null when it may.
   */
  refusal(apiKey: number): string | null {
    if (apiKey === API_VERSIONS) return null;
    if (apiKey === SASL_HANDSHAKE) {
      if (this.mode === "off") return "SASL is not enabled on this front door";
      return this.state === "start" ? null : "SaslHandshake was already sent on this connection";
    }
    if (apiKey === SASL_AUTHENTICATE) {
      if (this.mode === "off") return "SASL is not enabled on this front door";
      return this.state === "handshaken" ? null : this.state === "start" ? "SaslAuthenticate before SaslHandshake" : "this connection is already authenticated";
    }
    return this.state === "authenticated" ? null : "authenticate first (SASL/PLAIN is required): only ApiVersions and SaslHandshake may come before";
  }

  /** A SaslHandshake naming `mechanism` was accepted (PLAIN): SaslAuthenticate (or a raw token) comes next. */
  handshaken(): void {
    this.state = "handshaken";
  }

  /**
   * Checks a SASL/PLAIN token (`[authzid] NUL authcid NUL passwd`) with the
   * Worker. Resolves with null once authenticated, or with why not (a bad
   * token, credentials the Worker refuses, or a Worker that did not answer).
   */
  async authenticate(token: Uint8Array): Promise<string | null> {
    if (this.state !== "handshaken") return "a SaslHandshake naming PLAIN must come first";
    const key = keyOfPlainToken(token);
    if (typeof key !== "string") return key.problem;
    const api = this.current.withKey(key);
    try {
      await api.checkCredentials();
    } catch (e) {
      if (!(e instanceof BackendError)) throw e;
      return e.errorCode === 40101 ? "invalid user name or password" : `the credentials could not be checked: ${e.message}`;
    }
    this.current = api;
    this.state = "authenticated";
    return null;
  }
}

/** The Runnel key (`{key_id}.{secret}`) in a SASL/PLAIN token, or what is wrong with the token. */
export function keyOfPlainToken(token: Uint8Array): string | { problem: string } {
  if (token.length > gatewayLimits.saslTokenBytesMax) return { problem: `the SASL/PLAIN token is over ${gatewayLimits.saslTokenBytesMax} bytes` };
  const parts = Buffer.from(token.buffer, token.byteOffset, token.byteLength).toString("utf8").split("\0");
  if (parts.length !== 3) return { problem: "a SASL/PLAIN token is [authzid] NUL user name NUL password" };
  const [authzid, user, password] = parts as [string, string, string];
  if (authzid !== "" && authzid !== user) return { problem: "acting as another user (an authorization id other than the user name) is not supported" };
  if (!PRINTABLE.test(user) || !PRINTABLE.test(password)) return { problem: "invalid user name or password" };
  return `${user}.${password}`;
}

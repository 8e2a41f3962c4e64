/**
 * SaslAuthenticate (key 36), v0–1: the SASL/PLAIN token after a
 * SaslHandshake v1. The front door checks the credentials with the Worker
 * (sasl-session.ts); refused ones are answered SASL_AUTHENTICATION_FAILED
 * with the reason, and the connection closes, as Kafka's brokers do.
 * Sessions do not expire (session_lifetime_ms 0: no re-authentication).
 */
import type { Reader } from "../codec/reader";
import type { Writer } from "../codec/writer";
import { KafkaCode } from "../errors";
import type { KafkaApi } from "./api";

export interface SaslAuthenticateRequest {
  authBytes: Uint8Array;
}

export interface SaslAuthenticateResponse {
  errorCode: number;
  errorMessage: string | null;
  sessionLifetimeMs: number;
}

const NOTHING = new Uint8Array(0);

export const saslAuthenticate: KafkaApi<SaslAuthenticateRequest, SaslAuthenticateResponse> = {
  key: 36,
  name: "SaslAuthenticate",
  minVersion: 0,
  maxVersion: 1,

  decode(r: Reader): SaslAuthenticateRequest {
    return { authBytes: r.nullableBytes() ?? NOTHING };
  },

  async handle(req, _version, ctx) {
    const problem = await ctx.session.authenticate(req.authBytes);
    if (problem === null) return { errorCode: KafkaCode.NONE, errorMessage: null, sessionLifetimeMs: 0 };
    ctx.closeAfterReply(`SASL/PLAIN authentication failed: ${problem}`);
    return { errorCode: KafkaCode.SASL_AUTHENTICATION_FAILED, errorMessage: `Authentication failed: ${problem}`, sessionLifetimeMs: 0 };
  },

  encode(w: Writer, res: SaslAuthenticateResponse, version: number): void {
    w.int16(res.errorCode).string(res.errorMessage).bytes(NOTHING);
    if (version >= 1) w.int64(res.sessionLifetimeMs);
  },

  failed(_req, code) {
    return { errorCode: code, errorMessage: null, sessionLifetimeMs: 0 };
  },
};

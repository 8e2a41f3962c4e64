/**
 * SaslAuthenticate (key 36), v0–2: the SASL/PLAIN token after a
 * SaslHandshake v1. The front door checks the credentials with the Worker
 * (sasl-session.ts); refused ones are answered SASL_AUTHENTICATION_FAILED
 * with the reason, and the connection closes, as Kafka's brokers do.
 * Sessions do not expire (session_lifetime_ms 0: no re-authentication).
 */
import { KafkaCode } from "../errors";
import { apis } from "../codec/generated";
import { serve } from "./api";

export const saslAuthenticate = serve(apis.SaslAuthenticate, {
  async handle(req, _version, ctx) {
    const problem = await ctx.session.authenticate(req.authBytes);
    if (problem === null) return { errorCode: KafkaCode.NONE, errorMessage: null, sessionLifetimeMs: 0 };
    ctx.closeAfterReply(`SASL/PLAIN authentication failed: ${problem}`);
    return { errorCode: KafkaCode.SASL_AUTHENTICATION_FAILED, errorMessage: `Authentication failed: ${problem}`, sessionLifetimeMs: 0 };
  },

  failed(_req, code) {
    return { errorCode: code, errorMessage: null, sessionLifetimeMs: 0 };
  },
});

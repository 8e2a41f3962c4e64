/**
 * SaslHandshake (key 17), v0–1: the client names its mechanism; PLAIN is
 * the one served. After v1 the credentials come in SaslAuthenticate; after
 * v0, as one raw PLAIN token without a Kafka header (the connection reads
 * it so). Another mechanism is answered UNSUPPORTED_SASL_MECHANISM with
 * the list, and the connection closes, as Kafka's brokers do. Only served
 * when SASL is required, once per connection (the dispatcher refuses it
 * otherwise with ILLEGAL_SASL_STATE).
 */
import { KafkaCode } from "../errors";
import { apis } from "../codec/generated";
import { PLAIN } from "../server/sasl-session";
import { serve } from "./api";

export const saslHandshake = serve(apis.SaslHandshake, {
  async handle(req, _version, ctx) {
    if (req.mechanism !== PLAIN) {
      ctx.closeAfterReply(`SASL mechanism '${req.mechanism}' is not served (${PLAIN} is)`);
      return { errorCode: KafkaCode.UNSUPPORTED_SASL_MECHANISM, mechanisms: [PLAIN] };
    }
    ctx.session.handshaken();
    return { errorCode: KafkaCode.NONE, mechanisms: [PLAIN] };
  },

  failed(_req, code) {
    return { errorCode: code, mechanisms: [PLAIN] };
  },
});

/**
 * SaslHandshake (key 17), v0–1: the client names its mechanism; PLAIN is
 * the one served. After v1 the credentials come in SaslAuthenticate; after
 * v0, as one raw PLAIN token without a Kafka header (the connection reads
 * it so). Another mechanism is answered UNSUPPORTED_SASL_MECHANISM with
 * the list, and the connection closes, as Kafka's brokers do. Only served
 * when SASL is required, once per connection (the dispatcher refuses it
 * otherwise with ILLEGAL_SASL_STATE).
 */
import type { Reader } from "../codec/reader";
import type { Writer } from "../codec/writer";
import { KafkaCode } from "../errors";
import { PLAIN } from "../server/sasl-session";
import type { KafkaApi } from "./api";

export interface SaslHandshakeRequest {
  mechanism: string;
}

export interface SaslHandshakeResponse {
  errorCode: number;
  mechanisms: string[];
}

export const saslHandshake: KafkaApi<SaslHandshakeRequest, SaslHandshakeResponse> = {
  key: 17,
  name: "SaslHandshake",
  minVersion: 0,
  maxVersion: 1,

  decode(r: Reader): SaslHandshakeRequest {
    return { mechanism: r.string() };
  },

  async handle(req, _version, ctx) {
    if (req.mechanism !== PLAIN) {
      ctx.closeAfterReply(`SASL mechanism '${req.mechanism}' is not served (${PLAIN} is)`);
      return { errorCode: KafkaCode.UNSUPPORTED_SASL_MECHANISM, mechanisms: [PLAIN] };
    }
    ctx.session.handshaken();
    return { errorCode: KafkaCode.NONE, mechanisms: [PLAIN] };
  },

  encode(w: Writer, res: SaslHandshakeResponse): void {
    w.int16(res.errorCode).array(res.mechanisms, (w, m) => w.string(m));
  },

  failed(_req, code) {
    return { errorCode: code, mechanisms: [PLAIN] };
  },
};

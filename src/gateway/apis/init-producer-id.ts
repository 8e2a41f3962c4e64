/**
 * InitProducerId (key 22), v0–1 (identical layouts; v2 is flexible):
 * `POST /v3/clusters/{c}/producer-ids` for a fresh producer id, epoch 0 —
 * what an idempotent producer asks for before its first Produce. v0 is in
 * the range because librdkafka before 2.11 turns idempotence on only when
 * the range holds v0. A transactional id is refused (transactions are not
 * served) with TRANSACTIONAL_ID_AUTHORIZATION_FAILED, which clients treat
 * as final rather than retrying.
 */
import type { Reader } from "../codec/reader";
import type { Writer } from "../codec/writer";
import { KafkaCode } from "../errors";
import type { KafkaApi } from "./api";

export interface InitProducerIdRequest {
  transactionalId: string | null;
  transactionTimeoutMs: number;
}

export interface InitProducerIdResponse {
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}

export const initProducerId: KafkaApi<InitProducerIdRequest, InitProducerIdResponse> = {
  key: 22,
  name: "InitProducerId",
  minVersion: 0,
  maxVersion: 1,

  decode(r: Reader): InitProducerIdRequest {
    return { transactionalId: r.nullableString(), transactionTimeoutMs: r.int32() };
  },

  async handle(req, _version, ctx) {
    if (req.transactionalId !== null) return refused(KafkaCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    const { producerId, producerEpoch } = await ctx.api.initProducerId();
    return { errorCode: KafkaCode.NONE, producerId, producerEpoch };
  },

  encode(w: Writer, res: InitProducerIdResponse): void {
    w.int32(0).int16(res.errorCode).int64(res.producerId).int16(res.producerEpoch); // throttle_time_ms first
  },

  failed(_req, code) {
    return refused(code);
  },
};

function refused(errorCode: number): InitProducerIdResponse {
  return { errorCode, producerId: -1, producerEpoch: -1 };
}

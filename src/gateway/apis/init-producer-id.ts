/**
 * InitProducerId (key 22), every version Kafka defines (v0–5):
 * `POST /v3/clusters/{c}/producer-ids` for a fresh producer id, epoch 0 —
 * what an idempotent producer asks for before its first Produce. A client
 * that names its current producer id and epoch (v3+, KIP-360: it wants a
 * new epoch) gets a fresh producer id instead, which clients accept. A
 * transactional id is refused (transactions are not served) with
 * TRANSACTIONAL_ID_AUTHORIZATION_FAILED, which clients treat as final
 * rather than retrying.
 */
import { KafkaCode } from "../errors";
import { apis } from "../codec/generated";
import { serve } from "./api";

export const initProducerId = serve(apis.InitProducerId, {
  async handle(req, _version, ctx) {
    if (req.transactionalId !== null) return { errorCode: KafkaCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, producerId: -1, producerEpoch: -1 };
    const { producerId, producerEpoch } = await ctx.api.initProducerId();
    return { errorCode: KafkaCode.NONE, producerId, producerEpoch };
  },

  failed(_req, code) {
    return { errorCode: code, producerId: -1, producerEpoch: -1 };
  },
});

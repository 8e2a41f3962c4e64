/**
 * Producer ids (ext): `POST /v3/clusters/{c}/producer-ids` hands out a
 * fresh id with epoch 0 — Kafka's InitProducerId without a transactional
 * id — for record batches of an idempotent producer. The controller's
 * counter never hands out an id twice, restarts included. Any body is
 * ignored. Access: a valid key (see access-rules.ts).
 */
import { Hono } from "hono";
import type { Env } from "../env";
import { unwrap } from "../errors";
import { callController } from "../rpc/objects";

export const producerIdRoutes = new Hono<{ Bindings: Env }>();

producerIdRoutes.post("/v3/clusters/:c/producer-ids", async (c) => {
  const { producerId, producerEpoch } = unwrap(await callController(c.env).initProducerId());
  return c.json({ producer_id: producerId, producer_epoch: producerEpoch });
});

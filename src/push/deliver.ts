/** Pushing one batch to a subscription's target: a webhook (webhook.ts) or a bound Worker (worker-target.ts). */
import type { Env } from "../env";
import type { Batch } from "./read-batch";
import type { Stored } from "./store";
import type { PushBatch } from "./types";
import { postWebhook } from "./webhook";
import { callWorker } from "./worker-target";

/** null when the target accepted `batch` of `topic`'s `partition`, else why not (one sentence). */
export async function deliverBatch(env: Env, s: Stored, topic: string, partition: number, batch: Batch): Promise<string | null> {
  const c = s.config;
  if (c.target.type === "webhook") {
    // The records are JSON text already: the body is written around them, not parsed and written again.
    const body = `{"subscription":${JSON.stringify(c.name)},"topic":${JSON.stringify(topic)},"partition":${partition},"records":[${batch.json}]}`;
    return postWebhook(c.target, s.secret ?? "", body);
  }
  const records = JSON.parse(`[${batch.json}]`) as PushBatch["records"];
  return callWorker(env, c.target.service, { subscription: c.name, topic, partition, records });
}

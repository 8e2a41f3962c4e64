/**
 * An example consumer Worker for Runnel's push subscriptions (see
 * docs/subscriptions.md). Runnel calls `deliver(batch)` with each batch of
 * a subscription whose target is `{"type":"worker","service":…}`: one
 * partition's records in offset order. Resolving accepts the batch (Runnel
 * commits the subscription's offset past it); throwing refuses it (Runnel
 * retries it with backoff, then dead-letters it or stalls the partition).
 * Delivery is at least once: a batch may come again after a restart.
 *
 * It also calls Runnel back through a service binding (RUNNEL, to
 * Runnel's RunnelService entrypoint), without HTTP or keys: with
 * FORWARD_TO set, every record it is given is produced again to that
 * topic, as the principal its binding names.
 */
import { WorkerEntrypoint } from "cloudflare:workers";

/** One batch as Runnel pushes it (the body of a webhook request, the same object). */
export interface PushBatch {
  subscription: string;
  topic: string;
  partition: number;
  records: { offset: number; timestamp: number; key: unknown; value: unknown; headers: { name: string; value: string | null }[] }[];
}

/** What RunnelService answers: `{ok: true, …}`, or a failure as the HTTP API's error bodies. */
type Answer<T> = ({ ok: true } & T) | { ok: false; error_code: number; error_name?: string; message: string };

/** The part of Runnel's RunnelService this Worker uses. */
interface Runnel {
  produce(topic: string, records: { key?: unknown; value?: unknown; headers?: Record<string, string> }[], options?: { acks?: 0 | 1 | "all" }): Promise<Answer<{ records: unknown[] }>>;
}

interface Env {
  /** A service binding to Runnel's RunnelService (wrangler.toml). */
  RUNNEL?: Runnel;
  /** A topic to produce every delivered record to again (optional). */
  FORWARD_TO?: string;
  /** "false": do not log each record (default: log it). */
  LOG_RECORDS?: string;
}

/** The last batches delivered to this isolate, newest last (for `recent()`). */
const recentBatches: PushBatch[] = [];
const RECENT_MAX = 100;

export default class ConsumerWorker extends WorkerEntrypoint<Env> {
  /** Runnel's call: one batch of one partition. */
  async deliver(batch: PushBatch): Promise<void> {
    for (const r of this.env.LOG_RECORDS === "false" ? [] : batch.records) {
      console.log(`[consumer-worker] ${batch.subscription}: ${batch.topic}/${batch.partition} offset ${r.offset} key=${JSON.stringify(r.key)} value=${JSON.stringify(r.value)}`);
    }
    if (this.env.FORWARD_TO !== undefined && this.env.RUNNEL !== undefined) {
      const records = batch.records.map((r) => ({ key: r.key, value: r.value, headers: { "forwarded-from": `${batch.topic}/${batch.partition}/${r.offset}` } }));
      const answer = await this.env.RUNNEL.produce(this.env.FORWARD_TO, records);
      if (!answer.ok) throw new Error(`forwarding to ${this.env.FORWARD_TO} failed: ${answer.message}`); // Runnel will retry the batch
    }
    recentBatches.push(batch);
    if (recentBatches.length > RECENT_MAX) recentBatches.shift();
  }

  /** The batches this isolate was given lately, oldest first. */
  async recent(): Promise<PushBatch[]> {
    return recentBatches;
  }

  /** GET: the same, as JSON. */
  override async fetch(): Promise<Response> {
    return Response.json(recentBatches);
  }
}

/**
 * One push subscription (named by its name), a Durable Object: its
 * settings, each partition's retry state and its counters, and the
 * deliveries themselves (deliveries.ts, partition-delivery.ts). Its
 * positions are the committed offsets of the consumer group of its name.
 * The controller lists the subscriptions (for GET …/subscriptions,
 * /metrics and the alert rules); this object is the one place each one's
 * state lives. Every public method is RPC, guarded by RunnelObject, and
 * answers `{ok: true, …} | Failure`.
 */
import { newSecret } from "../access/secrets";
import type { Env } from "../env";
import { ErrorCode, failure, isFailure, type Failure } from "../errors";
import { topicOf } from "../group/lookups";
import type { Ok } from "../group/types";
import { callController } from "../rpc/objects";
import { RunnelObject } from "../rpc/runnel-object";
import { applySchema } from "../rpc/schema-steps";
import { Deliveries } from "./deliveries";
import { commitStarts } from "./group-offsets";
import { SUBSCRIPTION_SCHEMA } from "./schema";
import { type Stored, SubscriptionStore } from "./store";
import { stateOf, subscriptionView } from "./subscription-view";
import type { PushMetricsOk, SubscriptionConfig, SubscriptionView } from "./types";

/** A subscription as answered: its view. */
export type ViewOk = { ok: true; view: SubscriptionView };

export class PushSubscription extends RunnelObject {
  readonly #store: SubscriptionStore;
  readonly #deliveries: Deliveries;
  #creating = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, SUBSCRIPTION_SCHEMA);
    this.#store = new SubscriptionStore(this.sql);
    this.#deliveries = new Deliveries(env, this.#store, this.alarms);
  }

  /** What a bug report says about this subscription. */
  logContext(): Record<string, unknown> {
    const s = this.#store.get();
    return { object: "PushSubscription", subscription: s?.config.name ?? null, paused: s?.paused ?? null };
  }

  /**
   * Makes the subscription, reading as `principal` (the route checked its
   * ACLs, the topics and the target). Each partition of its topics without
   * a committed offset in its group gets one now, as `start` says, so
   * "latest" means the moment it was made. A taken name is 40902; a group
   * of that name with members, 40903. For a webhook, answers the signing
   * secret (shown this once).
   */
  async create(config: SubscriptionConfig, principal: string): Promise<(ViewOk & { secret: string | null }) | Failure> {
    if (this.#store.get() !== null || this.#creating) return failure(ErrorCode.CONSUMER_ALREADY_EXISTS, `subscription '${config.name}' already exists`);
    this.#creating = true;
    try {
      for (const topic of config.topics) {
        const meta = await topicOf(this.env, topic);
        if (isFailure(meta)) return meta;
        const started = await commitStarts(this.env, config.name, meta, config.start);
        if (!started.ok) return started.error_name === "UNKNOWN_MEMBER_ID" ? groupInUse(config.name) : started;
      }
      const listed = await callController(this.env).registerSubscription(config.name);
      if (!listed.ok) return listed;
      const stored: Stored = { config, principal, secret: config.target.type === "webhook" ? newSecret() : null, paused: false, createdAtMs: Date.now() };
      this.#deliveries.stop();
      this.#store.create(stored);
      void this.#deliveries.startAll(stored, true);
      return { ok: true, view: await subscriptionView(this.env, stored, this.#store), secret: stored.secret };
    } finally {
      this.#creating = false;
    }
  }

  /** The subscription (40407 when there is none); `withPartitions` false: without its partitions (no call to its group). */
  async describe(name: string, withPartitions = true): Promise<ViewOk | Failure> {
    const s = this.#store.get();
    return s === null ? notFound(name) : { ok: true, view: await subscriptionView(this.env, s, this.#store, withPartitions) };
  }

  /** Deletes it: no longer listed, delivery stops (a batch out finishes without a commit), its state goes. Its group's offsets stay. */
  async remove(name: string): Promise<Ok | Failure> {
    if (this.#store.get() === null) return notFound(name);
    const unlisted = await callController(this.env).unregisterSubscription(name);
    if (!unlisted.ok) return unlisted;
    this.#deliveries.stop();
    await this.alarms.clear();
    await this.ctx.storage.deleteAll();
    applySchema(this.sql, SUBSCRIPTION_SCHEMA);
    this.#store.forget();
    return { ok: true };
  }

  /** Pauses delivery (a batch out finishes, and is committed). */
  async pause(name: string): Promise<ViewOk | Failure> {
    const s = this.#store.get();
    if (s === null) return notFound(name);
    this.#store.setPaused(true);
    return this.describe(name);
  }

  /** Resumes delivery: stalled partitions and pending retries start afresh from their committed offsets. */
  async resume(name: string): Promise<ViewOk | Failure> {
    const s = this.#store.get();
    if (s === null) return notFound(name);
    this.#store.setPaused(false);
    this.#store.clearStalls();
    await this.#deliveries.resume(this.#store.get()!);
    return this.describe(name);
  }

  /** A partition of its topics has records past where it waited (a replica's call): deliver them. */
  async arrived(topic: string, partition: number): Promise<Ok | Failure> {
    const s = this.#store.get();
    if (s === null) return notFound("");
    if (!s.paused) await this.#deliveries.arrived(s, topic, partition);
    return { ok: true };
  }

  /** State and counters for GET /metrics and the alert rules. */
  async metrics(): Promise<PushMetricsOk | Failure> {
    const s = this.#store.get();
    if (s === null) return notFound("");
    const stalled = this.#store.retries().filter((r) => r.stalled).length;
    return { ok: true, name: s.config.name, state: stateOf(s, this.#store), stalled, counters: this.#store.counters() };
  }

  /** Waits that are over (retries, partial batches, delays), and after a restart every partition. */
  protected override async onAlarm(): Promise<void> {
    await this.#deliveries.alarm(this.#store.get());
  }
}

/** 40407 for an unknown subscription. */
export function notFound(name: string): Failure {
  return failure(ErrorCode.SUBSCRIPTION_NOT_FOUND, name === "" ? "no such subscription" : `subscription '${name}' not found`);
}

function groupInUse(name: string): Failure {
  return failure(ErrorCode.ILLEGAL_STATE, `consumer group '${name}' has members: a subscription's group is read only by the subscription, so it must have none`, "NON_EMPTY_GROUP");
}

/**
 * Every partition delivery of one subscription object (partition-delivery.ts):
 * found from its topics' metadata, kicked when a partition tells of new
 * records or its wait on the alarm is over, stopped on delete. The object
 * has one alarm: it goes off at the soonest wait of any partition.
 */
import type { Env } from "../env";
import { isFailure } from "../errors";
import { topicOf } from "../group/lookups";
import type { AlarmClock } from "../rpc/alarm-clock";
import { type DeliveryHost, PartitionDelivery } from "./partition-delivery";
import type { Stored, SubscriptionStore } from "./store";

export class Deliveries {
  readonly #loops = new Map<string, PartitionDelivery>();
  /** The incarnation loops belong to: bumped on create and delete, so loops of an earlier one stop. */
  #epoch = 0;
  /** Whether this memory found its partitions yet (after a start, delivery begins from the alarm or a notification). */
  #found = false;
  readonly #host: DeliveryHost;

  constructor(env: Env, store: SubscriptionStore, private readonly alarms: AlarmClock) {
    const self = this;
    this.#host = {
      env,
      store,
      current(epoch) {
        return epoch === self.#epoch ? store.get() : null;
      },
      wakeAt(atMs) {
        void alarms.atOrBefore(atMs);
      },
    };
  }

  /** Ends every loop (delete): one in flight finishes its call and stops. */
  stop(): void {
    this.#epoch++;
    this.#loops.clear();
    this.#found = false;
  }

  /**
   * Finds the partitions of the subscription's topics (new ones too) and
   * kicks each new one (every one, with `kickAll`): at start, on resume,
   * and when the alarm finds a wait over (a topic that does not exist now
   * is looked for again then).
   */
  async startAll(s: Stored, kickAll: boolean): Promise<void> {
    this.#found = true;
    for (const topic of s.config.topics) {
      const meta = await topicOf(this.#host.env, topic);
      if (isFailure(meta)) continue;
      for (let p = 0; p < meta.partitionsCount; p++) {
        const known = this.#loops.has(`${topic}\u0000${p}`);
        if (kickAll || !known) this.#loop(topic, p).kick();
      }
    }
  }

  /** Resumed: every partition reads its position from the group again (an offset reset while paused takes effect), and runs. */
  async resume(s: Stored): Promise<void> {
    for (const loop of this.#loops.values()) loop.reposition();
    await this.startAll(s, true);
  }

  /** Records arrived in `topic`'s `partition`: deliver them (finding every partition first after a restart). */
  async arrived(s: Stored, topic: string, partition: number): Promise<void> {
    if (!this.#found) await this.startAll(s, true);
    if (s.config.topics.includes(topic)) this.#loop(topic, partition).kick();
  }

  /**
   * The alarm: after a restart every partition runs; else the loops whose
   * wait is over run (partitions new since are found then). Nothing is
   * called when nothing is due: the alarm kept set while a batch is out
   * goes off for nothing once delivery is done. Then the alarm is set for
   * the next wait.
   */
  async alarm(s: Stored | null): Promise<void> {
    if (s !== null && !s.paused) {
      const nowMs = Date.now();
      const due = [...this.#loops.values()].filter((l) => l.wakeAtMs !== null && l.wakeAtMs <= nowMs);
      if (!this.#found || due.length > 0) await this.startAll(s, !this.#found);
      for (const loop of due) loop.kick();
    }
    const next = Math.min(...[...this.#loops.values()].map((l) => l.wakeAtMs ?? Infinity));
    if (next !== Infinity) void this.alarms.atOrBefore(next);
  }

  /** The delivery of a partition (made on first use). */
  #loop(topic: string, partition: number): PartitionDelivery {
    const key = `${topic}\u0000${partition}`;
    let loop = this.#loops.get(key);
    if (loop === undefined) this.#loops.set(key, (loop = new PartitionDelivery(topic, partition, this.#epoch, this.#host)));
    return loop;
  }
}

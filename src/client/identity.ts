/**
 * The producer's identity for idempotence: a producer id and epoch from
 * `POST …/producer-ids` (Kafka's InitProducerId), asked for once and again
 * only when it must be renewed. A server that has no such route (older
 * than idempotent batches) gives null: the producer then sends plain
 * batches and retries only what provably appended nothing.
 */
import type { Identity } from "./batch";
import { RunnelError } from "./errors";
import type { Http } from "./http";

export class IdentityKeeper {
  private generation = 0;
  private current: Promise<Identity | null> | null = null;

  constructor(
    private readonly http: Http,
    private readonly clusterPath: () => Promise<string>,
    private readonly wanted: boolean,
  ) {}

  /** The identity to frame batches with now, and its generation (renewals count up). */
  async get(): Promise<{ identity: Identity | null; generation: number }> {
    const generation = this.generation;
    this.current ??= this.fetch();
    const pending = this.current;
    try {
      return { identity: await pending, generation };
    } catch (e) {
      if (this.current === pending) this.current = null; // ask again next time
      throw e;
    }
  }

  /** Drops `generation` (when it is still the current one): the next `get` asks for a new producer id. */
  renew(generation: number): void {
    if (generation !== this.generation) return;
    this.generation++;
    this.current = null;
  }

  private async fetch(): Promise<Identity | null> {
    if (!this.wanted) return null;
    try {
      const body = await this.http.json<{ producer_id: number; producer_epoch: number }>({ method: "POST", path: `${await this.clusterPath()}/producer-ids`, body: {} });
      return { producerId: body.producer_id, producerEpoch: body.producer_epoch };
    } catch (e) {
      // No such route: a server without idempotent batches.
      if (e instanceof RunnelError && e.errorCode === 404) return null;
      throw e;
    }
  }
}

/** How many partitions each topic has, asked of the server and kept for a while (a topic may grow). */
import { seg, type Http } from "./http";

export class TopicPartitions {
  private readonly cache = new Map<string, { count: Promise<number>; atMs: number }>();

  constructor(
    private readonly http: Http,
    private readonly clusterPath: () => Promise<string>,
    /** How long a count is trusted (default 30,000 ms). */
    private readonly maxAgeMs = 30_000,
  ) {}

  /** The partition count of `topic`; rejects with the server's error (40401 for an unknown topic). */
  count(topic: string): Promise<number> {
    const hit = this.cache.get(topic);
    if (hit !== undefined && Date.now() - hit.atMs < this.maxAgeMs) return hit.count;
    const count = this.fetch(topic);
    this.cache.set(topic, { count, atMs: Date.now() });
    count.catch(() => this.cache.delete(topic));
    return count;
  }

  private async fetch(topic: string): Promise<number> {
    const body = await this.http.json<{ partitions_count: number }>({ path: `${await this.clusterPath()}/topics/${seg(topic)}` });
    return body.partitions_count;
  }
}

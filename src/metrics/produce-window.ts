/**
 * Produce outcomes per topic over the last `limits.alertRateWindowMs`,
 * in memory, for the produce_error_rate alert: requests and failed
 * requests in buckets of a sixth of the window. Lost on a restart, after
 * which the rate covers only what came since (never a false alarm).
 */
import { limits } from "../limits";

const BUCKETS_PER_WINDOW = 6;

type Bucket = { total: number; failed: number };

export class ProduceWindow {
  /** By topic ("" for the whole cluster), then by bucket index (time / bucket length). */
  private readonly topics = new Map<string, Map<number, Bucket>>();
  private readonly bucketMs = limits.alertRateWindowMs / BUCKETS_PER_WINDOW;

  /** `n` produce requests to `topic` answered with `errorCode` (a 2xx code is a success) at `nowMs`. */
  add(topic: string, errorCode: string, n: number, nowMs: number): void {
    const failed = errorCode.startsWith("2") ? 0 : n;
    for (const key of topic === "" ? [""] : [topic, ""]) {
      let buckets = this.topics.get(key);
      if (buckets === undefined) this.topics.set(key, (buckets = new Map()));
      const index = Math.floor(nowMs / this.bucketMs);
      const b = buckets.get(index) ?? { total: 0, failed: 0 };
      b.total += n;
      b.failed += failed;
      buckets.set(index, b);
      for (const old of buckets.keys()) if (old <= index - BUCKETS_PER_WINDOW) buckets.delete(old);
    }
  }

  /** Failed ÷ all produce requests to `topic` (null: every topic) in the window ending at `nowMs`; 0 when there were none. */
  rate(topic: string | null, nowMs: number): number {
    const buckets = this.topics.get(topic ?? "");
    if (buckets === undefined) return 0;
    const first = Math.floor(nowMs / this.bucketMs) - BUCKETS_PER_WINDOW + 1;
    let total = 0;
    let failed = 0;
    for (const [index, b] of buckets) {
      if (index < first) continue;
      total += b.total;
      failed += b.failed;
    }
    return total === 0 ? 0 : failed / total;
  }
}

/**
 * Counters a Durable Object keeps in memory and writes to its own storage
 * as one JSON value: at most `limits.metricsFlushMs` after they move (a
 * timer, so the work that moves them never waits on a write), and always
 * before they are shown (`flushed`). So whatever a scrape saw is stored,
 * and an object that restarts never shows less. Counts that moved after
 * the last write are lost only if the object dies before the next one —
 * and then no scrape saw them either.
 */
import { limits } from "../limits";
import { logBug } from "../rpc/boundary";

export class CounterSet {
  private readonly values = new Map<string, number>();
  private dirty = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  /**
   * `stored`: the JSON last saved (undefined: none yet). `save` writes the
   * JSON; `where` names the object in a log line if a write fails.
   */
  constructor(
    stored: string | undefined,
    private readonly save: (json: string) => void,
    private readonly where: string,
  ) {
    if (stored === undefined) return;
    for (const [key, value] of Object.entries(JSON.parse(stored) as Record<string, number>)) {
      if (typeof value === "number" && Number.isFinite(value)) this.values.set(key, value);
    }
  }

  /** Adds `n` (0 or more) to counter `key`. */
  add(key: string, n: number): void {
    if (n <= 0 || this.stopped) return;
    this.values.set(key, (this.values.get(key) ?? 0) + n);
    this.dirty = true;
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.write();
    }, limits.metricsFlushMs);
  }

  /** Counter `key` (0 when it never moved). */
  get(key: string): number {
    return this.values.get(key) ?? 0;
  }

  /** Every counter, written to storage first if any moved since the last write. */
  flushed(): Record<string, number> {
    this.write();
    return Object.fromEntries(this.values);
  }

  /** This memory is over (a restart or a wipe replaced it): no more writes, so it never overwrites newer counts. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private write(): void {
    if (!this.dirty || this.stopped) return;
    try {
      this.save(JSON.stringify(Object.fromEntries(this.values)));
      this.dirty = false;
    } catch (e) {
      logBug(`${this.where}.counters`, e); // stays dirty: the next write tries again
    }
  }
}

/**
 * Calls parked until something moves — fetches at the high watermark,
 * acks=all appends waiting for the ISR — woken all at once by `wakeAll`
 * or each when its wait runs out. Bounded: past `capacity` a new waiter
 * is refused.
 */
export class Waiters {
  private readonly parked = new Set<() => void>();

  constructor(private readonly capacity: number) {}

  /** Waits up to `timeoutMs` for `wakeAll`. False when full (the caller answers at once). */
  wait(timeoutMs: number): Promise<void> | false {
    if (this.parked.size >= this.capacity) return false;
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.parked.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.parked.add(done);
    });
  }

  /** Wakes every parked call. */
  wakeAll(): void {
    for (const done of [...this.parked]) done();
  }

  get size(): number {
    return this.parked.size;
  }
}

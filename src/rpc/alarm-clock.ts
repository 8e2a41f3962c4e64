/**
 * An object's one alarm, shared by everything the object schedules
 * (heartbeats, retention, session timeouts, owed work, alert rules): each
 * asks for "at `atMs` or sooner", and the pending alarm is never moved
 * later by a request for a later time. Writes run one at a time, so two
 * requests cannot interleave and leave the later time set.
 *
 * A write the runtime refuses is not dropped: it is logged (once per run
 * of failures) and tried again every `limits.alarmSetRetryMs` until it is
 * stored or a later request stores one — an object whose alarm silently
 * stopped would stop its heartbeats or its retention.
 */
import { limits } from "../limits";

/** How a failure to store the alarm is reported (the object's logBug with its context). */
export type AlarmFailureLog = (where: string, e: unknown) => void;

export class AlarmClock {
  /** The time the stored alarm is set for (epoch ms), or null when not known (before the first write, after it fired). */
  #atMs: number | null = null;
  #queue: Promise<void> = Promise.resolve();
  /** Bumped by every write asked for: a retry of an older one gives way. */
  #generation = 0;
  #failing = false;

  constructor(
    private readonly storage: Pick<DurableObjectStorage, "getAlarm" | "setAlarm" | "deleteAlarm">,
    private readonly log: AlarmFailureLog,
  ) {}

  /** The alarm went off: nothing is known to be pending any more. */
  fired(): void {
    this.#atMs = null;
  }

  /** When the alarm is known to be set for (epoch ms), or null. */
  get pendingAtMs(): number | null {
    return this.#atMs;
  }

  /**
   * Makes the alarm go off at `atMs` or sooner: sets it unless it is set
   * sooner already. Resolves once stored, or once the first attempt
   * failed (the retry then goes on by itself). Never rejects.
   */
  atOrBefore(atMs: number): Promise<void> {
    if (this.#atMs !== null && this.#atMs <= atMs && this.#atMs > Date.now()) return Promise.resolve();
    return this.#write(atMs, false);
  }

  /** Sets the alarm for `atMs` even if it is set sooner (after a bug in the alarm: never a hot loop). Never rejects. */
  setAt(atMs: number): Promise<void> {
    return this.#write(atMs, true);
  }

  /** Deletes the pending alarm (an object wiped of everything). Never rejects. */
  clear(): Promise<void> {
    const generation = ++this.#generation;
    return this.#serially(async () => {
      if (generation !== this.#generation) return;
      await this.storage.deleteAlarm();
      this.#atMs = null;
    }, "clear", () => this.clear());
  }

  #write(atMs: number, force: boolean): Promise<void> {
    const generation = ++this.#generation;
    return this.#serially(async () => {
      // A remembered time already past went off, or is going off (its write may have been stored after it fired).
      if (this.#atMs !== null && this.#atMs <= Date.now()) this.#atMs = null;
      if (!force && this.#atMs === null) {
        const pending = await this.storage.getAlarm(); // memory does not know: a restart, or after it fired
        // A time already past is the alarm running now (deleted once its handler ends) or one about to run:
        // either way the next one is set, for now at the latest.
        if (pending !== null && pending <= Date.now()) atMs = Math.min(atMs, Date.now());
        else if (pending !== null && pending <= atMs) {
          this.#atMs = pending;
          return;
        }
      }
      if (!force && this.#atMs !== null && this.#atMs <= atMs) return;
      if (force && generation !== this.#generation && this.#atMs !== null) return; // a newer write decided
      await this.storage.setAlarm(atMs);
      this.#atMs = atMs;
    }, "setAlarm", () => this.#retry(atMs, force, generation));
  }

  #retry(atMs: number, force: boolean, generation: number): void {
    if (generation !== this.#generation && this.#atMs !== null) return; // a later write stored the alarm
    void (force ? this.setAt(atMs) : this.atOrBefore(atMs));
  }

  /** Runs `op` after the writes before it; on failure logs (once per run of failures) and calls `retry` later. */
  #serially(op: () => Promise<void>, what: string, retry: () => void): Promise<void> {
    const run = this.#queue.then(op).then(
      () => {
        this.#failing = false;
      },
      (e: unknown) => {
        if (!this.#failing) this.log(`AlarmClock.${what}`, e);
        this.#failing = true;
        this.#atMs = null; // not known any more
        setTimeout(retry, limits.alarmSetRetryMs);
      },
    );
    this.#queue = run;
    return run;
  }
}

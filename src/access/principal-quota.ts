/**
 * One principal's quota windows (one object per principal, named by it).
 * Every Worker serving the principal asks here before accepting a request,
 * so the limit holds across Workers: the units accepted (bytes or
 * requests) in any `limits.quotaWindowMs` window stay within rate × window.
 * Windows are kept in memory as a ring of slots; a restart forgets them
 * (the principal gets a fresh window).
 */
import type { Env } from "../env";
import type { Failure } from "../errors";
import { limits } from "../limits";
import { RunnelObject } from "../rpc/runnel-object";

export type QuotaKind = "producer_bytes" | "consumer_bytes" | "requests";

/** Granted, or refused with when to try again (whole seconds, at least 1). */
export type QuotaAnswer = { ok: true; granted: true } | { ok: true; granted: false; retryAfterS: number; message: string };

const SLOTS = 100;

/** A sliding window of `SLOTS` slots over `limits.quotaWindowMs`. */
class Window {
  private readonly units = new Float64Array(SLOTS);
  private readonly slotAt = new Float64Array(SLOTS).fill(-1);
  private readonly slotMs = limits.quotaWindowMs / SLOTS;

  /** Units counted in the window ending now; a slot that overlaps the window counts whole (conservative). */
  used(nowMs: number): number {
    const current = Math.floor(nowMs / this.slotMs);
    let sum = 0;
    for (let i = 0; i < SLOTS; i++) if (this.slotAt[i]! > current - SLOTS) sum += this.units[i]!;
    return sum;
  }

  add(nowMs: number, units: number): void {
    const slot = Math.floor(nowMs / this.slotMs);
    const i = slot % SLOTS;
    if (this.slotAt[i] !== slot) {
      this.slotAt[i] = slot;
      this.units[i] = 0;
    }
    this.units[i]! += units;
  }

  /** How long until at least `units` fit under `budget` (ms), as old slots leave the window. */
  waitMs(nowMs: number, units: number, budget: number): number {
    const current = Math.floor(nowMs / this.slotMs);
    let used = this.used(nowMs);
    for (let age = SLOTS - 1; age >= 0 && used + units > budget; age--) {
      const slot = current - age;
      const i = ((slot % SLOTS) + SLOTS) % SLOTS;
      if (this.slotAt[i] === slot) used -= this.units[i]!;
      if (used + units <= budget) return (slot + SLOTS + 1) * this.slotMs - nowMs;
    }
    return limits.quotaWindowMs;
  }
}

export class PrincipalQuota extends RunnelObject {
  readonly #windows = new Map<QuotaKind, Window>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env, []); // windows live in memory only
  }

  logContext(): Record<string, unknown> {
    return { object: "principal-quota", kinds: [...this.#windows.keys()] };
  }

  /**
   * Accepts `units` of `kind` if they fit under `ratePerS` over the window
   * (and counts them), else refuses with a Retry-After. `units` 0 asks
   * whether the window still has room (consumer bytes are charged after).
   */
  async reserve(kind: QuotaKind, units: number, ratePerS: number): Promise<QuotaAnswer | Failure> {
    const nowMs = Date.now();
    const window = this.#windowOf(kind);
    const budget = (ratePerS * limits.quotaWindowMs) / 1000;
    const fits = units === 0 ? window.used(nowMs) < budget : window.used(nowMs) + units <= budget;
    if (fits) {
      window.add(nowMs, units);
      return { ok: true, granted: true };
    }
    const bigger = units > budget;
    const waitMs = bigger ? limits.quotaWindowMs : window.waitMs(nowMs, Math.max(units, 1), budget);
    return {
      ok: true,
      granted: false,
      retryAfterS: Math.max(1, Math.ceil(waitMs / 1000)),
      message: bigger
        ? `the request's ${units} ${unitName(kind)} are more than the quota allows in ${limits.quotaWindowMs / 1000} s (${ratePerS}/s)`
        : `over the ${kind.replace("_", " ")} quota of ${ratePerS} ${unitName(kind)}/s`,
    };
  }

  /** Counts `units` already served (consumer bytes). */
  async charge(kind: QuotaKind, units: number): Promise<{ ok: true } | Failure> {
    this.#windowOf(kind).add(Date.now(), units);
    return { ok: true };
  }

  #windowOf(kind: QuotaKind): Window {
    let w = this.#windows.get(kind);
    if (w === undefined) this.#windows.set(kind, (w = new Window()));
    return w;
  }
}

function unitName(kind: QuotaKind): string {
  return kind === "requests" ? "requests" : "bytes";
}

import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { limits } from "../../src/limits";
import { AlarmClock } from "../../src/rpc/alarm-clock";
import { waitFor } from "../replication/helpers";

/** Runs `fn` with a fresh object's real storage (a Faults object: it keeps nothing of its own in storage). */
function withStorage<R>(fn: (storage: DurableObjectStorage) => Promise<R>): Promise<R> {
  const stub = env.FAULTS!.get(env.FAULTS!.newUniqueId()) as DurableObjectStub;
  return runInDurableObject(stub, (_instance: unknown, state: DurableObjectState) => fn(state.storage));
}

/** `storage` whose next `refusals` setAlarm calls are refused, as the runtime may. */
function refusing(storage: DurableObjectStorage, refusals: number): DurableObjectStorage {
  let left = refusals;
  return new Proxy(storage, {
    get(target, name) {
      if (name === "setAlarm" && left > 0) {
        return async () => {
          left--;
          throw new Error("storage refused the write");
        };
      }
      const value = Reflect.get(target, name) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

describe("an object's alarm clock", () => {
  it("only ever moves the alarm sooner, also when requests overlap", async () => {
    await withStorage(async (storage) => {
      const clock = new AlarmClock(storage, () => undefined);
      const base = Date.now() + 60_000;
      await Promise.all([clock.atOrBefore(base + 2_000), clock.atOrBefore(base), clock.atOrBefore(base + 1_000)]);
      expect(await storage.getAlarm()).toBe(base);
      await clock.atOrBefore(base + 5_000);
      expect(await storage.getAlarm()).toBe(base);
      await clock.setAt(base + 5_000); // after a bug: later on purpose
      expect(await storage.getAlarm()).toBe(base + 5_000);
      await clock.clear();
      expect(await storage.getAlarm()).toBeNull();
    });
  });

  it("never moves a pending alarm it did not know of later (a restart forgets what memory knew)", async () => {
    await withStorage(async (storage) => {
      const soon = Date.now() + 30_000;
      await storage.setAlarm(soon);
      await new AlarmClock(storage, () => undefined).atOrBefore(soon + 10_000);
      expect(await storage.getAlarm()).toBe(soon);
    });
  });

  it("keeps trying a write the runtime refused, logging it once, until the alarm is set", async () => {
    await withStorage(async (storage) => {
      const logged: string[] = [];
      const clock = new AlarmClock(refusing(storage, 2), (where) => logged.push(where));
      const at = Date.now() + 60_000;
      await clock.atOrBefore(at); // resolves after the first refusal; the retry goes on by itself
      await waitFor("the refused alarm to be stored", async () => (await storage.getAlarm()) === at, 4 * limits.alarmSetRetryMs + 2_000);
      expect(logged).toEqual(["AlarmClock.setAlarm"]); // two refusals in a row: one line
    });
  });
});

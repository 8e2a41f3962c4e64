import { describe, expect, it, vi } from "vitest";
import { retriable } from "../../src/errors";
import { fanOut } from "../../src/metrics/fan-out";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("the bounded fan-out", () => {
  it("keeps at most inFlightMax calls running and answers in the calls' order", async () => {
    let running = 0;
    let most = 0;
    const calls = Array.from({ length: 20 }, (_, i) => ({
      who: `object ${i}`,
      call: async () => {
        most = Math.max(most, ++running);
        await sleep(5);
        running--;
        return { ok: true as const, i };
      },
    }));
    const answers = await fanOut(calls, 4, Date.now() + 5_000);
    expect(most).toBe(4);
    expect(answers.map((a) => (a.ok ? a.i : -1))).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it("leaves out what has not answered by the deadline, and what never started, without waiting longer", async () => {
    const hang = { who: "a hung object", call: () => new Promise<never>(() => undefined) };
    const fine = { who: "a fine object", call: async () => ({ ok: true as const }) };
    const refusing = { who: "a down object", call: async () => retriable("BROKER_NOT_AVAILABLE", "broker 1 is unreachable") };
    const startedMs = Date.now();
    const answers = await fanOut([fine, hang, refusing, hang, fine], 2, Date.now() + 200);
    expect(Date.now() - startedMs).toBeLessThan(1_000);
    expect(answers[0]).toEqual({ ok: true });
    expect(answers[1]).toEqual({ ok: false, missing: "timeout" });
    expect(answers[2]).toMatchObject({ ok: false, missing: "unreachable", failure: { error_code: 50003 } });
    expect(answers[3]).toEqual({ ok: false, missing: "timeout" });
    expect(answers[4]).toEqual({ ok: false, missing: "timeout" }); // both slots were held by hung calls until the deadline
  });

  it("turns a call that throws into a missing answer, never a thrown error", async () => {
    const warned = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const transient = { who: "a restarting object", call: async () => Promise.reject(Object.assign(new Error("reset"), { retryable: true })) };
    expect(await fanOut([transient], 1, Date.now() + 1_000)).toEqual([expect.objectContaining({ ok: false, missing: "unreachable" })]);
    expect(warned).toHaveBeenCalledTimes(1); // the runtime's transient error: one warning line (rpc/call.ts)
    warned.mockRestore();
  });
});

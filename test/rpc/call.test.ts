import { afterEach, describe, expect, it, vi } from "vitest";
import { isUnreachable, reach, unreachable, unreachableDetail } from "../../src/rpc/call";
import { ErrorCode, failure, RunnelError } from "../../src/errors";

afterEach(() => vi.restoreAllMocks());

const callee = { who: "broker 2", where: "Test.call", context: { topicId: "t", partition: 0 } };

describe("reaching another object", () => {
  it("passes its answer through, results and failures alike", async () => {
    expect(await reach(callee, async () => ({ ok: true, n: 1 }))).toEqual({ ok: true, n: 1 });
    const refused = failure(ErrorCode.FENCED_LEADER_EPOCH, "old epoch");
    expect(await reach(callee, async () => refused)).toEqual(refused);
  });

  it("reports the runtime's transient errors as unreachable, quietly", async () => {
    const logged = vi.spyOn(console, "error");
    const warned = vi.spyOn(console, "warn");
    const result = await reach(callee, async () => {
      throw Object.assign(new Error("Network connection lost."), { retryable: true });
    });
    expect(result).toEqual({ ok: false, error_code: 50003, error_name: "BROKER_NOT_AVAILABLE", message: "BROKER_NOT_AVAILABLE: broker 2 did not answer: Network connection lost." });
    expect(isUnreachable(result)).toBe(true);
    expect(logged).not.toHaveBeenCalled();
    expect(warned).not.toHaveBeenCalled();
  });

  it("reports no answer in time as unreachable", async () => {
    const result = await reach({ ...callee, timeoutMs: 20 }, () => new Promise(() => undefined));
    expect(result).toMatchObject({ ok: false, error_name: "BROKER_NOT_AVAILABLE", message: "BROKER_NOT_AVAILABLE: broker 2 did not answer within 20 ms" });
  });

  it("logs any other thrown error once, as the bug it is, and still reports the callee unreachable", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const warned = vi.spyOn(console, "warn");
    const result = await reach({ ...callee, warnUnreachable: true }, async () => {
      throw new TypeError("could not serialise the argument");
    });
    expect(isUnreachable(result)).toBe(true);
    expect(logged).toHaveBeenCalledTimes(1);
    expect(JSON.parse(String(logged.mock.calls[0]![0]))).toMatchObject({ event: "bug", where: "Test.call", topicId: "t", partition: 0, callee: "broker 2" });
    expect(warned).not.toHaveBeenCalled(); // one line for one problem
  });

  it("keeps a RunnelError thrown while making the call as its failure", async () => {
    const result = await reach(callee, () => {
      throw new RunnelError(ErrorCode.BROKER_NOT_FOUND, "broker 9 does not exist");
    });
    expect(result).toMatchObject({ ok: false, error_code: 40406, message: "broker 9 does not exist" });
    expect(isUnreachable(result)).toBe(false); // 40406 is named BROKER_NOT_AVAILABLE too, but it is not a missed call
  });

  it("warns in one line, without a stack, when asked to for a fire-and-forget call", async () => {
    const warned = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    await reach({ ...callee, warnUnreachable: true }, async () => unreachable("broker 2", "is unreachable (fault injected)"));
    expect(warned).toHaveBeenCalledTimes(1);
    const line = String(warned.mock.calls[0]![0]);
    expect(line).not.toContain("\n");
    expect(JSON.parse(line)).toMatchObject({ level: "warn", event: "call-failed", where: "Test.call", error_code: 50003 });
  });

  it("quotes an unreachable failure without its Kafka name", () => {
    expect(unreachableDetail(unreachable("broker 1", "is unreachable (fault injected)"))).toBe("broker 1 is unreachable (fault injected)");
  });
});

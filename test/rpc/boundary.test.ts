import { afterEach, describe, expect, it, vi } from "vitest";
import { ErrorCode, RunnelError, failure } from "../../src/errors";
import { guardClass, isGuarded, rpcMethodNames, summarize } from "../../src/rpc/boundary";

/** Stands in for RunnelObject: guarding stops at the base. */
class Base {
  async notRpc() {
    return "the base's own";
  }
}

class Sample extends Base {
  calls = 0;
  logContext() {
    return { object: "sample", calls: this.calls };
  }
  async expected() {
    this.calls++;
    return failure(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "topic 'x' does not exist");
  }
  async thrownRunnelError() {
    throw new RunnelError(ErrorCode.OFFSET_OUT_OF_RANGE, "offset 9 is outside [0, 3]");
  }
  async bug(_batch: Uint8Array) {
    this.calls++;
    throw new Error("assertion failed: offsets stay dense");
  }
  async transient() {
    throw Object.assign(new Error("Network connection lost."), { retryable: true });
  }
}
guardClass(Sample, Base);

afterEach(() => vi.restoreAllMocks());

describe("the RPC error boundary", () => {
  it("passes results through and turns a thrown RunnelError into its failure", async () => {
    const s = new Sample();
    expect(await s.expected()).toEqual({ ok: false, error_code: 40401, error_name: "UNKNOWN_TOPIC_OR_PARTITION", message: "topic 'x' does not exist" });
    expect(await s.thrownRunnelError()).toEqual({ ok: false, error_code: 41601, error_name: "OFFSET_OUT_OF_RANGE", message: "offset 9 is outside [0, 3]" });
  });

  it("returns a bug as a 500 and logs it once with the object's context and a summary of the arguments", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const s = new Sample();
    const result = (await s.bug(new Uint8Array(5000))) as unknown as { ok: boolean; error_code: number; message: string };
    expect(result).toMatchObject({ ok: false, error_code: 500, error_name: "UNKNOWN_SERVER_ERROR" });
    expect(result.message).toContain("Sample.bug");
    expect(logged).toHaveBeenCalledTimes(1);
    const line = JSON.parse(String(logged.mock.calls[0]![0]));
    expect(line).toMatchObject({ level: "error", event: "bug", where: "Sample.bug", object: "sample", calls: 1 });
    expect((result as unknown as { bug_id: string }).bug_id).toBe(line.bug_id); // the answer names the line that logged it
    expect(line.args).toContain("<5000 bytes>");
    expect(line.error).toContain("offsets stay dense");
  });

  it("treats the runtime's retryable errors as a retriable failure, not a bug", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const result = (await new Sample().transient()) as unknown as { error_code: number; message: string; error_name: string };
    expect(result.error_code).toBe(50003);
    expect(result.error_name).toBe("REQUEST_TIMED_OUT");
    expect(result.message.startsWith("REQUEST_TIMED_OUT: ")).toBe(true);
    expect(logged).not.toHaveBeenCalled();
  });

  it("guards every public method of the class without a list, and nothing of the base", () => {
    expect(rpcMethodNames(Sample, Base).sort()).toEqual(["bug", "expected", "thrownRunnelError", "transient"]);
    for (const name of rpcMethodNames(Sample, Base)) expect(isGuarded(Sample, name), name).toBe(true);
    expect(isGuarded(Sample, "logContext")).toBe(false); // the object's own context, not RPC
    expect(isGuarded(Base, "notRpc")).toBe(false);
  });

  it("refuses a class with a public method that is not async: a helper that should be #private", () => {
    class Leaky extends Base {
      async fine() {
        return { ok: true };
      }
      helper() {
        return 1;
      }
    }
    expect(() => guardClass(Leaky, Base)).toThrow("Leaky.helper is public but not async");
  });

  it("summarises arguments without copying bytes or long strings", () => {
    expect(summarize([{ batches: [new Uint8Array(3)], key: "k".repeat(500) }])).toBe(`[{"batches":["<3 bytes>"],"key":"${"k".repeat(200)}…"}]`);
  });
});

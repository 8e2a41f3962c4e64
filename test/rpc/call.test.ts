import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ErrorCode, failure, RunnelError } from "../../src/errors";
import { call, caller, isUnreachable, settle, unreachable, unreachableDetail } from "../../src/rpc/call";
import { callController, callGroup, callReplica } from "../../src/rpc/objects";

afterEach(() => vi.restoreAllMocks());

const callee = { who: "broker 2", where: "Test.call", context: { topicId: "t", partition: 0 } };

describe("calling another object", () => {
  it("passes its answer through, results and failures alike", async () => {
    expect(await call(callee, async () => ({ ok: true, n: 1 }))).toEqual({ ok: true, n: 1 });
    const refused = failure(ErrorCode.FENCED_LEADER_EPOCH, "old epoch");
    expect(await call(callee, async () => refused)).toEqual(refused);
  });

  it("reports the runtime's transient errors as unreachable (retriable 50003), with one warning line", async () => {
    const logged = vi.spyOn(console, "error");
    const warned = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const result = await call(callee, async () => {
      throw Object.assign(new Error("Network connection lost."), { retryable: true });
    });
    expect(result).toEqual({ ok: false, error_code: 50003, error_name: "BROKER_NOT_AVAILABLE", message: "BROKER_NOT_AVAILABLE: broker 2 did not answer: Network connection lost." });
    expect(isUnreachable(result)).toBe(true);
    expect(logged).not.toHaveBeenCalled();
    expect(warned).toHaveBeenCalledTimes(1);
    expect(JSON.parse(String(warned.mock.calls[0]![0]))).toMatchObject({ level: "warn", event: "call-failed", where: "Test.call", error_code: 50003 });
  });

  it("reports no answer in time as unreachable", async () => {
    const result = await call({ ...callee, timeoutMs: 20 }, () => new Promise(() => undefined));
    expect(result).toMatchObject({ ok: false, error_name: "BROKER_NOT_AVAILABLE", message: "BROKER_NOT_AVAILABLE: broker 2 did not answer within 20 ms" });
  });

  it("logs any other thrown error once as the bug it is, and answers a 500 naming that line — not an unreachable callee", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const warned = vi.spyOn(console, "warn");
    const result = await call({ ...callee, warnUnreachable: true }, async () => {
      throw new TypeError("could not serialise the argument");
    });
    expect(isUnreachable(result)).toBe(false); // a bug on this side must not make the controller elect another leader
    expect(result).toMatchObject({ ok: false, error_code: 500, error_name: "UNKNOWN_SERVER_ERROR" });
    expect(logged).toHaveBeenCalledTimes(1);
    const line = JSON.parse(String(logged.mock.calls[0]![0]));
    expect(line).toMatchObject({ event: "bug", where: "Test.call", topicId: "t", partition: 0, callee: "broker 2" });
    expect((result as { bug_id?: string }).bug_id).toBe(line.bug_id);
    expect(warned).not.toHaveBeenCalled(); // one line for one problem
  });

  it("treats an answer that is neither a result nor a Failure as a bug", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    expect(await call(callee, async () => ({ rows: [] }))).toMatchObject({ ok: false, error_code: 500 });
  });

  it("keeps a RunnelError thrown while making the call as its failure", async () => {
    const result = await call(callee, () => {
      throw new RunnelError(ErrorCode.BROKER_NOT_FOUND, "broker 9 does not exist");
    });
    expect(result).toMatchObject({ ok: false, error_code: 40406, message: "broker 9 does not exist" });
    expect(isUnreachable(result)).toBe(false); // 40406 is named BROKER_NOT_AVAILABLE too, but it is not a missed call
  });

  it("warns in one line, without a stack, when asked to for a fire-and-forget call", async () => {
    const warned = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    await call({ ...callee, warnUnreachable: true }, async () => unreachable("broker 2", "is unreachable (fault injected)"));
    expect(warned).toHaveBeenCalledTimes(1);
    const line = String(warned.mock.calls[0]![0]);
    expect(line).not.toContain("\n");
    expect(JSON.parse(line)).toMatchObject({ level: "warn", event: "call-failed", where: "Test.call", error_code: 50003 });
  });

  it("quotes an unreachable failure without its Kafka name", () => {
    expect(unreachableDetail(unreachable("broker 1", "is unreachable (fault injected)"))).toBe("broker 1 is unreachable (fault injected)");
  });

  it("settles code that throws RunnelErrors into results, and logs anything else once as a bug", async () => {
    expect(await settle("Test.settle", async () => 7)).toBe(7);
    const refused = await settle("Test.settle", async () => {
      throw new RunnelError(ErrorCode.LEADER_NOT_AVAILABLE, "no leader", undefined, "LEADER_NOT_AVAILABLE");
    });
    expect(refused).toMatchObject({ ok: false, error_code: 40404, error_name: "LEADER_NOT_AVAILABLE" });
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    expect(await settle("Test.settle", async () => JSON.parse("{"))).toMatchObject({ ok: false, error_code: 500 });
    expect(logged).toHaveBeenCalledTimes(1);
  });
});

describe("typed callers", () => {
  it("call the object's methods and never throw: a bad stub is a failure, not an exception", async () => {
    expect(await callController(env).listTopics()).toMatchObject({ ok: true });
    expect(await callReplica(env, "no-such-topic", 0, 99).describe("no-such-topic")).toMatchObject({ ok: false, error_code: 40406 });
    expect(await callGroup(env, "").describe("")).toMatchObject({ ok: false, error_code: 400 });
  });

  it("turn the runtime's error out of a stub into a retriable failure, never an exception", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const broken = { ping: async () => Promise.reject(Object.assign(new Error("Durable Object reset because its code was updated."), { retryable: true })) };
    const result = await caller<{ ping(): Promise<{ ok: true }> }>(() => broken, { who: "a replica" }).ping();
    expect(result).toMatchObject({ ok: false, error_code: 50003, error_name: "BROKER_NOT_AVAILABLE" });
  });

  it("are not promises (awaiting one by mistake does not call a method named then)", async () => {
    const c = callController(env);
    expect((c as unknown as { then?: unknown }).then).toBeUndefined();
  });
});

describe("a route meeting an object the runtime cannot reach", () => {
  it("answers a retriable 50003 naming BROKER_NOT_AVAILABLE, not a logged 500", async () => {
    const { createApp } = await import("../../src/router/app");
    const lost = () => Promise.reject(Object.assign(new Error("Durable Object is overloaded."), { overloaded: true }));
    const stub = new Proxy({}, { get: (_t, name) => (name === "then" ? undefined : lost) });
    const controller = { idFromName: () => ({}), get: () => stub };
    const logged = vi.spyOn(console, "error");
    const warned = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const ctx = { waitUntil: () => undefined, passThroughOnException: () => undefined, props: {} };
    const res = await createApp().request("/v3/clusters/runnel-local/topics", {}, { ...env, CONTROLLER: controller }, ctx);
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error_code: number; message: string };
    expect(body.error_code).toBe(50003);
    expect(body.message).toMatch(/^BROKER_NOT_AVAILABLE: the controller did not answer/);
    expect(logged).not.toHaveBeenCalled(); // not a bug
    expect(warned).toHaveBeenCalledTimes(1); // one warning line
  });
});

import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Controller } from "../../src/controller/controller";
import { controllerStub } from "../stubs";

afterEach(() => vi.restoreAllMocks());

const controller = () => controllerStub(env);

async function topic(name: string) {
  const created = await controller().createTopic({ topicName: name, partitionsCount: 1, replicationFactor: 1, configs: [] });
  if (!created.ok) throw new Error(created.message);
  return created;
}

describe("the controller's RPC surface", () => {
  it("names itself for a bug report", async () => {
    expect(await runInDurableObject(controller(), (c: Controller) => c.logContext())).toEqual({ object: "Controller" });
  });
});

describe("the controller's answers about a topic id it does not know", () => {
  it("say the topic was deleted, naming the id, for an ISR proposal and for an unreachable leader", async () => {
    const args = { topicId: "gone-id", partition: 0, leaderEpoch: 0 };
    const message = "no topic has id gone-id (it was deleted)";
    expect(await controller().alterIsr({ ...args, isr: [0] })).toMatchObject({ ok: false, error_code: 40401, message });
    expect(await controller().leaderUnreachable(args)).toMatchObject({ ok: false, error_code: 40401, message });
  });

  it("name the topic when the partition does not exist", async () => {
    const t = await topic("ctl-no-partition");
    expect(await controller().alterIsr({ topicId: t.topicId, partition: 3, leaderEpoch: 0, isr: [0] })).toMatchObject({
      ok: false,
      error_code: 40402,
      message: "topic 'ctl-no-partition' has no partition 3",
    });
  });
});

describe("a partition's stored leader epoch", () => {
  it("only grows: storing an older one trips the assertion and keeps the newer", async () => {
    const t = await topic("ctl-epochs");
    await runInDurableObject(controller(), (c: Controller) => {
      const role = { leader: 0, leaderEpoch: 3, replicas: [0], isr: [0] };
      c.store.saveRole(t.topicId, 0, role);
      c.store.saveRole(t.topicId, 0, { ...role, isr: [0] }); // the same epoch again is fine (an ISR change)
      expect(() => c.store.saveRole(t.topicId, 0, { ...role, leaderEpoch: 2 })).toThrow(/assertion failed: leader epoch only grows/);
      expect(c.store.roles(c.store.findById(t.topicId)!)[0]!.leaderEpoch).toBe(3);
    });
  });
});

describe("a bug in the controller's alarm", () => {
  it("is logged and the alarm set again, not dropped", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const before = Date.now();
    const next = await runInDurableObject(controller(), async (c: Controller, state) => {
      const settleAll = c.tasks.settleAll;
      c.tasks.settleAll = async () => {
        throw new Error("test: settling broke");
      };
      try {
        await state.storage.deleteAlarm();
        await c.alarm();
      } finally {
        c.tasks.settleAll = settleAll;
      }
      return state.storage.getAlarm();
    });
    expect(logged).toHaveBeenCalledTimes(1);
    expect(JSON.parse(String(logged.mock.calls[0]![0]))).toMatchObject({ event: "bug", where: "Controller.alarm", object: "Controller" });
    expect(next).toBeGreaterThanOrEqual(before + 4_000);
  });
});

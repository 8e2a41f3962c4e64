// Failures that used to vanish without a trace: each is now a result or a log line.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import type { Env } from "../../src/env";
import type { PartitionReplica } from "../../src/replication/partition-replica";
import { createTopic } from "../helpers";
import { acked, fault, produce, quiesce, replica, waitFor } from "./helpers";

const PREFIXES = ["leak-"];
afterAll(() => quiesce(PREFIXES), 20_000);
afterEach(async () => {
  vi.restoreAllMocks();
  for (const b of [0, 1, 2]) await fault(b, "heal");
});

/** The JSON log lines a console spy saw. */
function lines(spy: { mock: { calls: unknown[][] } }): Record<string, any>[] {
  return spy.mock.calls.map((c) => JSON.parse(String(c[0])) as Record<string, any>);
}

describe("a bug while replicating to a follower", () => {
  it("is logged once per follower, with its context, and does not loop", async () => {
    await createTopic("leak-replicator", 1, [{ name: "replica.lag.time.max.ms", value: "60000" }], 3);
    expect(acked(await produce("leak-replicator", ["a"]))).toBe(true);
    const { topicId, stub: leader } = await replica("leak-replicator", 0, 0);
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    await runInDurableObject(leader, (r: PartitionReplica) => {
      const reads = r.state!.log.reads as unknown as { readBatches: () => never; calls: number };
      reads.calls = 0;
      reads.readBatches = () => {
        reads.calls++;
        throw new Error("test: reading for replication broke");
      };
    });
    expect(acked(await produce("leak-replicator", ["b"], { acks: "1" }))).toBe(true); // kicks both followers
    const bugs = () => lines(logged).filter((l) => l.where === "Replicator.sync");
    await waitFor("both followers' bugs logged", async () => bugs().length === 2);
    expect(bugs().map((l) => l.follower).sort()).toEqual([1, 2]);
    expect(bugs()[0]).toMatchObject({ event: "bug", topicId, partition: 0, broker: 0, leaderEpoch: 0 });
    expect(bugs()[0]!.error).toContain("test: reading for replication broke");
    const idle = () => runInDurableObject(leader, (r: PartitionReplica) => !r.state!.leader.busy());
    const calls = () => runInDurableObject(leader, (r: PartitionReplica) => (r.state!.log.reads as unknown as { calls: number }).calls);
    await waitFor("the links to stop", idle);
    expect(await calls()).toBeLessThanOrEqual(4); // one try per follower per kick (a heartbeat may have come too), not a loop
    await waitFor("a heartbeat", () => runDurableObjectAlarm(leader));
    await waitFor("the links to stop again", idle);
    expect(bugs()).toHaveLength(2); // the same bug is not logged again
    await runInDurableObject(leader, (r: PartitionReplica) => {
      delete (r.state!.log.reads as unknown as { readBatches?: unknown }).readBatches;
    });
    await waitFor("the followers to catch up once it is fixed", async () => {
      await runDurableObjectAlarm(leader);
      const d = await (await replica("leak-replicator", 0, 2)).stub.describe(topicId);
      return d.ok && d.logEndOffset === 2;
    });
  });
});

describe("a bug in taking the ISR the controller answered", () => {
  it("is logged instead of dropped, and the next proposal goes through", async () => {
    await createTopic("leak-isr", 1, [{ name: "replica.lag.time.max.ms", value: "300" }], 3);
    expect(acked(await produce("leak-isr", ["a"]))).toBe(true);
    const { stub: leader } = await replica("leak-isr", 0, 0);
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    await runInDurableObject(leader, (r: PartitionReplica) => {
      (r.state as unknown as { adopt: () => never }).adopt = () => {
        throw new Error("test: taking the role broke");
      };
    });
    await fault(2, "down"); // a laggard: the leader proposes an ISR without it
    await waitFor("the bug logged", async () => lines(logged).some((l) => l.where === "PartitionReplica.proposeIsr"));
    const line = lines(logged).find((l) => l.where === "PartitionReplica.proposeIsr")!;
    expect(line).toMatchObject({ event: "bug", partition: 0, broker: 0, proposedIsr: [0, 1] });
    expect(line.error).toContain("test: taking the role broke");
    await runInDurableObject(leader, (r: PartitionReplica) => {
      delete (r.state as unknown as { adopt?: unknown }).adopt;
    });
    await waitFor("the leader to take the smaller ISR", () => runInDurableObject(leader, (r: PartitionReplica) => r.state!.role.isr.join() === "0,1"));
  });
});

describe("a consumer group that cannot be told records arrived", () => {
  it("is logged with the partition and the group, instead of dropped", async () => {
    await createTopic("leak-notify");
    const { topicId, stub } = await replica("leak-notify", 0, 0);
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const warned = vi.spyOn(console, "warn");
    await runInDurableObject(stub, (r: PartitionReplica) => {
      const deps = r.state!.deps as { env: Env };
      const broken = { notify: async () => Promise.reject(new Error("test: telling the group broke")) };
      deps.env = { ...deps.env, GROUPS: { idFromName: (n: string) => n, get: () => broken } as unknown as Env["GROUPS"] };
    });
    expect(await stub.watch(topicId, "leak-group", 0)).toEqual({ ok: true, ready: false });
    expect(acked(await produce("leak-notify", ["a"]))).toBe(true);
    await waitFor("the failure logged", async () => lines(logged).some((l) => l.where === "PartitionReplica.notifyWatchers"));
    const line = lines(logged).find((l) => l.where === "PartitionReplica.notifyWatchers")!;
    expect(line).toMatchObject({ event: "bug", topicId, partition: 0, groupId: "leak-group", callee: "consumer group 'leak-group'" });
    expect(line.error).toContain("test: telling the group broke");
    expect(warned).not.toHaveBeenCalled(); // one line for one problem
  });
});

describe("a replica that lost its data, during an election", () => {
  it("is named in one warning line by the controller's probe and hand-over, and is not elected", async () => {
    await createTopic("leak-probe", 1, [], 3);
    expect(acked(await produce("leak-probe", ["a"]))).toBe(true);
    const { topicId, stub: lost } = await replica("leak-probe", 0, 2);
    expect(await lost.wipe()).toEqual({ ok: true });
    const warned = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const logged = vi.spyOn(console, "error");
    await fault(0, "down");
    const res = await produce("leak-probe", ["b"]);
    expect(res.body.offsets[0].error).toMatch(/^BROKER_NOT_AVAILABLE: /);
    const about2 = (where: string) => lines(warned).find((l) => l.where === where && l.broker === 2);
    await waitFor("the probe and the hand-over to warn", async () => about2("Controller.probe") !== undefined && about2("Controller.tellRole") !== undefined);
    expect(about2("Controller.probe")).toMatchObject({ level: "warn", event: "call-failed", topicId, partition: 0, error_code: 40401 });
    expect(about2("Controller.tellRole")).toMatchObject({ topicId, partition: 0, error_code: 40401, leaderEpoch: 1 });
    expect(lines(warned).filter((l) => l.broker === 0)).toEqual([]); // the down broker is expected: quiet
    expect(logged).not.toHaveBeenCalled();
    const { stub: elected } = await replica("leak-probe", 0, 1);
    const d = await elected.describe(topicId);
    expect(d).toMatchObject({ ok: true, isLeader: true, leaderEpoch: 1 });
  });
});

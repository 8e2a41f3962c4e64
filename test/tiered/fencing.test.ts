import { afterAll, afterEach, describe, expect, it } from "vitest";
import { call, createTopic, V3 } from "../helpers";
import { acked, fault, produce, quiesce, replica, waitFor } from "../replication/helpers";
import { bucketKeys, inReplica, produceMany, tieredConfigs, tieredState, valuesFrom, waitForView } from "./helpers";

afterEach(async () => {
  for (const b of [0, 1, 2]) await fault(b, "heal");
});
afterAll(() => quiesce(["fence-"]), 30_000);

describe("a deposed leader's uploads", () => {
  it("never count: what it records is replaced by the new leader's segments, an upload it finishes after hearing of the new epoch is abandoned, and the sweep removes its objects", async () => {
    await createTopic("fence-deposed", 1, tieredConfigs(8192, 16384, { "remote.storage.enable": "false", "replica.lag.time.max.ms": "60000" }), 3);
    const produced = await produceMany("fence-deposed", 30);
    await waitFor("followers caught up", async () => (await tieredState("fence-deposed", 0, 2)).localBytes === (await tieredState("fence-deposed", 0, 0)).localBytes);
    const { topicId, stub: old } = await replica("fence-deposed", 0, 0);
    const oldEpoch = (await call("GET", `${V3}/topics/fence-deposed/partitions/0`)).body.leader_epoch as number;

    // Broker 0 is cut off; another replica leads a newer epoch and copies the segments.
    await fault(0, "down");
    await waitFor("a new leader", async () => acked(await produce("fence-deposed", ["after"])));
    expect((await call("POST", `${V3}/topics/fence-deposed/configs:alter`, { data: [{ name: "remote.storage.enable", value: "true" }] })).status).toBe(204);
    const view = (await call("GET", `${V3}/topics/fence-deposed/partitions/0`)).body;
    const leader = view.leader.broker_id as number;
    expect(view.leader_epoch).toBeGreaterThan(oldEpoch);
    await waitFor("the new leader's copies", async () => (await tieredState("fence-deposed", 0, leader)).remote.length >= 8);

    // Still believing it leads its old epoch (it heard nothing), broker 0 reaches the bucket: it copies and records on its own.
    const deposedKeys = await inReplica(old, async (t, instance) => {
      const r = instance.state!;
      expect(r.isLeader()).toBe(true);
      r.log.setConfigs({ "segment.bytes": "8192", "local.retention.bytes": "16384" });
      for (let i = 0; i < 8 && t.remote.segments().length < 2; i++) await t.stepOnce(Date.now());
      // Then it hears of the new epoch while an upload is in flight: that one is not recorded.
      await t.stepOnce(Date.now());
      const inFlight = t.uploads.current()!;
      const step = t.stepOnce(Date.now());
      r.adopt({ ...r.role, leader: leader, leaderEpoch: view.leader_epoch });
      await step;
      expect(t.uploads.current()).toBeNull();
      expect(t.remote.segments().some((s) => s.objectKey === inFlight.objectKey)).toBe(false);
      return [...t.remote.segments().map((s) => s.objectKey), inFlight.objectKey];
    });
    expect(deposedKeys.every((k) => k.includes(`-${oldEpoch}-`))).toBe(true);

    // Back in touch: it follows the new leader, whose segments replace its own; the leader's sweep removes the orphans.
    await fault(0, "heal");
    await waitFor("broker 0 to know the leader's segments", async () => {
      const want = (await tieredState("fence-deposed", 0, leader)).remote.map((s) => s.key);
      return JSON.stringify((await tieredState("fence-deposed", 0, 0)).remote.map((s) => s.key)) === JSON.stringify(want);
    });
    // Once in sync, broker 0 leads again (the preferred replica): in a newer epoch, with the segments it learned. It sweeps.
    await waitForView("fence-deposed", "broker 0 to lead again", (v) => v.leader?.broker_id === 0 && v.isr.length === 3 && v.leader_epoch > view.leader_epoch);
    const now = 0;
    const { stub: leaderStub } = await replica("fence-deposed", 0, now);
    await inReplica(leaderStub, (t) => {
      t.orphanGraceMs = 0;
      t.sweep.dueAtMs = 0;
    });
    await produce("fence-deposed", ["wake"]); // the leader's alarm runs the sweep
    const recorded = (await tieredState("fence-deposed", 0, now)).remote.map((s) => s.key);
    await waitFor("the orphans deleted", async () => JSON.stringify(await bucketKeys(`${topicId}/`)) === JSON.stringify([...recorded].sort()));
    expect(recorded.some((k) => deposedKeys.includes(k))).toBe(false);
    expect(await valuesFrom("fence-deposed", 0)).toEqual([...produced, "after", "wake"]);
  }, 60_000);
});

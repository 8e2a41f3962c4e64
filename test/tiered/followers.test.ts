import { afterAll, afterEach, describe, expect, it } from "vitest";
import { call, createTopic, V3 } from "../helpers";
import { acked, fault, produce, quiesce, waitFor } from "../replication/helpers";
import { produceMany, rawBatches, tieredConfigs, tieredState, firstDifference, valuesFrom, waitForView } from "./helpers";

afterEach(async () => {
  for (const b of [0, 1, 2]) await fault(b, "heal");
});
afterAll(() => quiesce(["fol-"]), 30_000);

/** Waits until every replica of the topic's partition 0 knows the same remote segments as broker `leader`, and returns them. */
async function sameRemote(topic: string, brokers: number[], leader: number) {
  return waitFor(`replicas ${brokers} to know the leader's remote segments`, async () => {
    const want = (await tieredState(topic, 0, leader)).remote.map((s) => s.key);
    for (const b of brokers) {
      const have = (await tieredState(topic, 0, b)).remote.map((s) => s.key);
      if (JSON.stringify(have) !== JSON.stringify(want)) return null;
    }
    return want.length > 0 ? want : null;
  });
}

/** Produces until a produce is acknowledged (a new leader being elected meanwhile). */
async function produceThrough(topic: string, value: string) {
  await waitFor(`"${value}" acknowledged`, async () => acked(await produce(topic, [value])));
}

describe("followers and tiered storage", () => {
  it("learn the remote segments with replication, so a new leader after failover serves the whole log from the bucket", async () => {
    await createTopic("fol-failover", 1, tieredConfigs(8192, 16384), 3);
    const produced = await produceMany("fol-failover", 30);
    await waitForView("fol-failover", "local copies dropped on the leader", (v) => v.local_log_start_offset > 100);
    const keys = await sameRemote("fol-failover", [1, 2], 0);
    const before = await rawBatches("fol-failover", 0);
    // Followers drop their local copies too, below what every in-sync replica knows is copied.
    await waitFor("followers' local copies dropped", async () => (await tieredState("fol-failover", 0, 1)).localLogStartOffset > 100);

    await fault(0, "down");
    await produceThrough("fol-failover", "after");
    const view = (await call("GET", `${V3}/topics/fol-failover/partitions/0`)).body;
    expect(view.leader.broker_id).not.toBe(0);
    expect(view.log_start_offset).toBe(0);
    expect(view.local_log_start_offset).toBeGreaterThan(100); // the new leader's reads below it go to the bucket
    const again = await rawBatches("fol-failover", 0);
    expect(firstDifference(again.subarray(0, before.length), before)).toBe("same");
    expect(await valuesFrom("fol-failover", 0)).toEqual([...produced, "after"]);
    expect((await tieredState("fol-failover", 0, view.leader.broker_id)).remote.map((s) => s.key).slice(0, keys.length)).toEqual(keys);
  });

  it("catch up from the leader's local log start when too far behind, with the remote segments, and serve reads below it from the bucket", async () => {
    await createTopic("fol-catchup", 1, tieredConfigs(8192, 16384, { "replica.lag.time.max.ms": "1000" }), 3);
    await fault(2, "down");
    const produced = await produceMany("fol-catchup", 30);
    await waitForView("fol-catchup", "local copies dropped on the leader", (v) => v.local_log_start_offset > 100 && !v.isr.some((r: { broker_id: number }) => r.broker_id === 2));
    expect((await tieredState("fol-catchup", 0, 2)).localLogStartOffset).toBe(0); // it kept what it had: nothing

    await fault(2, "heal");
    await waitForView("fol-catchup", "broker 2 back in the ISR", (v) => v.isr.some((r: { broker_id: number }) => r.broker_id === 2));
    const state = await tieredState("fol-catchup", 0, 2);
    expect(state.localLogStartOffset).toBeGreaterThan(100); // started at the leader's local log start, as Kafka's KIP-405 follower does
    expect(state.logStartOffset).toBe(0);
    await sameRemote("fol-catchup", [2], 0);
    expect(await valuesFrom("fol-catchup", 0, 0, "&replica=2")).toEqual(produced); // below its local log start: from the bucket

    // And once it leads, it serves the whole log.
    await fault(0, "down");
    await fault(1, "down");
    await produceThrough("fol-catchup", "after");
    expect((await call("GET", `${V3}/topics/fol-catchup/partitions/0`)).body.leader.broker_id).toBe(2);
    expect(await valuesFrom("fol-catchup", 0)).toEqual([...produced, "after"]);
  });
});

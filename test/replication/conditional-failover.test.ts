// Conditional append and fencing tokens across a change of leader: a new
// leader checks expected offsets against its own log end, and enforces
// the fencing token its log holds — also after truncating a fence that
// never reached the in-sync replicas.
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { call, createTopic, V3 } from "../helpers";
import { fault, partition, quiesce, replica, waitFor } from "./helpers";

afterEach(async () => {
  for (const b of [0, 1, 2]) await fault(b, "heal");
});

afterAll(() => quiesce(["condf-"]), 20_000);

/** v3 produce of one JSON value to partition 0, with a condition. */
function v3(topic: string, value: string, query = "", token?: string) {
  return call("POST", `${V3}/topics/${topic}/records${query}`, { partition_id: 0, value: { type: "JSON", data: value } }, token === undefined ? {} : { "runnel-fencing-token": token });
}

const fence = (topic: string, token: string) => call("POST", `${V3}/topics/${topic}/partitions/0/fence`, { token });

/** Retries `send` while no leader can answer (retriable 50003, 40404), and returns the first real answer. */
function answered(what: string, send: () => Promise<{ status: number; body: any }>) {
  return waitFor(what, async () => {
    const res = await send();
    if (res.body.error_code === 50003 || res.body.error_code === 40404) return null;
    return res;
  });
}

describe("conditional appends across a failover", () => {
  it("lets only one of two appends at the same expected offset win when the leader changes between them", async () => {
    await createTopic("condf-race", 1, [{ name: "replica.lag.time.max.ms", value: "1000" }], 3);
    expect((await v3("condf-race", "first", "?expected_offset=0")).body.offset).toBe(0);
    await fault(0, "down");
    // The second writer saw the log empty too: the new leader's log holds the first append, so it loses.
    const second = await answered("a new leader to answer", () => v3("condf-race", "second", "?expected_offset=0"));
    expect(second.body).toMatchObject({ error_code: 40905, log_end_offset: 1 });
    expect((await partition("condf-race")).leader.broker_id).not.toBe(0);
    expect((await v3("condf-race", "third", "?expected_offset=1")).body.offset).toBe(1);
  });

  it("has the new leader enforce the fencing token the old one set", async () => {
    await createTopic("condf-fence", 1, [{ name: "replica.lag.time.max.ms", value: "1000" }], 3);
    expect((await fence("condf-fence", "w1")).status).toBe(200);
    expect((await fence("condf-fence", "w2")).body.offset).toBe(1);
    await fault(0, "down");
    const zombie = await answered("a new leader to answer", () => v3("condf-fence", "zombie", "", "w1"));
    expect(zombie.body).toMatchObject({ error_code: 40906, error_name: "PRODUCER_FENCED" });
    expect((await partition("condf-fence")).leader.broker_id).not.toBe(0);
    expect((await v3("condf-fence", "ok", "", "w2")).body.offset).toBe(2);
  });

  it("goes back to the earlier token when a fence the in-sync replicas never had is truncated away", async () => {
    await createTopic("condf-trunc", 1, [{ name: "replica.lag.time.max.ms", value: "60000" }], 3);
    expect((await fence("condf-trunc", "old")).body.offset).toBe(0);
    await waitFor("followers to hold the fence", async () => {
      for (const b of [1, 2]) {
        const { topicId, stub } = await replica("condf-trunc", 0, b);
        const d = await stub.describe(topicId);
        if (!d.ok || d.logEndOffset !== 1) return false;
      }
      return true;
    });
    // Followers that do not answer (and stay in the ISR for 60 s): the new fence waits in the leader's log only.
    await fault(1, "down");
    await fault(2, "down");
    const pending = fence("condf-trunc", "new");
    const { topicId, stub: leader } = await replica("condf-trunc", 0, 0);
    await waitFor("the fence in the leader's log", async () => {
      const d = await leader.describe(topicId);
      return d.ok && d.logEndOffset === 2;
    });
    await fault(0, "down");
    await fault(1, "heal");
    await fault(2, "heal");
    const taken = await answered("a new leader to answer", () => v3("condf-trunc", "from-old", "", "old"));
    expect(taken.body.offset).toBe(1);
    await fault(0, "heal");
    await waitFor("broker 0 to lead again, in sync", async () => {
      const p = await partition("condf-trunc");
      return p.leader?.broker_id === 0 && p.isr.length === 3;
    });
    // Broker 0 truncated its fence of "new": it enforces "old" again.
    expect((await v3("condf-trunc", "zombie", "", "new")).body.error_code).toBe(40906);
    expect((await v3("condf-trunc", "again", "", "old")).body.offset).toBe(2);
    // Broker 0 learned it no longer led the fence's epoch: the fence was answered with a retriable error, never 200.
    expect((await pending).body.error_code).toBe(50003);
  }, 60_000);
});

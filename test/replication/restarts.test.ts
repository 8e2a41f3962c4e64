import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { PartitionReplica } from "../../src/replication/partition-replica";
import { call, createTopic, V3 } from "../helpers";
import { acked, errorCode, fault, partition, produce, replica, values, waitFor, quiesce } from "./helpers";

afterEach(async () => {
  for (const b of [0, 1, 2]) await fault(b, "heal");
});

const PREFIXES = ["restart-", "wipe-"];
afterAll(() => quiesce(PREFIXES), 20_000);

describe("an object that restarts mid-request", () => {
  it("answers an acks=all produce still waiting for its followers with a retriable error when the leader restarts, and the retry lands once", async () => {
    await createTopic("restart-mid", 1, [], 3);
    expect(acked(await produce("restart-mid", ["before"]))).toBe(true);
    // Followers that do not answer (and stay in the ISR for replica.lag.time.max.ms, 30 s): the append must wait.
    await fault(1, "down");
    await fault(2, "down");
    const waiting = produce("restart-mid", ["during"], { key: "during-1" });
    const { topicId, stub: leader } = await replica("restart-mid", 0, 0);
    await waitFor("the append to wait in the leader's log", async () => {
      const d = await leader.describe(topicId);
      return d.ok && d.logEndOffset === 2 && d.highWatermark === 1;
    });
    await call("POST", `${V3}/brokers/0/restart`);
    await partition("restart-mid"); // the leader's next call notices the restart and starts from storage
    const first = await waiting;
    expect(acked(first)).toBe(false);
    expect(errorCode(first)).toBe(50003);
    expect(first.body.offsets[0].error).toMatch(/^REQUEST_TIMED_OUT: the replica restarted before the in-sync replicas had the records/);
    await fault(1, "heal");
    await fault(2, "heal");
    const retried = await waitFor("the retry", async () => {
      const res = await produce("restart-mid", ["during"], { key: "during-1" });
      return acked(res) ? res : null;
    });
    expect(retried.body.offsets[0].offset).toBe(1);
    expect(await values("restart-mid")).toEqual(["before", "during"]);
  });
});

describe("a replicated partition's leader restarting", () => {
  it("serves the high watermark it had before, so a fetch there is not out of range", async () => {
    await createTopic("restart-hw", 1, [], 3);
    for (let i = 0; i < 3; i++) expect(acked(await produce("restart-hw", [`r${i}`]))).toBe(true);
    await fault(1, "down"); // followers gone: the restarted leader cannot relearn its high watermark from them
    await fault(2, "down");
    await call("POST", `${V3}/brokers/0/restart`);
    const res = await call("GET", `${V3}/topics/restart-hw/partitions/0/records?offset=3`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ records: [], high_watermark: 3 });
  });
});

describe("deleting a topic while a broker is down", () => {
  it("removes the topic at once and wipes the down broker's replica from the controller's alarm once it is back", async () => {
    await createTopic("wipe-later", 1, [], 3);
    expect(acked(await produce("wipe-later", ["x"]))).toBe(true);
    const { topicId, stub } = await replica("wipe-later", 0, 2);
    await waitFor("the follower to hold the record", async () => {
      const d = await stub.describe(topicId);
      return d.ok && d.logEndOffset === 1;
    });
    await fault(2, "down");
    expect((await call("DELETE", `${V3}/topics/wipe-later`)).status).toBe(204);
    expect((await call("GET", `${V3}/topics/wipe-later`)).body.error_code).toBe(40401);
    const rows = () => runInDurableObject(stub, (_: PartitionReplica, state) => state.storage.sql.exec("SELECT COUNT(*) AS n FROM batches").one().n);
    expect(await rows()).toBe(1); // the down broker kept its copy for now
    await fault(2, "heal");
    const controller = env.CONTROLLER.get(env.CONTROLLER.idFromName("controller"));
    await waitFor("the controller's retry", async () => {
      await runDurableObjectAlarm(controller);
      return (await rows()) === 0;
    });
  });
});

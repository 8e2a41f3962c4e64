import { env } from "cloudflare:test";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { call, createTopic, V3 } from "../helpers";
import { fault, partition, produce, quiesce, replica, waitFor } from "../replication/helpers";
import { faultsStub } from "../stubs";

const PREFIXES = ["faults-"];
afterAll(() => quiesce(PREFIXES), 20_000);

// An injected fault is an expected result: nothing here may log.
let logged: ReturnType<typeof vi.spyOn>;
let warned: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  logged = vi.spyOn(console, "error");
  warned = vi.spyOn(console, "warn");
});
afterEach(async () => {
  for (const b of [0, 1, 2]) await fault(b, "heal");
  expect(logged).not.toHaveBeenCalled();
  expect(warned).not.toHaveBeenCalled();
  vi.restoreAllMocks();
});

describe("the Faults object", () => {
  it("answers results (every object class's RPC methods are guarded: test/rpc/objects.test.ts)", async () => {
    const faults = faultsStub(env);
    expect(await faults.set(7, "slow", 30)).toEqual({ ok: true, state: { mode: "slow", latencyMs: 30, restartGeneration: 0 } });
    expect(await faults.restart(7)).toMatchObject({ ok: true, state: { restartGeneration: 1 } });
    expect(await faults.stateOf(7)).toEqual({ ok: true, state: { mode: "slow", latencyMs: 30, restartGeneration: 1 } });
    expect(await faults.set(7, "sideways" as "down")).toMatchObject({ ok: false, error_code: 400 });
    expect(await faults.set(7, "none")).toMatchObject({ ok: true, state: { mode: "none", latencyMs: 0 } });
  });
});

describe("a replica on a broker that is down", () => {
  it("answers with a retriable BROKER_NOT_AVAILABLE failure instead of throwing", async () => {
    await createTopic("faults-answer", 1, [], 3);
    const { topicId, stub } = await replica("faults-answer", 0, 1);
    await fault(1, "down");
    expect(await stub.describe(topicId)).toEqual({
      ok: false,
      error_code: 50003,
      error_name: "BROKER_NOT_AVAILABLE",
      message: "BROKER_NOT_AVAILABLE: broker 1 is unreachable (fault injected)",
    });
  });

  it("shows null offsets in the partition view while the others show theirs", async () => {
    await createTopic("faults-view", 1, [], 3);
    expect((await produce("faults-view", ["a"])).status).toBe(200);
    await fault(2, "down");
    const view = await partition("faults-view");
    expect(view.replicas.map((r: { log_end_offset: number | null }) => r.log_end_offset)).toEqual([1, 1, null]);
  });

  it("refuses a read from it with 40404 REPLICA_NOT_AVAILABLE, saying it did not answer", async () => {
    await createTopic("faults-follower", 1, [], 3);
    await fault(1, "down");
    const res = await call("GET", `${V3}/topics/faults-follower/partitions/0/records?offset=0&replica=1`);
    expect(res.body).toEqual({ error_code: 40404, error_name: "REPLICA_NOT_AVAILABLE", message: "that replica did not answer: broker 1 is unreachable (fault injected)" });
  });

  it("as the leader: the client gets BROKER_NOT_AVAILABLE and the controller elects another leader", async () => {
    await createTopic("faults-leader", 1, [], 3);
    await fault(0, "down");
    const res = await produce("faults-leader", ["x"]);
    expect(res.body.offsets[0]).toMatchObject({ error_code: 50003 });
    expect(res.body.offsets[0].error).toBe(
      "BROKER_NOT_AVAILABLE: the leader of partition 0 (broker 0) did not answer (broker 0 is unreachable (fault injected)); retry",
    );
    const moved = await partition("faults-leader");
    expect(moved.leader.broker_id).not.toBe(0);
    expect(moved.leader_epoch).toBe(1);
  });

  it("makes creating a topic fail whole, with the Kafka name, leaving nothing behind", async () => {
    await fault(2, "down");
    const res = await call("POST", `${V3}/topics`, { topic_name: "faults-create", partitions_count: 1, replication_factor: 3 });
    expect(res.body).toMatchObject({ error_code: 50003, message: expect.stringMatching(/^BROKER_NOT_AVAILABLE: could not create topic 'faults-create'/) });
    expect((await call("GET", `${V3}/topics/faults-create`)).body.error_code).toBe(40401);
    await fault(2, "heal");
    await waitFor("the topic to be created", async () => (await call("POST", `${V3}/topics`, { topic_name: "faults-create", partitions_count: 1, replication_factor: 3 })).status === 201);
  });
});

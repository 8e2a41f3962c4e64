import { env, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { call, createTopic, V3 } from "../helpers";
import { assignment, consumer, fault, fill, lags, pollUntil, subscribe, waitFor } from "./helpers";

afterEach(() => vi.restoreAllMocks());

/** Runs `fn` inside group `group`'s coordinator, with the instance untyped (tests reach its insides). */
function inCoordinator<R>(group: string, fn: (instance: any, state: DurableObjectState) => R): Promise<R> {
  const stub = env.GROUPS.get(env.GROUPS.idFromName(group)) as unknown as DurableObjectStub;
  return runInDurableObject<DurableObject, R>(stub, (instance, state) => fn(instance, state));
}

/**
 * Runs `body` while group `group`'s coordinator cannot reach the
 * controller: every call to it fails as an unreachable object's does.
 */
async function withControllerUnreachable<T>(group: string, body: () => Promise<T>): Promise<T> {
  // What workerd throws for a call that lost its connection: a retryable error.
  const lost = () => Promise.reject(Object.assign(new Error("Network connection lost."), { retryable: true }));
  const stub = new Proxy({}, { get: (_t, name) => (name === "then" ? undefined : lost) });
  const unreachable = { idFromName: () => ({}), get: () => stub };
  let real: unknown;
  // Each call the runtime fails is one warning line (rpc/call.ts): expected here, so kept out of the output.
  const warned = vi.spyOn(console, "warn").mockImplementation(() => undefined);
  await inCoordinator(group, (instance) => {
    real = instance.env;
    instance.env = { ...instance.env, CONTROLLER: unreachable };
  });
  try {
    const result = await body();
    expect(warned).toHaveBeenCalled();
    return result;
  } finally {
    warned.mockRestore();
    await inCoordinator(group, (instance) => {
      instance.env = real;
    });
  }
}

/** The leader of a topic's partition 0 as the API shows it (null: none). */
async function leaderOf(topic: string): Promise<number | null> {
  return (await call("GET", `${V3}/topics/${topic}/partitions/0`)).body.leader?.broker_id ?? null;
}

describe("group paths meeting a topic that is gone or has no leader", () => {
  it("answer a commit for a deleted topic with 40401, not a 500", async () => {
    await createTopic("cgf-deleted", 1);
    await fill("cgf-deleted", 1, 3);
    const m = await consumer("cgf-deleted-g");
    await call("POST", `${m}/assignments`, { partitions: [{ topic: "cgf-deleted", partition: 0 }] });
    expect((await call("DELETE", `${V3}/topics/cgf-deleted`)).status).toBe(204);
    const res = await call("POST", `${m}/offsets`, { offsets: [{ topic: "cgf-deleted", partition: 0, offset: 1 }] });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error_code: 40401, error_name: "UNKNOWN_TOPIC_OR_PARTITION", message: expect.stringMatching(/cgf-deleted/) });
  });

  it("store commits, and answer lags, polls and offset resets with 50003 and then 40404, while the partition's only replica is down", async () => {
    await createTopic("cgf-down", 1, [], 1); // partition 0's one replica is on broker 0
    await fill("cgf-down", 1, 4);
    const m = await consumer("cgf-down-g");
    await call("POST", `${m}/assignments`, { partitions: [{ topic: "cgf-down", partition: 0 }] });
    const commit = () => call("POST", `${m}/offsets`, { offsets: [{ topic: "cgf-down", partition: 0, offset: 2 }] });
    expect(await lags("cgf-down-g")).toEqual([["cgf-down", 0, null, 4, 4]]);
    await fault(0, "down");
    try {
      // As Kafka's OffsetCommit, a commit needs only the group's coordinator, not the partition's leader.
      expect((await commit()).body).toEqual([{ topic: "cgf-down", partition: 0, consumed: 2, committed: 3 }]);
      const first = await call("GET", `${V3}/consumer-groups/cgf-down-g/lags`);
      expect(first.body.error_code).toBe(50003); // the leader did not answer; the controller hears of it and finds no other replica
      await waitFor("the partition to have no leader", async () => (await leaderOf("cgf-down")) === null);
      const noLeader = await call("GET", `${V3}/consumer-groups/cgf-down-g/lags`);
      expect(noLeader.status).toBe(404);
      expect(noLeader.body).toEqual({ error_code: 40404, error_name: "LEADER_NOT_AVAILABLE", message: expect.stringMatching(/no leader/) });
      expect((await call("GET", `${m}/records?timeout=0`)).body.error_code).toBe(40404);
      await call("DELETE", m);
      const reset = await call("POST", `${V3}/consumer-groups/cgf-down-g/offsets:reset`, { topic: "cgf-down", to: "earliest" });
      expect(reset.body.error_code).toBe(40404); // the real failure, not "topic does not exist"
    } finally {
      await fault(0, "heal");
    }
  });

  it("report an unknown topic in an offset reset or a manual assignment as 40401", async () => {
    const m = await consumer("cgf-unknown-g");
    const assign = await call("POST", `${m}/assignments`, { partitions: [{ topic: "cgf-nowhere", partition: 0 }] });
    expect(assign.body.error_code).toBe(40401);
    await call("DELETE", m);
    const reset = await call("POST", `${V3}/consumer-groups/cgf-unknown-g/offsets:reset`, { topic: "cgf-nowhere", to: "earliest" });
    expect(reset.body.error_code).toBe(40401);
  });
});

describe("a group whose coordinator cannot reach the controller", () => {
  it("answers a subscription with a retriable 50003 and changes nothing; it works once the controller answers", async () => {
    await createTopic("cgf-ctl", 2);
    const m = await consumer("cgf-ctl-g");
    await subscribe(m, ["cgf-ctl"]);
    const before = (await call("GET", `${V3}/consumer-groups/cgf-ctl-g`)).body;
    await withControllerUnreachable("cgf-ctl-g", async () => {
      const res = await call("POST", `${m}/subscription`, { topics: ["cgf-ctl", "cgf-other"] });
      expect(res.body.error_code).toBe(50003);
      expect(res.body.message).toMatch(/^BROKER_NOT_AVAILABLE: the controller did not answer/);
      expect((await call("DELETE", m)).body.error_code).toBe(50003); // leaving needs a rebalance too: the member stays
    });
    expect((await call("GET", `${m}/subscription`)).body).toEqual({ topics: ["cgf-ctl"] });
    expect((await call("GET", `${V3}/consumer-groups/cgf-ctl-g`)).body).toEqual(before);
    expect((await call("POST", `${m}/subscription`, { topics: ["cgf-ctl", "cgf-other"] })).status).toBe(204);
    expect(await assignment(m)).toEqual(["cgf-ctl-0", "cgf-ctl-1"]);
  });

  it("creates no member when the new group cannot be listed", async () => {
    await inCoordinator("cgf-unlisted", () => undefined); // the object exists, so its bindings can be swapped
    await withControllerUnreachable("cgf-unlisted", async () => {
      const res = await call("POST", "/consumers/cgf-unlisted", { name: "one" });
      expect(res.body.error_code).toBe(50003);
      expect((await call("GET", `${V3}/consumer-groups/cgf-unlisted`)).body.error_code).toBe(40405);
    });
    expect((await call("POST", "/consumers/cgf-unlisted", { name: "one" })).status).toBe(200);
    expect((await call("GET", `${V3}/consumer-groups`)).body.data.map((g: any) => g.consumer_group_id)).toContain("cgf-unlisted");
  });
});

describe("a consumer instance that is gone", () => {
  it("gets 40403 and no records when it timed out during its long poll, and the new owner gets them", async () => {
    await createTopic("cgf-gone", 1);
    const quiet = await consumer("cgf-gone-g", { name: "a-quiet", "session.timeout.ms": 1000 });
    const busy = await consumer("cgf-gone-g", { name: "b-busy", "session.timeout.ms": 30000 });
    await subscribe(quiet, ["cgf-gone"]);
    await subscribe(busy, ["cgf-gone"]);
    expect(await assignment(quiet)).toEqual(["cgf-gone-0"]);
    const polled = call("GET", `${quiet}/records?timeout=15000`);
    await waitFor("quiet to time out and busy to own the partition", async () => (await assignment(busy)).length === 1, 10_000);
    await call("POST", "/topics/cgf-gone", { records: [{ value: "for the owner" }] });
    const res = await polled;
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error_code: 40403, error_name: "UNKNOWN_MEMBER_ID", message: expect.stringMatching(/a-quiet/) });
    expect((await pollUntil(busy, 1)).map((g) => g.value)).toEqual(["for the owner"]);
  });
});

describe("a group's generation", () => {
  it("only grows: a stored generation ahead of the coordinator's trips the assertion, which is logged and changes nothing", async () => {
    await createTopic("cgf-gen", 1);
    const m = await consumer("cgf-gen-g");
    await subscribe(m, ["cgf-gen"]);
    const generation = (await call("GET", `${V3}/consumer-groups/cgf-gen-g`)).body.generation as number;
    const setStored = (value: number) =>
      inCoordinator("cgf-gen-g", (_instance, state) => {
        state.storage.sql.exec("UPDATE meta SET value = ? WHERE key = 'generation'", String(value));
      });
    await setStored(generation + 1000);
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const res = await call("DELETE", `${m}/subscription`);
    expect(res.status).toBe(500);
    expect(res.body.message).not.toMatch(/generation/); // bug text stays in the log
    const lines = logged.mock.calls.map((c) => String(c[0]));
    // The rebalance runs in a batch of changes (change-batcher.ts), which logs the bug and answers each change with a 500.
    expect(lines.some((l) => l.includes("ChangeBatcher.run") && l.includes("generation only grows"))).toBe(true);
    expect(await assignment(m)).toEqual(["cgf-gen-0"]);
    await setStored(generation);
    expect((await call("DELETE", `${m}/subscription`)).status).toBe(204);
    expect((await call("GET", `${V3}/consumer-groups/cgf-gen-g`)).body.generation).toBe(generation + 1);
  });
});

describe("a topic deleted and created again under the same name", () => {
  it("takes its group offsets with it: the group starts from auto.offset.reset, and lags are right", async () => {
    await createTopic("cgf-again", 1);
    await fill("cgf-again", 1, 6);
    const m = await consumer("cgf-again-g");
    await subscribe(m, ["cgf-again"]);
    expect(await pollUntil(m, 6)).toHaveLength(6);
    expect((await call("POST", `${m}/offsets`)).status).toBe(200);
    expect(await lags("cgf-again-g")).toEqual([["cgf-again", 0, 6, 6, 0]]);
    expect((await call("DELETE", `${V3}/topics/cgf-again`)).status).toBe(204);
    expect(await lags("cgf-again-g")).toEqual([]);
    await createTopic("cgf-again", 1);
    await fill("cgf-again", 1, 8);
    expect(await lags("cgf-again-g")).toEqual([["cgf-again", 0, null, 8, 8]]);
    const got = await pollUntil(m, 8);
    expect(got.map((g) => g.value)).toEqual(Array.from({ length: 8 }, (_, i) => `p0-${i}`));
    expect((await call("POST", `${m}/offsets`)).status).toBe(200);
    expect(await lags("cgf-again-g")).toEqual([["cgf-again", 0, 8, 8, 0]]);
  });
});

describe("state stored before topic ids were kept", () => {
  it("is read on: a member's plain-number position and an unstamped committed offset still count", async () => {
    await createTopic("cgf-legacy", 1);
    await fill("cgf-legacy", 1, 6);
    const m = await consumer("cgf-legacy-g", { name: "old" });
    await call("POST", `${m}/assignments`, { partitions: [{ topic: "cgf-legacy", partition: 0 }] });
    await inCoordinator("cgf-legacy-g", (_instance, state) => {
      const sql = state.storage.sql;
      const member = JSON.parse(sql.exec<{ state: string }>("SELECT state FROM members WHERE member_id = 'old'").one().state);
      member.positions = { "cgf-legacy\u00000": 4 };
      sql.exec("UPDATE members SET state = ? WHERE member_id = 'old'", JSON.stringify(member));
      sql.exec("INSERT INTO offsets (topic, partition, offset, metadata, committed_at_ms) VALUES ('cgf-legacy', 0, 2, NULL, 0)");
    });
    await evictDurableObject(env.GROUPS.get(env.GROUPS.idFromName("cgf-legacy-g")));
    expect((await pollUntil(m, 2)).map((g) => g.offset)).toEqual([4, 5]);
    expect(await lags("cgf-legacy-g")).toEqual([["cgf-legacy", 0, 2, 6, 4]]);
  });
});

// Kafka consumers as group members, against the coordinator through the
// Worker's …/kafka/… routes: join, sync, heartbeat, rebalances, generations,
// session and rebalance timeouts, leaving.
import { describe, expect, it } from "vitest";
import { call, createTopic, V3 } from "../helpers";
import { assignment, consumer, subscribe, waitFor } from "./helpers";
import { limits } from "../../src/limits";
import { assigned, commit, describeKafka, fetchOffsets, heartbeat, join, joinAndSync, kafkaError, leave, subscription, sync } from "./kafka-helpers";

/** Whether `p` has settled (without waiting for it). */
async function settled(p: Promise<unknown>): Promise<boolean> {
  const marker = Symbol("pending");
  return (await Promise.race([p, new Promise((r) => setTimeout(() => r(marker), 50))])) !== marker;
}

describe("a Kafka member", () => {
  it("joins, syncs its partitions, rebalances when another joins, and leaves", async () => {
    await createTopic("km-life", 4);
    const a = await joinAndSync("km-life-g", { topics: ["km-life"], clientId: "client-a" });
    expect(a.memberId).toMatch(/^client-a-[0-9a-f-]{36}$/);
    expect(a.partitions).toEqual(["km-life-0", "km-life-1", "km-life-2", "km-life-3"]);
    expect((await heartbeat("km-life-g", a.memberId, a.generation)).status).toBe(204);

    // b joins: its JoinGroup is held until a has joined again; a's heartbeat says so.
    const bJoin = join("km-life-g", { topics: ["km-life"], clientId: "client-b" });
    await waitFor("a to hear of the rebalance", async () => kafkaError(await heartbeat("km-life-g", a.memberId, a.generation)) === "REBALANCE_IN_PROGRESS");
    expect(await settled(bJoin)).toBe(false);
    expect((await describeKafka("km-life-g")).body.state).toBe("PreparingRebalance");

    // Before joining again, a may still commit what it was given in its generation, as Kafka allows during a rebalance.
    const late = await commit("km-life-g", a.memberId, a.generation, [{ topic: "km-life", partition: 3, offset: 0 }]);
    expect(late.body.partitions).toEqual([{ topic: "km-life", partition: 3, error: null }]);

    const aJoin = await join("km-life-g", { memberId: a.memberId, topics: ["km-life"] });
    const b = await bJoin;
    expect(aJoin.status).toBe(200);
    expect(b.status).toBe(200);
    const generation = aJoin.body.generation_id;
    expect(generation).toBeGreaterThan(a.generation);
    expect(b.body.generation_id).toBe(generation);
    for (const j of [aJoin, b]) expect(j.body).toMatchObject({ protocol_name: "range", leader_id: "runnel-coordinator" });
    expect(b.body.member_id).not.toBe(a.memberId);

    // The old generation is refused now: a sync, a commit.
    expect(kafkaError(await sync("km-life-g", a.memberId, a.generation))).toBe("ILLEGAL_GENERATION");
    expect(kafkaError(await commit("km-life-g", a.memberId, a.generation, [{ topic: "km-life", partition: 0, offset: 0 }]))).toBe("ILLEGAL_GENERATION");
    expect((await describeKafka("km-life-g")).body.state).toBe("CompletingRebalance");

    const aParts = assigned((await sync("km-life-g", a.memberId, generation)).body.assignment);
    const bParts = assigned((await sync("km-life-g", b.body.member_id, generation)).body.assignment);
    expect(aParts).toHaveLength(2);
    expect([...aParts, ...bParts].sort()).toEqual(["km-life-0", "km-life-1", "km-life-2", "km-life-3"]);
    expect((await describeKafka("km-life-g")).body.state).toBe("Stable");
    expect((await heartbeat("km-life-g", a.memberId, generation)).status).toBe(204);

    // b leaves at once: a rebalances and takes everything.
    expect((await leave("km-life-g", b.body.member_id, "nobody")).body.members).toEqual([
      { member_id: b.body.member_id, error: null },
      { member_id: "nobody", error: "UNKNOWN_MEMBER_ID" },
    ]);
    expect(kafkaError(await heartbeat("km-life-g", a.memberId, generation))).toBe("REBALANCE_IN_PROGRESS");
    expect(kafkaError(await heartbeat("km-life-g", b.body.member_id, generation))).toBe("UNKNOWN_MEMBER_ID");
    const again = await joinAndSync("km-life-g", { memberId: a.memberId, topics: ["km-life"] });
    expect(again.partitions).toHaveLength(4);
    expect((await leave("km-life-g", a.memberId)).status).toBe(200);
    expect((await describeKafka("km-life-g")).body).toMatchObject({ state: "Empty", members: [] });
  });

  it("rejoining with the same subscription while the group is stable answers at once, without a new generation", async () => {
    await createTopic("km-same", 2);
    const a = await joinAndSync("km-same-g", { topics: ["km-same"] });
    const again = await join("km-same-g", { memberId: a.memberId, topics: ["km-same"] });
    expect(again.body.generation_id).toBe(a.generation);
    const changed = await join("km-same-g", { memberId: a.memberId, topics: ["km-same", "km-other"] });
    expect(changed.body.generation_id).toBeGreaterThan(a.generation);
  });

  it("whose SyncGroup comes while a rebalance is gathering waits for it, and then hears the group moved on", async () => {
    await createTopic("km-hold", 2);
    const joined = await join("km-hold-g", { topics: ["km-hold"] });
    const generation = joined.body.generation_id;
    // An HTTP instance subscribing makes a change the group gathers for groupRebalanceDelayMs before it rebalances.
    const instance = await consumer("km-hold-g");
    const subscribing = subscribe(instance, ["km-hold"]);
    await waitFor("the change to be gathered", async () => (await describeKafka("km-hold-g")).body.state === "PreparingRebalance");
    const synced = await sync("km-hold-g", joined.body.member_id, generation);
    expect(kafkaError(synced)).toBe("REBALANCE_IN_PROGRESS");
    // It was answered once the rebalance had run, not while it was being gathered.
    expect((await call("GET", `${V3}/consumer-groups/km-hold-g`)).body.generation).toBeGreaterThan(generation);
    await subscribing;
    const again = await joinAndSync("km-hold-g", { memberId: joined.body.member_id, topics: ["km-hold"] });
    expect(again.generation).toBeGreaterThan(generation);
    expect([...again.partitions, ...(await assignment(instance))].sort()).toEqual(["km-hold-0", "km-hold-1"]);
  });

  it("is removed once its session times out without heartbeats, and the others rebalance", async () => {
    await createTopic("km-session", 2);
    const quiet = await joinAndSync("km-session-g", { topics: ["km-session"], sessionTimeoutMs: 1000, clientId: "quiet" });
    const busyJoin = join("km-session-g", { topics: ["km-session"], clientId: "busy" });
    // quiet never heartbeats nor rejoins: its session ends, and busy's JoinGroup is answered without it.
    const busy = await busyJoin;
    expect(busy.status).toBe(200);
    expect(assigned((await sync("km-session-g", busy.body.member_id, busy.body.generation_id)).body.assignment)).toEqual(["km-session-0", "km-session-1"]);
    expect(kafkaError(await heartbeat("km-session-g", quiet.memberId, quiet.generation))).toBe("UNKNOWN_MEMBER_ID");
  });

  it("that does not rejoin within the waiting member's rebalance timeout is removed, though it heartbeats", async () => {
    await createTopic("km-late", 2);
    const late = await joinAndSync("km-late-g", { topics: ["km-late"] });
    const started = Date.now();
    const eager = join("km-late-g", { topics: ["km-late"], rebalanceTimeoutMs: 1500 });
    await waitFor("the rebalance", async () => kafkaError(await heartbeat("km-late-g", late.memberId, late.generation)) === "REBALANCE_IN_PROGRESS");
    const answered = await eager;
    expect(answered.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    expect(kafkaError(await heartbeat("km-late-g", late.memberId, late.generation))).toBe("UNKNOWN_MEMBER_ID");
    expect(assigned((await sync("km-late-g", answered.body.member_id, answered.body.generation_id)).body.assignment)).toHaveLength(2);
  });

  it("gets the protocol every Kafka member offers, mapped onto Runnel's assignor", async () => {
    await createTopic("km-proto", 4);
    const a = await joinAndSync("km-proto-g", { topics: ["km-proto"], protocols: ["RoundRobinAssigner"] });
    const bJoin = join("km-proto-g", { topics: ["km-proto"], protocols: ["RoundRobinAssigner"] });
    await waitFor("the rebalance", async () => kafkaError(await heartbeat("km-proto-g", a.memberId, a.generation)) === "REBALANCE_IN_PROGRESS");
    const aJoin = await join("km-proto-g", { memberId: a.memberId, topics: ["km-proto"], protocols: ["RoundRobinAssigner"] });
    const b = await bJoin;
    expect(aJoin.body.protocol_name).toBe("RoundRobinAssigner");
    const parts = [aJoin, b].map(async (j) => assigned((await sync("km-proto-g", j.body.member_id, j.body.generation_id)).body.assignment));
    // Round robin deals alternate partitions to each member (range would give contiguous ones).
    const parities = (await Promise.all(parts)).map((p) => p.map((tp) => Number(tp.split("-").pop()) % 2));
    expect(parities).toEqual(expect.arrayContaining([[0, 0], [1, 1]]));
    // A member that shares no protocol with the group is refused, as Kafka refuses it.
    expect(kafkaError(await join("km-proto-g", { topics: ["km-proto"], protocols: ["range"] }))).toBe("INCONSISTENT_GROUP_PROTOCOL");
  });

  it("refuses a JoinGroup it cannot serve, changing nothing", async () => {
    await createTopic("km-bad", 1);
    const bad = [
      { topics: ["km-bad"], protocolType: "connect" },
      { topics: ["km-bad"], protocols: [] },
      { topics: ["km-bad"], metadata: btoa("\u0000") },
      { topics: ["km-bad"], sessionTimeoutMs: 10 },
    ];
    const names = [];
    for (const o of bad) names.push(kafkaError(await join("km-bad-g", o)));
    expect(names).toEqual(["INCONSISTENT_GROUP_PROTOCOL", "INCONSISTENT_GROUP_PROTOCOL", "INCONSISTENT_GROUP_PROTOCOL", "INVALID_SESSION_TIMEOUT"]);
    expect(kafkaError(await join("km-bad-g", { memberId: "ghost", topics: ["km-bad"] }))).toBe("UNKNOWN_MEMBER_ID");
    expect((await describeKafka("km-bad-g")).body).toMatchObject({ state: "Dead", members: [] });
    // A subscription of a later version (owned partitions, as cooperative clients send) reads too.
    const coop = await joinAndSync("km-bad-g", { topics: ["km-bad"], metadata: subscription(["km-bad"], 1, [["km-bad", [0]]]), protocols: ["cooperative-sticky"] });
    expect(coop.partitions).toEqual(["km-bad-0"]);
  });

  it("whose JoinGroup is waiting is answered REBALANCE_IN_PROGRESS when it joins again, and UNKNOWN_MEMBER_ID when it leaves", async () => {
    await createTopic("km-wait", 2);
    const a = await joinAndSync("km-wait-g", { topics: ["km-wait"], clientId: "client-a" });
    const first = join("km-wait-g", { topics: ["km-wait"], clientId: "client-b" });
    const members = (await waitFor("b to be a member", async () => {
      const ids: string[] = (await describeKafka("km-wait-g")).body.members.map((m: { member_id: string }) => m.member_id);
      return ids.length === 2 ? ids : null;
    })) as string[];
    const b = members.find((id) => id !== a.memberId)!;
    expect(await settled(first)).toBe(false); // held: a has not joined again

    // The client gave up on its JoinGroup and sent another: the older one is answered, the newer one waits.
    const second = join("km-wait-g", { memberId: b, topics: ["km-wait"] });
    expect(kafkaError(await first)).toBe("REBALANCE_IN_PROGRESS");
    expect(await settled(second)).toBe(false);

    // It leaves while waiting: its JoinGroup is answered, and a has the group to itself.
    expect((await leave("km-wait-g", b)).body.members).toEqual([{ member_id: b, error: null }]);
    expect(kafkaError(await second)).toBe("UNKNOWN_MEMBER_ID");
    const again = await joinAndSync("km-wait-g", { memberId: a.memberId, topics: ["km-wait"] });
    expect(again.partitions).toEqual(["km-wait-0", "km-wait-1"]);
  });

  it("refuses a group id too long for one INVALID_GROUP_ID, on every route", async () => {
    const long = "g".repeat(limits.groupIdLengthMax + 1);
    const replies = [
      await join(long, { topics: ["km-bad"] }),
      await sync(long, "m", 1),
      await heartbeat(long, "m", 1),
      await leave(long, "m"),
      await commit(long, "", -1, []),
      await fetchOffsets(long, null),
      await describeKafka(long),
    ];
    expect(replies.map((r) => [r.status, kafkaError(r)])).toEqual(replies.map(() => [400, "INVALID_GROUP_ID"]));
  });

  it("refuses a JoinGroup carrying too much metadata and an offset fetch naming too many partitions, changing nothing", async () => {
    await createTopic("km-big", 1);
    const heavy = await join("km-big-g", { topics: ["km-big"], metadata: btoa("x".repeat(limits.kafkaMemberMetadataBytesMax + 1)) });
    expect(heavy.status).toBe(400);
    expect(heavy.body.message).toContain(`at most ${limits.kafkaMemberMetadataBytesMax} are accepted`);
    expect((await describeKafka("km-big-g")).body).toMatchObject({ state: "Dead", members: [] });
    const partitions = Array.from({ length: limits.kafkaOffsetsPerRequestMax + 1 }, (_, i) => i);
    const many = await fetchOffsets("km-big-g", [{ topic: "km-big", partitions }]);
    expect(many.status).toBe(400);
    expect(many.body.message).toContain(`at most ${limits.kafkaOffsetsPerRequestMax} partitions`);
  });
});

// One group, any kind of member: Kafka consumers beside WebSocket
// subscribers and HTTP instances, splitting partitions and resuming from
// each other's committed offsets.
import { afterAll, describe, expect, it } from "vitest";
import { call, createTopic, V3 } from "../helpers";
import { consumer, fill, lags, pollUntil, stopPumps, subscribe, subscriber, waitFor } from "./helpers";
import { assigned, commit, describeKafka, fetchOffsets, heartbeat, join, joinAndSync, kafkaError, leave, sync } from "./kafka-helpers";

type Sub = Awaited<ReturnType<typeof subscriber>>;
const open: Sub[] = [];
afterAll(async () => {
  for (const s of open) s.ws.close();
  await stopPumps("km-");
}, 20_000);

const names = (s: Sub) => (s.lastAssignment()?.partitions ?? []).map((p: { topic: string; partition: number }) => `${p.topic}-${p.partition}`).sort();

describe("a group of Kafka members and WebSocket subscribers", () => {
  it("splits the partitions so that each is owned once, through rebalances either side starts", async () => {
    await createTopic("km-mix", 4);
    const s1 = await subscriber("km-mix-g", "topics=km-mix&permits=0");
    open.push(s1);
    await s1.until("s1's partitions", () => names(s1).length === 4);
    // The Kafka member's join is answered once the rebalance it causes is done (no other Kafka member to wait for).
    const k = await joinAndSync("km-mix-g", { topics: ["km-mix"] });
    expect(k.partitions).toHaveLength(2);
    await s1.until("s1 to give up two partitions", () => names(s1).length === 2 && s1.lastAssignment()!.generation === k.generation);
    expect([...names(s1), ...k.partitions].sort()).toEqual(["km-mix-0", "km-mix-1", "km-mix-2", "km-mix-3"]);

    // A second subscriber: the Kafka member learns of it from its heartbeat and joins again.
    const s2 = await subscriber("km-mix-g", "topics=km-mix&permits=0");
    open.push(s2);
    await waitFor("k to hear of the rebalance", async () => kafkaError(await heartbeat("km-mix-g", k.memberId, k.generation)) === "REBALANCE_IN_PROGRESS");
    const again = await joinAndSync("km-mix-g", { memberId: k.memberId, topics: ["km-mix"] });
    await s2.until("s2's partitions", () => s2.lastAssignment()?.generation === again.generation);
    await s1.until("s1's partitions", () => s1.lastAssignment()?.generation === again.generation);
    const all = [...names(s1), ...names(s2), ...again.partitions];
    expect(all.sort()).toEqual(["km-mix-0", "km-mix-1", "km-mix-2", "km-mix-3"]);
    expect(again.partitions.length).toBeGreaterThanOrEqual(1);

    // DescribeGroups shows every member, whatever its kind.
    const d = (await describeKafka("km-mix-g")).body;
    expect(d).toMatchObject({ state: "Stable", protocol_type: "consumer", protocol: "range" });
    const kinds = d.members.map((m: Record<string, string>) => [m.client_id, m.client_host]).sort();
    expect(kinds).toEqual([["kafka-test", "/127.0.0.1"], ["websocket", ""], ["websocket", ""]]);
    const owned = d.members.flatMap((m: { assignment: string }) => assigned(m.assignment)).sort();
    expect(owned).toEqual(["km-mix-0", "km-mix-1", "km-mix-2", "km-mix-3"]);
    // The v3 admin view shows it too, with its Kafka client id.
    const consumers = (await call("GET", `${V3}/consumer-groups/km-mix-g/consumers`)).body.data.map((c: Record<string, string>) => c.client_id).sort();
    expect(consumers).toEqual(["kafka-test", "websocket", "websocket"]);
    expect((await leave("km-mix-g", k.memberId)).status).toBe(200);
  });
});

describe("committed offsets, shared by every kind of member", () => {
  it("a Kafka commit is where an HTTP instance resumes, and an HTTP commit where a Kafka member does", async () => {
    await createTopic("km-off", 1);
    await fill("km-off", 1, 10);
    const k = await joinAndSync("km-off-g", { topics: ["km-off"] });
    const done = await commit("km-off-g", k.memberId, k.generation, [{ topic: "km-off", partition: 0, offset: 5, metadata: "kafka was here" }]);
    expect(done.body.partitions).toEqual([{ topic: "km-off", partition: 0, error: null }]);
    expect((await fetchOffsets("km-off-g", [{ topic: "km-off", partitions: [0] }])).body.offsets).toEqual([
      { topic: "km-off", partition: 0, offset: 5, metadata: "kafka was here", error: null },
    ]);
    expect(await lags("km-off-g")).toEqual([["km-off", 0, 5, 10, 5]]);

    // While the Kafka member is in the group, a commit from outside it (generation -1, no member id) is refused, as Kafka refuses it.
    expect(kafkaError(await commit("km-off-g", "", -1, [{ topic: "km-off", partition: 0, offset: 1 }]))).toBe("UNKNOWN_MEMBER_ID");
    expect((await leave("km-off-g", k.memberId)).status).toBe(200);

    const h = await consumer("km-off-g");
    await subscribe(h, ["km-off"]);
    const got = await pollUntil(h, 5);
    expect(got.map((r) => r.offset)).toEqual([5, 6, 7, 8, 9]);
    // The REST commit names the last offset consumed: the group stores the next one, which Kafka reads back.
    expect((await call("POST", `${h}/offsets`, { offsets: [{ topic: "km-off", partition: 0, offset: 7 }] })).status).toBe(200);
    expect((await fetchOffsets("km-off-g", [{ topic: "km-off", partitions: [0] }])).body.offsets[0]).toMatchObject({ offset: 8, metadata: "" });
    expect((await call("DELETE", h)).status).toBe(204);

    // With no member left, a commit from outside the group is Kafka's way to set offsets; metadata round-trips.
    expect((await commit("km-off-g", "", -1, [{ topic: "km-off", partition: 0, offset: 9, metadata: "tool" }])).body.partitions[0].error).toBeNull();
    expect((await fetchOffsets("km-off-g", null)).body.offsets).toEqual([{ topic: "km-off", partition: 0, offset: 9, metadata: "tool", error: null }]);
    const s = await subscriber("km-off-g", "topics=km-off&permits=0");
    open.push(s);
    await s.until("the subscriber's assignment", () => s.lastAssignment() !== undefined);
    expect(s.lastAssignment()!.partitions).toEqual([{ topic: "km-off", partition: 0, offset: 9 }]);
  });

  it("answers each partition of a commit or fetch on its own", async () => {
    await createTopic("km-parts", 2);
    await fill("km-parts", 2, 3);
    const k = await joinAndSync("km-parts-g", { topics: ["km-parts"] });
    const offsets = [
      { topic: "km-parts", partition: 0, offset: 2 },
      { topic: "km-parts", partition: 1, offset: 4 }, // past the high watermark: stored, as Kafka stores it
      { topic: "km-parts", partition: 5, offset: 0 }, // no such partition
      { topic: "km-parts", partition: 0, offset: 1, metadata: "x".repeat(4097) },
      { topic: "km-nowhere", partition: 0, offset: 0 },
    ];
    const res = await commit("km-parts-g", k.memberId, k.generation, offsets);
    expect(res.body.partitions.map((p: { error: string | null }) => p.error)).toEqual([null, null, "ILLEGAL_GENERATION", "OFFSET_METADATA_TOO_LARGE", "ILLEGAL_GENERATION"]);
    const fetched = await fetchOffsets("km-parts-g", [{ topic: "km-parts", partitions: [0, 1] }, { topic: "km-nowhere", partitions: [0] }]);
    expect(fetched.body.offsets.map((o: { offset: number }) => o.offset)).toEqual([2, 4, -1]);
    // A group never used has nothing committed.
    expect((await fetchOffsets("km-never-g", [{ topic: "km-parts", partitions: [0] }])).body.offsets[0]).toMatchObject({ offset: -1, error: null });
    expect((await fetchOffsets("km-never-g", null)).body.offsets).toEqual([]);
    // A sync or heartbeat of a member id that is an HTTP instance's is UNKNOWN_MEMBER_ID.
    const h = await consumer("km-parts-g", { name: "http-one" });
    expect(kafkaError(await sync("km-parts-g", "http-one", k.generation))).toBe("UNKNOWN_MEMBER_ID");
    expect(kafkaError(await join("km-parts-g", { memberId: "http-one", topics: ["km-parts"] }))).toBe("UNKNOWN_MEMBER_ID");
    await call("DELETE", h);
  });
});

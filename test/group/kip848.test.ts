// KIP-848 consumer groups against the coordinator, through the Worker's
// …/kafka/consumer-heartbeat route as the front door calls it: epochs,
// reconciliation (revoke before give), leaving, fencing, timeouts, static
// members, and one kind of group at a time.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call } from "../helpers";
import { consumer, waitFor } from "./helpers";
import { describeKafka, join, kafkaError, kafkaPath } from "./kafka-helpers";
import { assertDisjoint, beat, configure, describeConsumers, Member, topicWithId } from "./kip848-helpers";

const errorName = (r: { body: { error_name?: string } }) => r.body.error_name;

describe("a KIP-848 group", () => {
  it("revokes a partition from its owner before it gives it to another member, and gives everything back when one leaves", async () => {
    const id = await topicWithId("k8-life", 4);
    const names = new Map([[id, "k8-life"]]);
    const a = new Member("k8-life-g", "member-a", names, { topics: ["k8-life"] });
    const b = new Member("k8-life-g", "member-b", names, { topics: ["k8-life"] });

    const first = await a.heartbeat();
    expect(first.status).toBe(200);
    expect(first.body.heartbeat_interval_ms).toBe(5000);
    expect(a.epoch).toBeGreaterThan(0);
    expect(a.partitions()).toEqual(["k8-life-0", "k8-life-1", "k8-life-2", "k8-life-3"]);

    // b joins: the group epoch moves; b's half still belongs to a, so b gets nothing yet.
    expect((await b.heartbeat()).status).toBe(200);
    expect(b.epoch).toBeGreaterThan(a.epoch);
    expect(b.partitions()).toEqual([]);
    expect((await describeConsumers("k8-life-g")).body.state).toBe("Reconciling");

    // a is told to give up two partitions, and stays at its epoch until it says it did.
    const aEpoch = a.epoch;
    await a.heartbeat();
    expect(a.epoch).toBe(aEpoch);
    expect(a.partitions()).toHaveLength(2);
    assertDisjoint(a, b);
    await b.heartbeat(); // a still reads the revoked two: b must not get them
    expect(b.partitions()).toEqual([]);
    assertDisjoint(a, b);

    await a.heartbeat(); // says it let them go: it moves to the new epoch
    expect(a.epoch).toBe(b.epoch);
    await b.heartbeat();
    expect(b.partitions()).toHaveLength(2);
    assertDisjoint(a, b);
    expect([...a.partitions(), ...b.partitions()].sort()).toEqual(["k8-life-0", "k8-life-1", "k8-life-2", "k8-life-3"]);
    expect((await describeConsumers("k8-life-g")).body.state).toBe("Stable");

    // a leaves (epoch -1): b takes everything on its next heartbeat.
    const left = await beat("k8-life-g", { memberId: "member-a", memberEpoch: -1 });
    expect(left.body).toMatchObject({ member_id: "member-a", member_epoch: -1 });
    await b.heartbeat();
    expect(b.partitions()).toEqual(["k8-life-0", "k8-life-1", "k8-life-2", "k8-life-3"]);
    expect(errorName(await beat("k8-life-g", { memberId: "member-a", memberEpoch: aEpoch }))).toBe("UNKNOWN_MEMBER_ID");
  });

  it("fences a member that comes with an epoch it was not given, accepting its previous one while it owns no more than it was given", async () => {
    await topicWithId("k8-fence", 2);
    const a = new Member("k8-fence-g", "fence-a", new Map(), { topics: ["k8-fence"] });
    await a.heartbeat();
    const owned = [...a.owned].map(([topic_id, partitions]) => ({ topic_id, partitions }));
    const ahead = await beat("k8-fence-g", { memberId: "fence-a", memberEpoch: a.epoch + 1, owned });
    expect(ahead.status).toBe(409);
    expect(errorName(ahead)).toBe("FENCED_MEMBER_EPOCH");
    expect(ahead.body.message).toMatch(/^FENCED_MEMBER_EPOCH: /);
    // The group moves on (another member); a's answer moving it on is "lost": its previous epoch is still accepted.
    const bJoin = await beat("k8-fence-g", { memberId: "fence-b", memberEpoch: 0, topics: ["k8-fence"] });
    expect(bJoin.status).toBe(200);
    const before = a.epoch;
    await a.heartbeat(); // revokes one: a stays at `before`
    await a.heartbeat(); // acknowledges: a moves on
    expect(a.epoch).toBeGreaterThan(before);
    const stale = [...a.owned].map(([topic_id, partitions]) => ({ topic_id, partitions }));
    expect((await beat("k8-fence-g", { memberId: "fence-a", memberEpoch: before, owned: stale })).status).toBe(200);
    // Older than its previous epoch: fenced.
    expect((await beat("k8-fence-g", { memberId: "fence-c", memberEpoch: 0, topics: ["k8-fence"] })).status).toBe(200);
    await a.heartbeat();
    await a.heartbeat();
    expect(a.epoch).toBeGreaterThan(bJoin.body.member_epoch);
    const older = [...a.owned].map(([topic_id, partitions]) => ({ topic_id, partitions }));
    expect(errorName(await beat("k8-fence-g", { memberId: "fence-a", memberEpoch: before, owned: older }))).toBe("FENCED_MEMBER_EPOCH");
    expect(errorName(await beat("k8-fence-g", { memberId: "nobody", memberEpoch: 3 }))).toBe("UNKNOWN_MEMBER_ID");
  });

  it("removes a member whose session ends without heartbeats, and the other takes its partitions", async () => {
    const id = await topicWithId("k8-session", 2);
    await configure("k8-session-g", 1000, 100);
    const names = new Map([[id, "k8-session"]]);
    const quiet = new Member("k8-session-g", "quiet", names, { topics: ["k8-session"] });
    const busy = new Member("k8-session-g", "busy", names, { topics: ["k8-session"] });
    expect((await quiet.heartbeat()).body.heartbeat_interval_ms).toBe(100);
    await busy.heartbeat();
    await quiet.heartbeat(); // gives one up
    await quiet.heartbeat(); // says so
    await busy.heartbeat();
    expect(busy.partitions()).toHaveLength(1);
    // quiet stops; busy keeps heartbeating until it owns both.
    await waitFor("busy to take quiet's partition", async () => {
      await busy.heartbeat();
      return busy.partitions().length === 2;
    });
    expect(errorName(await quiet.heartbeat())).toBe("UNKNOWN_MEMBER_ID");
    expect((await describeConsumers("k8-session-g")).body.members.map((m: { member_id: string }) => m.member_id)).toEqual(["busy"]);
  });

  it("takes group configs within bounds only, and null back to the defaults", async () => {
    const stub = env.GROUPS.get(env.GROUPS.idFromName("k8-configs-g")) as unknown as {
      kafkaConsumerConfigure(g: string, c: Record<string, number | null>): Promise<{ ok: boolean; error_name?: string; sessionTimeoutMs?: number; heartbeatIntervalMs?: number }>;
    };
    expect(await stub.kafkaConsumerConfigure("k8-configs-g", { sessionTimeoutMs: 10 })).toMatchObject({ ok: false, error_name: "INVALID_CONFIG" });
    expect(await stub.kafkaConsumerConfigure("k8-configs-g", { heartbeatIntervalMs: 45_000 })).toMatchObject({ ok: false, error_name: "INVALID_CONFIG" });
    expect(await stub.kafkaConsumerConfigure("k8-configs-g", { sessionTimeoutMs: 2000, heartbeatIntervalMs: 500 })).toMatchObject({ ok: true, sessionTimeoutMs: 2000, heartbeatIntervalMs: 500 });
    expect(await stub.kafkaConsumerConfigure("k8-configs-g", { sessionTimeoutMs: null, heartbeatIntervalMs: null })).toMatchObject({ ok: true, sessionTimeoutMs: 45_000, heartbeatIntervalMs: 5000 });
  });

  it("removes a member that keeps partitions it must give up past its rebalance timeout", async () => {
    await topicWithId("k8-revoke", 2);
    const slow = new Member("k8-revoke-g", "slow", new Map(), { topics: ["k8-revoke"], rebalanceTimeoutMs: 300 });
    await slow.heartbeat();
    const other = new Member("k8-revoke-g", "other", new Map(), { topics: ["k8-revoke"] });
    await other.heartbeat();
    await slow.heartbeat(); // told to revoke one; it never says it did
    const kept = [...slow.reported].map(([topic_id, partitions]) => ({ topic_id, partitions }));
    await waitFor("slow to be removed", async () => errorName(await beat("k8-revoke-g", { memberId: "slow", memberEpoch: slow.epoch, owned: kept })) === "UNKNOWN_MEMBER_ID");
    await other.heartbeat();
    expect(other.partitions()).toHaveLength(2);
  });

  it("keeps a static member's partitions while it is away (epoch -2), and gives them back to it under its instance id", async () => {
    const id = await topicWithId("k8-static", 2);
    const names = new Map([[id, "k8-static"]]);
    const s1 = new Member("k8-static-g", "static-1", names, { topics: ["k8-static"], instanceId: "instance-x" });
    const d = new Member("k8-static-g", "dynamic", names, { topics: ["k8-static"] });
    await s1.heartbeat();
    await d.heartbeat();
    await s1.heartbeat();
    await s1.heartbeat();
    await d.heartbeat();
    const mine = s1.partitions();
    expect(mine).toHaveLength(1);
    const away = await beat("k8-static-g", { memberId: "static-1", memberEpoch: -2, instanceId: "instance-x" });
    expect(away.body.member_epoch).toBe(-2);
    await d.heartbeat();
    expect(d.partitions()).toHaveLength(1); // the away member's partition waits for it
    const taken = await beat("k8-static-g", { memberId: "static-2", memberEpoch: 0, instanceId: "instance-x", topics: ["k8-static"] });
    expect(taken.status).toBe(200);
    expect(taken.body.member_epoch).toBeGreaterThan(0);
    expect(taken.body.assignment.flatMap((t: { partitions: number[] }) => t.partitions.map((p) => `k8-static-${p}`))).toEqual(mine);
    // The instance id is taken now: a third member with it is refused; the old member id is fenced.
    expect(errorName(await beat("k8-static-g", { memberId: "static-3", memberEpoch: 0, instanceId: "instance-x", topics: ["k8-static"] }))).toBe("UNRELEASED_INSTANCE_ID");
    expect(errorName(await beat("k8-static-g", { memberId: "static-1", memberEpoch: taken.body.member_epoch, instanceId: "instance-x" }))).toBe("FENCED_INSTANCE_ID");
  });

  it("subscribes by regular expression to the topics it matches, and takes a matching topic created later", async () => {
    const one = await topicWithId("k8re-one", 1);
    await topicWithId("k8-other", 1);
    const names = new Map([[one, "k8re-one"]]);
    const m = new Member("k8-regex-g", "regex", names, { regex: "k8re-.*" });
    await m.heartbeat();
    expect(m.partitions()).toEqual(["k8re-one-0"]);
    const two = await topicWithId("k8re-two", 2);
    names.set(two, "k8re-two");
    await waitFor("the new topic to be assigned", async () => {
      await m.heartbeat();
      return m.partitions().length === 3;
    }, 10_000);
    expect(m.partitions()).toEqual(["k8re-one-0", "k8re-two-0", "k8re-two-1"]);
  });

  it("refuses what Kafka refuses: an unknown assignor, a bad regular expression, a join that owns partitions", async () => {
    await topicWithId("k8-bad", 1);
    const base = { memberId: "bad", memberEpoch: 0, topics: ["k8-bad"] };
    expect(errorName(await beat("k8-bad-g", { ...base, assignor: "sticky" }))).toBe("UNSUPPORTED_ASSIGNOR");
    const regex = await beat("k8-bad-g", { ...base, topics: null, regex: "k8-(" });
    expect(errorName(regex)).toBe("INVALID_REGULAR_EXPRESSION");
    expect(errorName(await beat("k8-bad-g", { ...base, owned: [{ topic_id: "x", partitions: [0] }] }))).toBe("INVALID_REQUEST");
    expect(errorName(await beat("k8-bad-g", { ...base, memberId: "" }))).toBe("INVALID_REQUEST"); // v1: the member names itself
    expect(errorName(await beat("k8-bad-g", { ...base, memberEpoch: -3 }))).toBe("INVALID_REQUEST");
    // None of these made a member.
    expect(errorName(await describeConsumers("k8-bad-g"))).toBe("GROUP_ID_NOT_FOUND");
  });

  it("assigns ranges with the range assignor", async () => {
    await topicWithId("k8-range", 4);
    const names = new Map<string, string>();
    const a = new Member("k8-range-g", "a-range", names, { topics: ["k8-range"], assignor: "range" });
    const b = new Member("k8-range-g", "b-range", names, { topics: ["k8-range"], assignor: "range" });
    await a.heartbeat();
    await b.heartbeat();
    for (let i = 0; i < 2; i++) {
      await a.heartbeat();
      await b.heartbeat();
    }
    const d = (await describeConsumers("k8-range-g")).body;
    expect(d.assignor_name).toBe("range");
    const targets = Object.fromEntries(d.members.map((m: any) => [m.member_id, m.target_assignment[0].partitions]));
    expect(targets).toEqual({ "a-range": [0, 1], "b-range": [2, 3] });
  });
});

describe("a KIP-848 member's offsets", () => {
  it("are committed with its member epoch (OffsetCommit v9+) and fetched with it, shared with every other reader of the group", async () => {
    await topicWithId("k8-offsets", 2);
    const m = new Member("k8-offsets-g", "offsets-m", new Map(), { topics: ["k8-offsets"] });
    await m.heartbeat();
    const commit = (epoch: number, apiVersion: number) =>
      call("POST", `${kafkaPath("k8-offsets-g")}/commit`, { member_id: "offsets-m", generation_id: epoch, api_version: apiVersion, offsets: [{ topic: "k8-offsets", partition: 1, offset: 7, metadata: "m" }] });
    const done = await commit(m.epoch, 9);
    expect(done.body.partitions).toEqual([{ topic: "k8-offsets", partition: 1, error: null }]);
    expect(errorName(await commit(m.epoch + 1, 9))).toBe("STALE_MEMBER_EPOCH");
    expect(errorName(await commit(m.epoch, 8))).toBe("UNSUPPORTED_VERSION");
    const fetchAs = (memberId: string | null, memberEpoch: number) =>
      call("POST", `${kafkaPath("k8-offsets-g")}/offsets`, { topics: [{ topic: "k8-offsets", partitions: [1] }], member_id: memberId, member_epoch: memberEpoch });
    expect((await fetchAs("offsets-m", m.epoch)).body.offsets).toEqual([{ topic: "k8-offsets", partition: 1, offset: 7, metadata: "m", error: null }]);
    expect(errorName(await fetchAs("offsets-m", m.epoch - 1))).toBe("STALE_MEMBER_EPOCH");
    expect(errorName(await fetchAs("someone", 1))).toBe("UNKNOWN_MEMBER_ID");
    expect((await fetchAs(null, -1)).status).toBe(200); // an admin tool
    const lags = await call("GET", "/v3/clusters/runnel-local/consumer-groups/k8-offsets-g/lags");
    expect(lags.body.data.find((r: { partition_id: number }) => r.partition_id === 1)).toMatchObject({ current_offset: 7, consumer_id: "offsets-m" });
  });
});

describe("a group is one kind at a time", () => {
  it("a KIP-848 group refuses classic members, and a classic group KIP-848 ones", async () => {
    await topicWithId("k8-kind", 1);
    const a = new Member("k8-kind-g", "kind-a", new Map(), { topics: ["k8-kind"] });
    await a.heartbeat();
    expect(kafkaError(await join("k8-kind-g", { topics: ["k8-kind"] }))).toBe("INCONSISTENT_GROUP_PROTOCOL");
    const http = await call("POST", "/consumers/k8-kind-g", { format: "json" });
    expect(http.status).toBe(409);
    expect(http.body.error_name).toBe("INCONSISTENT_GROUP_PROTOCOL");
    // DescribeGroups answers for classic groups only.
    expect(kafkaError(await describeKafka("k8-kind-g"))).toBe("GROUP_ID_NOT_FOUND");
    const v3 = await call("GET", "/v3/clusters/runnel-local/consumer-groups/k8-kind-g");
    expect(v3.body).toMatchObject({ type: "CONSUMER", state: "STABLE", partition_assignor: "uniform" });

    await consumer("k8-classic-g");
    expect(errorName(await beat("k8-classic-g", { memberId: "late", memberEpoch: 0, topics: ["k8-kind"] }))).toBe("GROUP_ID_NOT_FOUND");
    expect(errorName(await describeConsumers("k8-classic-g"))).toBe("GROUP_ID_NOT_FOUND");

    // Once the KIP-848 group is empty, classic members may take it over.
    await beat("k8-kind-g", { memberId: "kind-a", memberEpoch: -1 });
    expect((await call("POST", "/consumers/k8-kind-g", { format: "json" })).status).toBe(200);
  });
});

import { describe, expect, it } from "vitest";
import { call, createTopic, V3 } from "../helpers";
import { assignment, consumer, fill, inOrderOnce, pollUntil, subscribe, waitFor } from "./helpers";

describe("HTTP consumer instances in a group", () => {
  it("split six partitions two each among three members, and together read every record once, in order", async () => {
    await createTopic("cg-six", 6);
    await fill("cg-six", 6, 20);
    const members = [await consumer("cg-split"), await consumer("cg-split"), await consumer("cg-split")];
    for (const m of members) await subscribe(m, ["cg-six"]);
    const owned = await Promise.all(members.map(assignment));
    expect(owned.map((o) => o.length)).toEqual([2, 2, 2]);
    expect(owned.flat().sort()).toEqual(["cg-six-0", "cg-six-1", "cg-six-2", "cg-six-3", "cg-six-4", "cg-six-5"]);
    const got = (await Promise.all(members.map((m) => pollUntil(m, 40)))).flat();
    expect(got).toHaveLength(120);
    inOrderOnce(got, 6, 20);
  });

  it("let a second group read the same records independently", async () => {
    await createTopic("cg-two-groups", 2);
    await fill("cg-two-groups", 2, 10);
    const a = await consumer("cg-first");
    const b = await consumer("cg-second");
    await subscribe(a, ["cg-two-groups"]);
    await subscribe(b, ["cg-two-groups"]);
    inOrderOnce(await pollUntil(a, 20), 2, 10);
    inOrderOnce(await pollUntil(b, 20), 2, 10);
  });

  it("hand a silent member's partitions to the others after its session times out, from the last committed offset", async () => {
    await createTopic("cg-timeout", 2);
    await fill("cg-timeout", 2, 10);
    const quiet = await consumer("cg-timeout-g", { "session.timeout.ms": 1000 });
    const busy = await consumer("cg-timeout-g", { "session.timeout.ms": 30000 });
    await subscribe(quiet, ["cg-timeout"]);
    await subscribe(busy, ["cg-timeout"]);
    const quietOwns = await assignment(quiet);
    expect(quietOwns).toHaveLength(1);
    const first = await pollUntil(quiet, 10);
    const p = first[0]!.partition;
    // It commits only the first four (the last it consumed is offset 3: the group stores 4), then goes silent.
    expect((await call("POST", `${quiet}/offsets`, { offsets: [{ topic: "cg-timeout", partition: p, offset: 3 }] })).status).toBe(200);
    // Asking for its assignment is busy's heartbeat; it reads nothing meanwhile.
    await waitFor("busy to own both partitions", async () => (await assignment(busy)).length === 2);
    expect(await assignment(busy)).toEqual(["cg-timeout-0", "cg-timeout-1"]);
    expect((await call("GET", `${quiet}/records`)).body.error_code).toBe(40403);
    const later = await pollUntil(busy, 16);
    expect(later).toHaveLength(16);
    const taken = later.filter((g) => g.partition === p).map((g) => g.value);
    expect(taken).toEqual(Array.from({ length: 6 }, (_, i) => `p${p}-${i + 4}`));
  });

  it("commit everything returned so far on an empty body, and report committed offsets", async () => {
    await createTopic("cg-commit", 1);
    await fill("cg-commit", 1, 5);
    const m = await consumer("cg-commit-g");
    await subscribe(m, ["cg-commit"]);
    await pollUntil(m, 5);
    expect((await call("POST", `${m}/offsets`)).status).toBe(200);
    const committed = await call("GET", `${m}/offsets`);
    expect(committed.body.offsets).toEqual([{ topic: "cg-commit", partition: 0, offset: 5, metadata: "" }]);
  });

  it("subscribe by pattern and pick up a topic created later", async () => {
    await createTopic("cgpat-a", 1);
    const m = await consumer("cg-pattern");
    expect((await call("POST", `${m}/subscription`, { topic_pattern: "cgpat-.*" })).status).toBe(204);
    expect(await assignment(m)).toEqual(["cgpat-a-0"]);
    await createTopic("cgpat-b", 1);
    await waitFor("the new topic's partition", async () => (await assignment(m)).length === 2, 12_000);
    expect(await assignment(m)).toEqual(["cgpat-a-0", "cgpat-b-0"]);
    await call("DELETE", m); // a pattern member makes the coordinator look for new topics from its alarm
  });

  it("seek to the beginning, an offset, a time, or the end", async () => {
    await createTopic("cg-seek", 1);
    await fill("cg-seek", 1, 6);
    const m = await consumer("cg-seek-g");
    await call("POST", `${m}/assignments`, { partitions: [{ topic: "cg-seek", partition: 0 }] });
    expect((await pollUntil(m, 6)).map((g) => g.offset)).toEqual([0, 1, 2, 3, 4, 5]);
    await call("POST", `${m}/positions`, { offsets: [{ topic: "cg-seek", partition: 0, offset: 4 }] });
    expect((await pollUntil(m, 2)).map((g) => g.offset)).toEqual([4, 5]);
    await call("POST", `${m}/positions/beginning`, { partitions: [{ topic: "cg-seek", partition: 0 }] });
    expect((await pollUntil(m, 6)).map((g) => g.offset)[0]).toBe(0);
    await call("POST", `${m}/positions/end`, { partitions: [{ topic: "cg-seek", partition: 0 }] });
    expect((await call("GET", `${m}/records?timeout=50`)).body).toEqual([]);
  });

  it("wait out their timeout when no record comes, and answer an empty array", async () => {
    await createTopic("cg-wait", 2);
    const m = await consumer("cg-wait-g");
    await subscribe(m, ["cg-wait"]);
    const startedAt = Date.now();
    const res = await call("GET", `${m}/records?timeout=1500`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1400); // the read waited (timers may fire a little early)
  });

  it("answer as soon as a record arrives during their wait", async () => {
    await createTopic("cg-wake", 2);
    const m = await consumer("cg-wake-g");
    await subscribe(m, ["cg-wake"]);
    const startedAt = Date.now();
    const polled = call("GET", `${m}/records?timeout=8000`);
    // The record is produced well into the wait (a stimulus, not a synchronisation): a read that did not wait answers [] first.
    await new Promise((r) => setTimeout(r, 500));
    await call("POST", "/topics/cg-wake/partitions/1", { records: [{ value: "late" }] });
    const res = await polled;
    expect(res.body.map((g: any) => [g.partition, g.offset, g.value])).toEqual([[1, 0, "late"]]);
    expect(Date.now() - startedAt).toBeLessThan(8000);
  });

  it("refuse a record their json format cannot show with 42206 naming it, and go on past it after a seek", async () => {
    await createTopic("cg-notjson", 1);
    const produce = (values: string[]) =>
      call("POST", "/topics/cg-notjson", { records: values.map((v) => ({ value: btoa(v) })) }, { "content-type": "application/vnd.kafka.binary.v2+json" });
    expect((await produce(['{"n":0}', '{"n":1}', "not json", '{"n":3}'])).status).toBe(200);
    const m = await consumer("cg-notjson-g");
    await subscribe(m, ["cg-notjson"]);
    expect((await pollUntil(m, 2)).map((g) => g.offset)).toEqual([0, 1]);
    const refused = await call("GET", `${m}/records?timeout=0`);
    expect(refused.status).toBe(422);
    expect(refused.body.error_code).toBe(42206);
    expect(refused.body.message).toMatch(/offset 2 of topic 'cg-notjson' partition 0 is not JSON/);
    expect(refused.body.message).toMatch(/format.*fixed when it is created.*"binary" or "string"/);
    await call("POST", `${m}/positions`, { offsets: [{ topic: "cg-notjson", partition: 0, offset: 3 }] });
    expect((await pollUntil(m, 1)).map((g) => g.offset)).toEqual([3]);
    const binary = await consumer("cg-notjson-b", { format: "binary" });
    await subscribe(binary, ["cg-notjson"]);
    expect((await pollUntil(binary, 4)).map((g) => atob(g.value))).toEqual(['{"n":0}', '{"n":1}', "not json", '{"n":3}']);
  });
});

describe("consumer group admin", () => {
  it("lists and describes groups with members and assignment, and reports lag", async () => {
    await createTopic("cg-admin", 2);
    await fill("cg-admin", 2, 5);
    const m = await consumer("cg-admin-g");
    await subscribe(m, ["cg-admin"]);
    const groups = await call("GET", `${V3}/consumer-groups`);
    expect(groups.body.data.map((g: any) => g.consumer_group_id)).toContain("cg-admin-g");
    const g = await call("GET", `${V3}/consumer-groups/cg-admin-g`);
    expect(g.body).toMatchObject({ consumer_group_id: "cg-admin-g", state: "STABLE", partition_assignor: "range" });
    expect(g.body.consumers[0].assignments).toHaveLength(2);
    await pollUntil(m, 10);
    await call("POST", `${m}/offsets`, { offsets: [{ topic: "cg-admin", partition: 0, offset: 1 }] }); // stored as 2
    const lags = await call("GET", `${V3}/consumer-groups/cg-admin-g/lags`);
    expect(lags.body.data).toEqual([
      expect.objectContaining({ topic_name: "cg-admin", partition_id: 0, current_offset: 2, log_end_offset: 5, lag: 3 }),
      expect.objectContaining({ topic_name: "cg-admin", partition_id: 1, current_offset: null, log_end_offset: 5, lag: 5 }),
    ]);
    const summary = await call("GET", `${V3}/consumer-groups/cg-admin-g/lag-summary`);
    expect(summary.body).toMatchObject({ max_lag: 5, total_lag: 8, max_lag_topic_name: "cg-admin", max_lag_partition_id: 1 });
    expect((await call("GET", `${V3}/consumer-groups/cg-admin-g/consumers`)).body.data).toHaveLength(1);
  });

  it("replays from a timestamp after offsets:reset on a group without live members", async () => {
    await createTopic("cg-replay", 1);
    const t0 = Date.now() - 60_000;
    const records = [0, 10, 20, 30].map((dt, i) => ({ value: `r${i}`, timestamp: t0 + dt * 1000 }));
    await call("POST", "/topics/cg-replay", { records });
    const m = await consumer("cg-replay-g");
    await subscribe(m, ["cg-replay"]);
    await pollUntil(m, 4);
    await call("POST", `${m}/offsets`);
    const live = await call("POST", `${V3}/consumer-groups/cg-replay-g/offsets:reset`, { topic: "cg-replay", to: "earliest" });
    expect(live.status).toBe(409);
    expect(live.body.error_code).toBe(40903);
    await call("DELETE", m);
    const reset = await call("POST", `${V3}/consumer-groups/cg-replay-g/offsets:reset`, { topic: "cg-replay", to: "timestamp", timestamp: t0 + 15_000 });
    expect(reset.body.data).toEqual([{ topic_name: "cg-replay", partition_id: 0, offset: 2 }]);
    const again = await consumer("cg-replay-g");
    await subscribe(again, ["cg-replay"]);
    expect((await pollUntil(again, 2)).map((g) => g.value)).toEqual(["r2", "r3"]);
  });
});

describe("consumer bad input", () => {
  it("unknown group, instance, invalid regex, past-watermark, negative and not-owned commits, and resets on live groups", async () => {
    expect((await call("GET", `${V3}/consumer-groups/cg-nobody`)).body.error_code).toBe(40405);
    expect((await call("GET", `/consumers/cg-nobody/instances/ghost/assignments`)).body.error_code).toBe(40403);
    expect((await call("POST", `${V3}/consumer-groups/cg-nobody/offsets:reset`, { topic: "x", to: "earliest" })).body.error_code).toBe(40405);
    await createTopic("cg-bad", 2);
    await fill("cg-bad", 2, 3);
    const m = await consumer("cg-bad-g");
    const regex = await call("POST", `${m}/subscription`, { topic_pattern: "([unclosed" });
    expect(regex.body).toMatchObject({ error_code: 42206, message: expect.stringMatching(/regular expression/) });
    await call("POST", `${m}/assignments`, { partitions: [{ topic: "cg-bad", partition: 0 }] });
    // As in Kafka, committed offsets are not checked against the log: past the high watermark (3) is stored.
    expect((await call("POST", `${m}/offsets`, { offsets: [{ topic: "cg-bad", partition: 0, offset: 99 }] })).body).toEqual([{ topic: "cg-bad", partition: 0, consumed: 99, committed: 100 }]);
    expect((await call("GET", `${m}/offsets`)).body.offsets[0].offset).toBe(100); // the partitions it owns
    const lag = (await call("GET", `${V3}/consumer-groups/cg-bad-g/lags/cg-bad/partitions/0`)).body;
    expect(lag).toMatchObject({ current_offset: 100, log_end_offset: 3, lag: 0 }); // never below 0
    const negative = await call("POST", `${m}/offsets`, { offsets: [{ topic: "cg-bad", partition: 0, offset: -2 }] });
    expect([negative.status, negative.body.error_code]).toEqual([416, 41601]);
    expect((await call("POST", `${m}/offsets`, { offsets: [{ topic: "cg-bad", partition: 9, offset: 0 }] })).body.error_code).toBe(40904);
    const notMine = await call("POST", `${m}/offsets`, { offsets: [{ topic: "cg-bad", partition: 1, offset: 1 }] });
    expect(notMine.status).toBe(409);
    expect(notMine.body.error_code).toBe(40904);
    expect((await call("POST", `${m}/offsets`, { offsets: [{ topic: "cg-bad", partition: 0, offset: 2 }] })).status).toBe(200); // the last record
    expect((await call("POST", `/consumers/cg-bad-g`, { format: "avro" })).body.error_code).toBe(42204);
    expect((await call("POST", `/consumers/cg-bad-g`, { "auto.offset.reset": "middle" })).body.error_code).toBe(42204);
    expect((await call("POST", `/consumers/cg-bad-g`, { "auto.offset.reset": "constructor" })).body.error_code).toBe(42204);
    expect((await call("POST", `/consumers/cg-bad-g`, { "session.timeout.ms": "10s" })).body.error_code).toBe(42204);
    const dup = await call("POST", `/consumers/cg-bad-g`, { name: "same" });
    expect(dup.status).toBe(200);
    const taken = await call("POST", `/consumers/cg-bad-g`, { name: "same" });
    expect(taken.status).toBe(409);
    expect(taken.body.error_code).toBe(40902);
  });
});

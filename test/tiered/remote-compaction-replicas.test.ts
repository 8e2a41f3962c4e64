// Compaction of remote segments with replicas: followers learn the rewritten segments with replication (a new seq), so
// a new leader after failover serves them; a deposed leader's rewrite never counts, and never deletes an object the
// new leader's segments still name.
import { env } from "cloudflare:test";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { call, createTopic, V3 } from "../helpers";
import { acked, fault, quiesce, replica, waitFor } from "../replication/helpers";
import { bucketKeys, inReplica, tieredConfigs, tieredState, waitForView } from "./helpers";

afterEach(async () => {
  for (const b of [0, 1, 2]) await fault(b, "heal");
});
afterAll(() => quiesce(["trcr-"]), 60_000);

type Rec = [offset: number, key: string, value: string];
const COMPACTED = { "cleanup.policy": "compact", "min.cleanable.dirty.ratio": "0", "local.retention.ms": "1", "replica.lag.time.max.ms": "60000" };
const alter = (topic: string, name: string, value: string) => call("POST", `${V3}/topics/${topic}/configs:alter`, { data: [{ name, value }] });

/** Appends [key, value] as one request; the answer. */
function produceOne(topic: string, key: string, value: string) {
  return call("POST", `/topics/${topic}/partitions/0`, { records: [{ key, value }] }, { "content-type": "application/vnd.kafka.json.v2+json" });
}

async function produceKeyed(topic: string, records: [string, string][]): Promise<void> {
  for (const [key, value] of records) expect(acked(await produceOne(topic, key, value))).toBe(true);
}

/** Every record from offset 0 through fetch (format=json) from the leader, following next_offset across gaps. */
async function records(topic: string): Promise<Rec[]> {
  const out: Rec[] = [];
  for (let at = 0; ; ) {
    const res = await call("GET", `${V3}/topics/${topic}/partitions/0/records?offset=${at}&format=json`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    out.push(...res.body.records.map((r: any): Rec => [r.offset, r.key, r.value]));
    if (res.body.next_offset >= res.body.high_watermark) return out;
    at = res.body.next_offset;
  }
}

/** The remote segments' keys each broker knows, once all of `brokers` know broker `leader`'s. */
async function sameRemote(topic: string, brokers: number[], leader: number): Promise<string[]> {
  return waitFor(`replicas ${brokers} to know broker ${leader}'s remote segments`, async () => {
    const want = (await tieredState(topic, 0, leader)).remote.map((s) => s.key);
    for (const b of brokers) if (JSON.stringify((await tieredState(topic, 0, b)).remote.map((s) => s.key)) !== JSON.stringify(want)) return null;
    return want;
  });
}

/** Three segments of a=1 b=1 c=1 in the bucket (d=1 active), known to every replica. */
async function copiedTopic(topic: string): Promise<string[]> {
  await createTopic(topic, 1, tieredConfigs(100, 1, COMPACTED), 3);
  await produceKeyed(topic, [["a", "1"], ["b", "1"], ["c", "1"], ["d", "1"]]);
  await waitForView(topic, "three segments copied and dropped locally", (v) => v.remote_segments === 3 && v.local_log_start_offset === 3);
  return sameRemote(topic, [1, 2], 0);
}

describe("compaction of remote segments with replicas", () => {
  it("followers learn the rewritten segments, so a new leader after failover serves each key's latest from the bucket", async () => {
    const copied = await copiedTopic("trcr-failover");
    await produceKeyed("trcr-failover", [["a", "2"], ["b", "2"], ["e", "1"]]);
    const rewritten = await waitFor("the leader's first segment rewritten and the next widened over the emptied one", async () => {
      const s = await tieredState("trcr-failover", 0, 0);
      return s.remote[0]!.key !== copied[0] && s.remote[1]?.key === copied[2] ? s : null;
    });
    expect(rewritten.remote[1]!.baseOffset).toBe(1); // widened over b=1's emptied segment, not rewritten: c=1 is as it was
    const keys = await sameRemote("trcr-failover", [1, 2], 0);
    await waitFor("followers' local copies dropped", async () => (await tieredState("trcr-failover", 0, 1)).localLogStartOffset >= 3 && (await tieredState("trcr-failover", 0, 2)).localLogStartOffset >= 3);

    await fault(0, "down");
    await waitFor("a new leader", async () => acked(await produceOne("trcr-failover", "z", "1")));
    const view = (await call("GET", `${V3}/topics/trcr-failover/partitions/0`)).body;
    expect(view.leader.broker_id).not.toBe(0);
    expect((await tieredState("trcr-failover", 0, view.leader.broker_id)).remote.map((s) => s.key).slice(0, keys.length)).toEqual(keys);
    const read = await records("trcr-failover");
    expect(read.filter(([o]) => o < 4)).toEqual([[2, "c", "1"], [3, "d", "1"]]); // a=1 and b=1 stay gone
    expect(read.filter(([, k]) => k === "a" || k === "b")).toEqual([[4, "a", "2"], [5, "b", "2"]]);
  });

  it("a deposed leader's rewrite never counts, and it never deletes the object the new leader's segments name", async () => {
    const copied = await copiedTopic("trcr-deposed");
    expect((await alter("trcr-deposed", "min.cleanable.dirty.ratio", "1")).status).toBe(204); // no replica cleans on its own now
    await produceKeyed("trcr-deposed", [["a", "2"], ["b", "2"], ["e", "1"]]);
    const { topicId, stub: old } = await replica("trcr-deposed", 0, 0);
    const oldEpoch = (await call("GET", `${V3}/topics/trcr-deposed/partitions/0`)).body.leader_epoch as number;

    // Broker 0 is cut off; another replica leads a newer epoch, with the segments as they were.
    await fault(0, "down");
    await waitFor("a new leader", async () => acked(await produceOne("trcr-deposed", "z", "1")));
    const leader = (await call("GET", `${V3}/topics/trcr-deposed/partitions/0`)).body.leader.broker_id as number;
    expect(leader).not.toBe(0);

    // Still believing it leads its old epoch, broker 0 reaches the bucket: it cleans and records a rewrite of its own.
    const deposed = await inReplica(old, async (t, instance) => {
      const r = instance.state!;
      expect(r.isLeader()).toBe(true);
      r.log.setConfigs({ ...COMPACTED, "segment.bytes": "100", "local.retention.bytes": "1" });
      for (let i = 0; i < 200 && t.remote.segments()[0]!.objectKey === copied[0]; i++) await r.cleaner.step(Date.now());
      return { key: t.remote.segments()[0]!.objectKey, owed: t.outbox.all().map((o) => o.objectKey) };
    });
    expect(deposed.key).not.toBe(copied[0]);
    expect(deposed.key).toContain(`-${oldEpoch}-`);
    expect(deposed.owed).toContain(copied[0]); // it owes the old object's deletion (not due for an hour)

    // Back in touch, it follows the new leader, whose segments replace its rewrite; once in sync it leads again (the
    // preferred replica), in a newer epoch, with the segments it learned.
    await fault(0, "heal");
    await sameRemote("trcr-deposed", [0], leader);
    await waitForView("trcr-deposed", "broker 0 to lead again", (v) => v.leader?.broker_id === 0 && v.isr.length === 3 && v.leader_epoch > oldEpoch + 1);
    expect((await tieredState("trcr-deposed", 0, 0)).remote[0]!.key).toBe(copied[0]);
    // Its owed delete comes due: the object is recorded again here, so it is forgotten, never deleted.
    const still = await inReplica(old, async (t) => {
      t.orphanGraceMs = Number.MAX_SAFE_INTEGER; // no sweep here: only the owed delete
      t.outbox.owe(copied[0]!, null, Date.now());
      await t.stepOnce(Date.now());
      return t.outbox.all().map((o) => o.objectKey);
    });
    expect(still).not.toContain(copied[0]);
    expect(await env.SEGMENTS.head(copied[0]!)).not.toBeNull();
    expect(await records("trcr-deposed")).toEqual([[0, "a", "1"], [1, "b", "1"], [2, "c", "1"], [3, "d", "1"], [4, "a", "2"], [5, "b", "2"], [6, "e", "1"], [7, "z", "1"]]);

    // Its sweep, as leader, takes the object of its deposed rewrite as an orphan.
    await inReplica(old, (t) => {
      t.orphanGraceMs = 0;
      t.sweep.dueAtMs = 0;
      t.sweep.cursor = null;
    });
    await produceOne("trcr-deposed", "wake", "1"); // its alarm runs the sweep
    await waitFor("the orphan deleted", async () => !(await bucketKeys(`${topicId}/`)).includes(deposed.key));
    expect(await bucketKeys(`${topicId}/`)).toContain(copied[0]);
  }, 60_000);
});

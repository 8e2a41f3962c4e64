// Every replica cleans its own log, as every Kafka broker does: their batches differ (CRCs, gaps), their records do not.
import { runInDurableObject } from "cloudflare:test";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { BatchMark } from "../../src/log/log-reads";
import type { PartitionReplica } from "../../src/replication/partition-replica";
import { call, createTopic, V3 } from "../helpers";
import { acked, fault, partition, quiesce, replica, waitFor } from "../replication/helpers";
import { appendEach, cleanFully, compactedReplica, keyedBatch, readLog } from "./helpers";

afterEach(async () => {
  for (const b of [0, 1, 2]) await fault(b, "heal");
});
afterAll(() => quiesce(["clrep-"]), 20_000);

const COMPACTED = [
  { name: "cleanup.policy", value: "compact" },
  { name: "segment.bytes", value: "100" },
  { name: "min.cleanable.dirty.ratio", value: "0" },
  { name: "replica.lag.time.max.ms", value: "300" },
];

/** Produces keyed records to partition 0, one request each, retrying each until acknowledged (the ISR may be shrinking). */
async function produceKeyed(topic: string, records: [string, string | null][]) {
  for (const [key, value] of records) {
    await waitFor(`${key}=${value} acknowledged`, async () =>
      acked(await call("POST", `/topics/${topic}/partitions/0`, { records: [{ key, value }] }, { "content-type": "application/vnd.kafka.json.v2+json" })),
    );
  }
}

/** The records a replica holds, as [offset, key, value] (read from it as a consumer reads). */
async function recordsOf(topic: string, broker: number) {
  const { topicId, stub } = await replica(topic, 0, broker);
  const json = (text: string | null) => (text === null ? null : JSON.parse(text)); // v2 JSON produce stores keys and values as JSON text
  return (await readLog(stub, topicId)).map((r) => [r.offset, json(r.key), json(r.value)]);
}

/** Waits until the replica's cleaner has cleaned up to `offset`. */
async function cleanedTo(topic: string, broker: number, offset: number) {
  const { topicId, stub } = await replica(topic, 0, broker);
  await waitFor(`broker ${broker} cleaned to ${offset}`, async () => {
    const d = await stub.describe(topicId);
    return d.ok && d.cleaner !== null && d.cleaner.lastCleanedOffset >= offset;
  });
}

describe("replicas of a compacted partition", () => {
  it("each cleans its own log to the same records, and a leader change finds the histories agreeing", async () => {
    await createTopic("clrep-own", 1, COMPACTED, 3);
    await produceKeyed("clrep-own", [["a", "1"], ["b", "1"], ["a", "2"], ["c", "1"], ["b", null], ["a", "3"], ["d", "1"]]);
    for (const b of [0, 1, 2]) await cleanedTo("clrep-own", b, 6);
    const expected = [
      [3, "c", "1"],
      [4, "b", null],
      [5, "a", "3"],
      [6, "d", "1"],
    ];
    for (const b of [0, 1, 2]) expect(await recordsOf("clrep-own", b)).toEqual(expected);
    await fault(0, "down");
    await produceKeyed("clrep-own", [["e", "1"]]); // accepted once another replica leads
    expect((await partition("clrep-own")).leader.broker_id).not.toBe(0);
    await fault(0, "heal");
    await waitFor("broker 0 back in the ISR", async () => (await partition("clrep-own")).isr.length === 3);
    for (const b of [0, 1, 2]) expect(await waitFor(`broker ${b} has e`, async () => {
      const r = await recordsOf("clrep-own", b);
      return r.length === 5 ? r : null;
    })).toEqual([...expected, [7, "e", "1"]]);
  });

  it("a follower away while the leader cleaned its last batch away keeps its history through the handshake, and catches up from cleaned batches", async () => {
    await createTopic("clrep-away", 1, COMPACTED, 3);
    await produceKeyed("clrep-away", [["a", "1"], ["b", "1"], ["c", "1"]]);
    const away = await replica("clrep-away", 0, 2);
    await waitFor("broker 2 holds c", async () => {
      const d = await away.stub.describe(away.topicId);
      return d.ok && d.logEndOffset === 3;
    });
    await fault(2, "down");
    await waitFor("a=2 b=2 acknowledged as one batch", async () =>
      acked(await call("POST", "/topics/clrep-away/partitions/0", { records: [{ key: "a", value: "2" }, { key: "b", value: "2" }] }, { "content-type": "application/vnd.kafka.json.v2+json" })),
    );
    await produceKeyed("clrep-away", [["a", "3"], ["c", "2"], ["d", "1"]]);
    await cleanedTo("clrep-away", 0, 7);
    // The leader no longer holds broker 2's last batch (c=1 at 2), nor the one before it: a gap after its epoch's first
    // batch; and the batch of a=2 b=2 (3-4) holds b=2 alone.
    const leader = await replica("clrep-away", 0, 0);
    expect((await readLog(leader.stub, leader.topicId)).map((r) => r.offset)).toEqual([4, 5, 6, 7]);
    await fault(2, "heal");
    expect((await call("POST", `${V3}/brokers/0/restart`)).status).toBe(204); // a fresh leader side: it shakes hands with every follower
    await waitFor("broker 2 caught up", async () => {
      const d = await away.stub.describe(away.topicId);
      return d.ok && d.logEndOffset === 8;
    });
    // Nothing of broker 2's log was cut back: its memory saw no truncation.
    expect(await runInDurableObject(away.stub, (instance: PartitionReplica) => instance.state!.log.reloads)).toBe(0);
    await cleanedTo("clrep-away", 2, 7);
    expect(await recordsOf("clrep-away", 2)).toEqual(await recordsOf("clrep-away", 0));
  });
});

describe("where two histories agree, with cleaned batches", () => {
  it("the same offsets and epoch agree whatever the CRC; a gap agrees with the epoch before it; other boundaries or epochs do not", async () => {
    const { stub, topicId } = await compactedReplica();
    await appendEach(stub, topicId, [["a", "1"], ["a", "2"], ["b", "1"]]); // epoch 0: offsets 0-2
    expect(await stub.assumeRole(topicId, { leader: 0, leaderEpoch: 1, replicas: [0], isr: [0] })).toEqual({ ok: true });
    for (const batch of [await keyedBatch([["a", "3"]]), await keyedBatch([["x", "1"], ["y", "1"]]), await keyedBatch([["c", "1"]])]) {
      expect((await stub.append({ topicId, leaderEpoch: 1, acks: 1, batches: [batch] })).ok).toBe(true); // epoch 1: 3, 4-5, 6
    }
    await cleanFully(stub);
    // a=1 at 0 (the first of epoch 0) is kept empty; a=2 at 1 is gone; a=3 at 3 starts epoch 1.
    expect((await readLog(stub, topicId)).map((r) => r.offset)).toEqual([2, 3, 4, 5, 6]);
    const agrees = (mark: Partial<BatchMark>) =>
      runInDurableObject(stub, (instance: PartitionReplica) => instance.state!.log.reads.agreesAt({ baseOffset: 0, lastOffset: 0, crc: 1, leaderEpoch: 0, cleaned: false, ...mark }));
    expect(await agrees({ baseOffset: 0, lastOffset: 0, leaderEpoch: 0 })).toBe(true); // ours was emptied: same offsets and epoch
    expect(await agrees({ baseOffset: 0, lastOffset: 1, leaderEpoch: 0 })).toBe(false);
    expect(await agrees({ baseOffset: 0, lastOffset: 0, leaderEpoch: 1 })).toBe(false);
    expect(await agrees({ baseOffset: 1, lastOffset: 1, leaderEpoch: 0 })).toBe(true); // the gap at 1, in epoch 0
    expect(await agrees({ baseOffset: 1, lastOffset: 1, leaderEpoch: 1 })).toBe(false);
    expect(await agrees({ baseOffset: 5, lastOffset: 5, leaderEpoch: 1 })).toBe(false); // inside our batch 4-5
    expect(await agrees({ baseOffset: 4, lastOffset: 5, leaderEpoch: 1, cleaned: false })).toBe(false); // ours is as appended: its CRC decides
  });
});

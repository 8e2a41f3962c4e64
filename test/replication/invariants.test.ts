import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { buildBatch, encodeRecords, setBaseOffset } from "../../src/record/record-batch";
import type { PartitionReplica } from "../../src/replication/partition-replica";

let counter = 0;
/** A fresh single-replica partition leading in epoch `leaderEpoch`. */
async function replica(leaderEpoch = 0) {
  const topicId = `inv-test-${++counter}`;
  const stub = env.PARTITIONS.get(env.PARTITIONS.idFromName(`${topicId}/0/0`));
  await stub.init({ topicId, topicName: `inv-${counter}`, partition: 0, brokerId: 0, configs: {}, role: { leader: 0, leaderEpoch, replicas: [0], isr: [0] } });
  return { stub, topicId };
}

function batch(values: string[]): Uint8Array {
  const t = Date.now();
  const records = values.map((v) => ({ key: null, value: new TextEncoder().encode(v), headers: [], timestampMs: t }));
  return buildBatch({ recordsSection: encodeRecords(records, t), recordCount: records.length, baseTimestampMs: t, maxTimestampMs: t });
}

afterEach(() => vi.restoreAllMocks());

describe("the partition replica's RPC surface", () => {
  it("names its topic, partition, broker, role and epoch for a bug report", async () => {
    const { stub, topicId } = await replica(4);
    const context = await runInDurableObject(stub, (instance: PartitionReplica) => instance.logContext());
    expect(context).toMatchObject({ object: "PartitionReplica", topicId, partition: 0, broker: 0, role: "leader", leaderEpoch: 4 });
  });
});

describe("a partition log's invariants", () => {
  it("trips when the high watermark would pass the log end offset", async () => {
    const { stub, topicId } = await replica();
    await stub.append({ topicId, leaderEpoch: 0, acks: 1, batches: [batch(["a"])] });
    await runInDurableObject(stub, (instance: PartitionReplica) => {
      const log = instance.state!.log;
      log.highWatermark = log.logEndOffset + 5; // as a bug would leave it
      expect(() => log.appendAsLeader([batch(["b"])], 0, Date.now(), null, null)).toThrow(/assertion failed: logStart 0 <= hw 6 <= leo 2/);
    });
  });

  it("trips when the log start offset would pass the high watermark", async () => {
    const { stub, topicId } = await replica();
    await stub.append({ topicId, leaderEpoch: 0, acks: 1, batches: [batch(["a"])] });
    await runInDurableObject(stub, (instance: PartitionReplica) => {
      const log = instance.state!.log;
      log.logStartOffset = 3;
      expect(() => log.appendAsLeader([batch(["b"])], 0, Date.now(), null, null)).toThrow(/assertion failed: logStart 3 <= hw 1 <= leo 2/);
    });
  });

  it("trips when a batch would go back in the offsets", async () => {
    const { stub, topicId } = await replica();
    await stub.append({ topicId, leaderEpoch: 0, acks: 1, batches: [batch(["a", "b"])] });
    await runInDurableObject(stub, (instance: PartitionReplica, state) => {
      const back = batch(["c"]);
      setBaseOffset(back, 1);
      const log = instance.state!.log as unknown as { insertBatch(b: Uint8Array, nowMs: number): void };
      expect(() => state.storage.transactionSync(() => log.insertBatch(back, Date.now()))).toThrow(/assertion failed: batch at 1 appended at or after log end 2/);
    });
  });

  it("refuses a batch out of line from the leader as a result, before the assertion is needed; a gap a cleaner left is in line", async () => {
    const { stub } = await replica();
    await runInDurableObject(stub, (instance: PartitionReplica) => {
      const log = instance.state!.log;
      const gap = batch(["c"]);
      setBaseOffset(gap, 5);
      expect(log.appendAsFollower([gap], [], Date.now())).toBeNull();
      expect(log.logEndOffset).toBe(6);
      const back = batch(["d"]);
      setBaseOffset(back, 5);
      expect(log.appendAsFollower([back], [], Date.now())).toMatchObject({ ok: false, error_code: 40903, message: "replicated batch starts at 5, before 6" });
    });
  });
});

describe("a replica's leader epoch", () => {
  it("only grows: an older role is refused as a result, and adopting one trips the assertion", async () => {
    const { stub, topicId } = await replica(5);
    const role = { leader: 0, leaderEpoch: 4, replicas: [0], isr: [0] };
    expect(await stub.assumeRole(topicId, role)).toMatchObject({ ok: false, error_code: 50004, error_name: "FENCED_LEADER_EPOCH" });
    await runInDurableObject(stub, (instance: PartitionReplica) => {
      expect(() => instance.state!.adopt(role)).toThrow(/assertion failed: leader epoch only grows: 5 -> 4/);
      expect(instance.state!.role.leaderEpoch).toBe(5);
    });
    expect(await stub.assumeRole(topicId, { ...role, leaderEpoch: 6 })).toEqual({ ok: true });
  });
});

describe("a bug in a replica's alarm", () => {
  it("is logged with the replica's context and the alarm set again, not dropped", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const { stub, topicId } = await replica();
    await stub.append({ topicId, leaderEpoch: 0, acks: 1, batches: [batch(["a"])] }); // retention now has a log to look at: an alarm is set
    await runInDurableObject(stub, (instance: PartitionReplica) => {
      instance.state!.log.applyRetention = () => {
        throw new Error("test: retention broke");
      };
    });
    const before = Date.now();
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const lines = logged.mock.calls.map((c) => JSON.parse(String(c[0])));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ event: "bug", where: "PartitionReplica.alarm", topicId, partition: 0, broker: 0, role: "leader" });
    expect(lines[0].error).toContain("test: retention broke");
    const next = await runInDurableObject(stub, (_: PartitionReplica, state) => state.storage.getAlarm());
    expect(next).toBeGreaterThanOrEqual(before + 4_000);
  });
});

describe("a replica's alarm when its memory does not know what is pending", () => {
  const pending = (stub: Awaited<ReturnType<typeof replica>>["stub"]) => runInDurableObject(stub, (_: PartitionReplica, state) => state.storage.getAlarm());

  it("is never moved later by new configs (workerd would cancel a run being dispatched), but is moved sooner", async () => {
    const { stub, topicId } = await replica();
    await stub.setConfigs(topicId, { "retention.ms": String(60 * 60_000) });
    await stub.append({ topicId, leaderEpoch: 0, acks: 1, batches: [batch(["a"])] }); // retention now has a log to look at
    const first = await pending(stub);
    expect(first).not.toBeNull();
    // Longer retention is due later: memory forgot its alarm, and must not move the pending one later.
    expect(await stub.setConfigs(topicId, { "retention.ms": String(24 * 60 * 60_000) })).toEqual({ ok: true });
    expect(await pending(stub)).toBe(first);
    // Shorter retention is due sooner: the alarm moves to it.
    expect(await stub.setConfigs(topicId, { "retention.ms": "60000" })).toEqual({ ok: true });
    const deadline = Date.now() + 5_000;
    let now = await pending(stub);
    while (now === first && Date.now() < deadline) now = await pending(stub);
    expect(now).not.toBeNull();
    expect(now!).toBeLessThan(first!);
  });
});

import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { buildBatch, encodeRecords, readBatchHeader, setBaseOffset, setMaxTimestamp } from "../../src/record/record-batch";
import type { Failure } from "../../src/errors";
import type { PartitionReplica } from "../../src/replication/partition-replica";
import type { FetchOk } from "../../src/replication/types";
import type { ConfigOverrides } from "../../src/topic/configs";

let counter = 0;
/** A fresh, initialised replica with a unique name for this file. */
async function replica(configs: ConfigOverrides = {}) {
  const topicId = `pr-test-${++counter}`;
  const stub = env.PARTITIONS.get(env.PARTITIONS.idFromName(`${topicId}/0/0`));
  await stub.init({ topicId, topicName: `pr-${counter}`, partition: 0, brokerId: 0, configs, role: { leader: 0, leaderEpoch: 0, replicas: [0], isr: [0] } });
  return { stub, topicId };
}

function batch(values: string[], timestampMs = Date.now()): Uint8Array {
  const records = values.map((v) => ({ key: null, value: new TextEncoder().encode(v), headers: [], timestampMs }));
  return buildBatch({ recordsSection: encodeRecords(records, timestampMs), recordCount: records.length, baseTimestampMs: timestampMs, maxTimestampMs: timestampMs });
}

describe("a partition replica", () => {
  it("assigns dense offsets from 0 across appends and batches", async () => {
    const { stub, topicId } = await replica();
    const a = await stub.append({ topicId, leaderEpoch: 0, acks: 1, batches: [batch(["a", "b"])] });
    const b = await stub.append({ topicId, leaderEpoch: 0, acks: 1, batches: [batch(["c"]), batch(["d", "e", "f"])] });
    expect(a).toMatchObject({ ok: true, baseOffset: 0, lastOffset: 1, highWatermark: 2 });
    expect(b).toMatchObject({ ok: true, baseOffset: 2, lastOffset: 5, highWatermark: 6 });
    const read = await stub.read({ topicId, offset: 3, maxBytes: 1 << 20, timeoutMs: 0 });
    if (!read.ok) throw new Error(read.message);
    expect(read.batches.map((x) => readBatchHeader(x).baseOffset)).toEqual([3]);
  });

  it("returns at least one whole batch even when it is larger than max bytes", async () => {
    const { stub, topicId } = await replica();
    await stub.append({ topicId, leaderEpoch: 0, acks: 1, batches: [batch(["x".repeat(500)]), batch(["y"])] });
    const read = await stub.read({ topicId, offset: 0, maxBytes: 10, timeoutMs: 0 });
    expect(read.ok && read.batches.length).toBe(1);
  });

  it("refuses a batch with a bad CRC and appends nothing", async () => {
    const { stub, topicId } = await replica();
    const bad = batch(["a"]);
    bad[bad.length - 1]! ^= 0xff;
    const res = await stub.append({ topicId, leaderEpoch: 0, acks: 1, batches: [batch(["ok"]), bad] });
    expect(res).toMatchObject({ ok: false, error_code: 50001, message: expect.stringMatching(/CRC-32C/) });
    expect(await stub.describe(topicId)).toMatchObject({ logEndOffset: 0 });
  });

  it("refuses an append carrying another leader epoch", async () => {
    const { stub, topicId } = await replica();
    const res = await stub.append({ topicId, leaderEpoch: 3, acks: 1, batches: [batch(["a"])] });
    expect(res).toMatchObject({ ok: false, error_code: 50003, message: expect.stringMatching(/not the leader of epoch 3/) });
  });

  it("answers as unknown to a caller holding another topic id", async () => {
    const { stub } = await replica();
    expect(await stub.append({ topicId: "someone-else", leaderEpoch: 0, acks: 1, batches: [batch(["a"])] })).toMatchObject({ ok: false, error_code: 40401 });
  });

  it("names the offset of a batch corrupted on disk when it is read back", async () => {
    const { stub, topicId } = await replica();
    await stub.append({ topicId, leaderEpoch: 0, acks: 1, batches: [batch(["a"]), batch(["b", "c"])] });
    await runInDurableObject(stub, (_: PartitionReplica, state) => {
      const row = state.storage.sql.exec<{ bytes: ArrayBuffer }>("SELECT bytes FROM batches WHERE base_offset = 1").one();
      const bytes = new Uint8Array(row.bytes);
      bytes[bytes.length - 1]! ^= 1;
      state.storage.sql.exec("UPDATE batches SET bytes = ? WHERE base_offset = 1", bytes);
    });
    const read = await stub.read({ topicId, offset: 0, maxBytes: 1 << 20, timeoutMs: 0 });
    expect(read).toMatchObject({ ok: false, error_code: 50001, message: expect.stringMatching(/at offset 1: .*CRC-32C/) });
    expect(await stub.read({ topicId, offset: 0, maxBytes: 1, timeoutMs: 0 })).toMatchObject({ ok: true });
  });

  it("rolls a new segment when the next batch would overfill segment.bytes", async () => {
    const { stub, topicId } = await replica({ "segment.bytes": "200" });
    for (let i = 0; i < 5; i++) await stub.append({ topicId, leaderEpoch: 0, acks: 1, batches: [batch(["x".repeat(60)])] });
    const d = await stub.describe(topicId);
    expect(d).toMatchObject({ ok: true, segmentsCount: 5 });
  });

  it("deletes whole expired segments from its alarm and moves the log start offset", async () => {
    const { stub, topicId } = await replica({ "segment.bytes": "200", "retention.ms": "60000" });
    const old = Date.now() - 120_000;
    await stub.append({ topicId, leaderEpoch: 0, acks: 1, batches: [batch(["x".repeat(60)], old)] });
    await stub.append({ topicId, leaderEpoch: 0, acks: 1, batches: [batch(["y".repeat(60)], old)] });
    await stub.append({ topicId, leaderEpoch: 0, acks: 1, batches: [batch(["z".repeat(60)])] });
    await runDurableObjectAlarm(stub); // it may already have run: expiry is due at once
    expect(await stub.describe(topicId)).toMatchObject({ logStartOffset: 2, highWatermark: 3, logEndOffset: 3, segmentsCount: 1 });
    expect(await stub.read({ topicId, offset: 1, maxBytes: 1 << 20, timeoutMs: 0 })).toMatchObject({ ok: false, error_code: 41601 });
    expect(await stub.read({ topicId, offset: 2, maxBytes: 1 << 20, timeoutMs: 0 })).toMatchObject({ ok: true });
  });

  it("keeps batches stored with max timestamp -1 by earlier versions until retention.ms after their last append, and across a restart", async () => {
    const { stub, topicId } = await replica({ "segment.bytes": "200", "retention.ms": "60000" });
    // What the Worker stored before it recomputed max timestamps: Sarama's header, -1, over recent records.
    const legacy = () => {
      const b = batch(["x".repeat(60)]);
      setMaxTimestamp(b, -1);
      return b;
    };
    for (let i = 0; i < 3; i++) await stub.append({ topicId, leaderEpoch: 0, acks: 1, batches: [legacy()] });
    await runDurableObjectAlarm(stub); // expiry, were -1 "very old", would be due at once
    expect(await stub.describe(topicId)).toMatchObject({ logStartOffset: 0, highWatermark: 3, segmentsCount: 3 });
    const ran = await runInDurableObject(stub, (instance: PartitionReplica, state) => {
      const fresh = new (instance.constructor as new (s: DurableObjectState, e: unknown) => PartitionReplica)(state, env);
      return fresh.describe(topicId).then(() => ({ deleted: fresh.state!.log.applyRetention(Date.now()), dueMs: fresh.state!.log.retentionDueMs(Date.now()) }));
    });
    expect(ran.deleted).toBe(false);
    expect(ran.dueMs).toBeGreaterThan(Date.now() + 50_000);
    // The time index skips them, as Kafka's does a batch with no timestamp: a lookup finds the next batch that has one.
    const nowMs = Date.now();
    await stub.append({ topicId, leaderEpoch: 0, acks: 1, batches: [batch(["y"], nowMs)] });
    const found = await stub.batchForTimestamp(topicId, nowMs - 10_000);
    expect(found.ok && found.batch !== null && readBatchHeader(found.batch).baseOffset).toBe(3);
  });

  it("deletes oldest segments while the rest still holds retention.bytes, as Kafka does", async () => {
    const { stub, topicId } = await replica({ "segment.bytes": "200", "retention.bytes": "200" });
    for (let i = 0; i < 4; i++) await stub.append({ topicId, leaderEpoch: 0, acks: 1, batches: [batch(["x".repeat(60)])] });
    await runDurableObjectAlarm(stub);
    const d = await stub.describe(topicId);
    if (!d.ok) throw new Error(d.message);
    // Four one-batch segments of 127 bytes: two go, the 254 left are >= 200 and one fewer would not be.
    expect(d).toMatchObject({ logStartOffset: 2, logEndOffset: 4, segmentsCount: 2 });
    const segmentBytes = d.sizeBytes / 2;
    expect(d.sizeBytes).toBeGreaterThanOrEqual(200);
    expect(d.sizeBytes - segmentBytes).toBeLessThan(200);
  });

  it("keeps its log, offsets and segments across a restart from storage", async () => {
    const { stub, topicId } = await replica({ "segment.bytes": "200" });
    for (let i = 0; i < 3; i++) await stub.append({ topicId, leaderEpoch: 0, acks: 1, batches: [batch(["x".repeat(60)])] });
    const before = await stub.describe(topicId);
    await runInDurableObject(stub, (instance: PartitionReplica, state) => {
      // A new instance over the same storage is what a restart gives.
      const fresh = new (instance.constructor as new (s: DurableObjectState, e: unknown) => PartitionReplica)(state, env);
      return fresh.describe(topicId).then((after) => expect(after).toEqual(before));
    });
  });

  it("forgets everything when wiped, and refuses appends until initialised again", async () => {
    const { stub, topicId } = await replica();
    await stub.append({ topicId, leaderEpoch: 0, acks: 1, batches: [batch(["a"])] });
    await stub.wipe();
    expect(await stub.append({ topicId, leaderEpoch: 0, acks: 1, batches: [batch(["b"])] })).toMatchObject({ ok: false, error_code: 40401 });
    await runInDurableObject(stub, (_: PartitionReplica, state) => {
      expect(state.storage.sql.exec("SELECT COUNT(*) AS n FROM batches").one().n).toBe(0);
    });
  });

  it("wakes a parked read when a wipe removes the partition", async () => {
    const { stub, topicId } = await replica();
    const read = watched(stub.read({ topicId, offset: 0, maxBytes: 1000, timeoutMs: 10_000 }) as Promise<FetchOk | Failure>);
    await parkedReads(stub, 1);
    expect(read.settled).toBe(false); // it waits at the high watermark
    await stub.wipe();
    expect(await read.promise).toMatchObject({ ok: false, error_code: 40401, message: expect.stringMatching(/deleted/) });
  });

  it("answers a read parked at the high watermark as soon as records arrive", async () => {
    const { stub, topicId } = await replica();
    const read = watched(stub.read({ topicId, offset: 0, maxBytes: 1000, timeoutMs: 10_000 }) as Promise<FetchOk | Failure>);
    await parkedReads(stub, 1);
    expect(read.settled).toBe(false);
    await stub.append({ topicId, leaderEpoch: 0, acks: 1, batches: [batch(["late"])] });
    const result = await read.promise;
    if (!result.ok) throw new Error(result.message);
    expect(result.batches.map((b) => readBatchHeader(b).baseOffset)).toEqual([0]);
    expect(await parkedReads(stub, 0)).toBe(0);
  });

  it("says why it does not know a topic id: deleted, or another topic's replica", async () => {
    const { stub, topicId } = await replica();
    expect(await stub.describe("someone-else")).toMatchObject({ ok: false, error_code: 40401, message: `this replica belongs to topic id ${topicId}, not someone-else` });
    await stub.wipe();
    expect(await stub.describe(topicId)).toMatchObject({ ok: false, error_code: 40401, message: expect.stringMatching(/its topic was deleted/) });
  });

  it("names Kafka's condition when it is not the leader of the caller's epoch", async () => {
    const { stub, topicId } = await replica();
    const res = await stub.append({ topicId, leaderEpoch: 3, acks: 1, batches: [batch(["a"])] });
    expect(res).toMatchObject({ ok: false, error_code: 50003, error_name: "NOT_LEADER_OR_FOLLOWER" });
    expect(res.ok === false && res.message.startsWith("NOT_LEADER_OR_FOLLOWER: broker 0 is not the leader of epoch 3")).toBe(true);
  });

  it("names each refusal of a replica's illegal state for its own Kafka condition, not one name for the code", async () => {
    const topicId = `pr-test-${++counter}`;
    const follower = env.PARTITIONS.get(env.PARTITIONS.idFromName(`${topicId}/0/1`));
    const init = { topicId, topicName: `pr-${counter}`, partition: 0, brokerId: 1, configs: {}, role: { leader: 0, leaderEpoch: 0, replicas: [0, 1], isr: [0, 1] } };
    expect(await follower.init(init)).toEqual({ ok: true });
    expect(await follower.init({ ...init, topicId: "another-topic" })).toMatchObject({ ok: false, error_code: 40903, error_name: "INCONSISTENT_TOPIC_ID" });
    const push = { topicId, leaderEpoch: 1, fromOffset: 0, batches: [batch(["a"])], keys: [], highWatermark: 0 };
    expect(await follower.replicate(push)).toMatchObject({ ok: false, error_code: 40903, error_name: "UNKNOWN_LEADER_EPOCH" });
    expect(await follower.handshake({ topicId, leaderEpoch: 1, leaderBrokerId: 0 })).toMatchObject({ ok: true, logEndOffset: 0 });
    expect(await follower.replicate({ ...push, fromOffset: 5 })).toMatchObject({ ok: false, error_code: 40903, error_name: "OFFSET_OUT_OF_RANGE" });
    expect(await follower.replicate(push)).toEqual({ ok: true, logEndOffset: 1, logStartOffset: 0 });
    const back = batch(["b"]);
    setBaseOffset(back, 0);
    expect(await follower.replicate({ ...push, fromOffset: 1, batches: [back] })).toMatchObject({ ok: false, error_code: 40903, error_name: "OFFSET_OUT_OF_RANGE" });
  });
});

/** A promise with a flag saying whether it has settled yet. */
function watched<T>(promise: Promise<T>): { promise: Promise<T>; settled: boolean } {
  const w = { promise, settled: false };
  void promise.finally(() => {
    w.settled = true;
  });
  return w;
}

/** Waits until exactly `count` reads are parked at the replica's high watermark (observed in the object), and returns it. */
async function parkedReads(stub: DurableObjectStub<PartitionReplica>, count: number): Promise<number> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const parked = await runInDurableObject(stub, (instance: PartitionReplica) => instance.state?.fetchWaiters.size ?? 0);
    if (parked === count) return parked;
    if (Date.now() > deadline) throw new Error(`${parked} reads parked, expected ${count}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

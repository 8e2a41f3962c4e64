// Kafka's idempotent producer over record batches: producer ids, duplicates,
// gaps, fencing, expiry, a restart, and one producer's pipelined batches.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ProducerIds } from "../../src/controller/producer-ids";
import { limits } from "../../src/limits";
import type { PartitionReplica } from "../../src/replication/partition-replica";
import { call, createTopic, V3 } from "../helpers";
import { replica } from "./helpers";
import { idempotentBatch, join, newProducer, postBatches, storedValues } from "./idempotence-helpers";

const OUT_OF_ORDER = { error_code: 42206, message: expect.stringMatching(/^OUT_OF_ORDER_SEQUENCE_NUMBER: /) };
const FENCED = { error_code: 40903, message: expect.stringMatching(/^INVALID_PRODUCER_EPOCH: /) };

describe("producer ids", () => {
  it("are handed out once each, with epoch 0, from a counter kept in the controller's storage", async () => {
    const a = await call("POST", `${V3}/producer-ids`);
    const b = await call("POST", `${V3}/producer-ids`, {});
    expect(a.status).toBe(200);
    expect(a.body).toEqual({ producer_id: expect.any(Number), producer_epoch: 0 });
    expect(b.body.producer_id).toBeGreaterThan(a.body.producer_id);
    const many = await Promise.all(Array.from({ length: 20 }, () => newProducer()));
    expect(new Set(many).size).toBe(20);
    expect(Math.min(...many)).toBeGreaterThan(b.body.producer_id);
    // A controller started afresh from its storage carries on after the last id handed out.
    const controller = env.CONTROLLER.get(env.CONTROLLER.idFromName("controller"));
    const issued = await runInDurableObject(controller, (_: unknown, state) => new ProducerIds(state.storage.sql).issued());
    expect(issued).toBe(Math.max(...many) + 1);
    expect(issued).toBeLessThan(limits.producerIdMax);
  });

  it("refuses batches of an id this cluster never handed out with 42206 naming UNKNOWN_PRODUCER_ID", async () => {
    await createTopic("idp-unknown-id");
    const res = await postBatches("idp-unknown-id", idempotentBatch(2 ** 45, 0, 0, ["x"]));
    expect(res).toMatchObject({ status: 422, body: { error_code: 42206, message: expect.stringMatching(/^UNKNOWN_PRODUCER_ID: producer id 35184372088832 was not handed out/) } });
    expect(await storedValues("idp-unknown-id")).toEqual([]);
  });
});

describe("an idempotent producer's batches", () => {
  it("answer a retry of any of the last 5 batches with its original offsets and append nothing", async () => {
    await createTopic("idp-dup");
    const pid = await newProducer();
    const first = await postBatches("idp-dup", idempotentBatch(pid, 0, 0, ["a", "b", "c"]));
    expect(first).toEqual({ status: 200, body: { base_offset: 0, last_offset: 2, log_append_time: -1, log_start_offset: 0 } });
    expect((await postBatches("idp-dup", idempotentBatch(pid, 0, 0, ["a", "b", "c"]))).body).toEqual(first.body);
    for (let i = 1; i <= 5; i++) expect((await postBatches("idp-dup", idempotentBatch(pid, 0, 2 + i, [`v${i}`]))).body.base_offset).toBe(2 + i);
    // Batches 1–5 (sequences 3–7) are remembered; batch 0 has left the window and its retry is out of order.
    expect((await postBatches("idp-dup", idempotentBatch(pid, 0, 3, ["v1"]))).body).toMatchObject({ base_offset: 3, last_offset: 3 });
    expect((await postBatches("idp-dup", idempotentBatch(pid, 0, 0, ["a", "b", "c"]))).body).toMatchObject(OUT_OF_ORDER);
    expect(await storedValues("idp-dup")).toEqual(["a", "b", "c", "v1", "v2", "v3", "v4", "v5"]);
  });

  it("refuse a gap, and an unknown producer starting past sequence 0, with 42206 OUT_OF_ORDER_SEQUENCE_NUMBER, storing nothing", async () => {
    await createTopic("idp-gap");
    const pid = await newProducer();
    expect((await postBatches("idp-gap", idempotentBatch(pid, 0, 4, ["late"]))).body).toMatchObject(OUT_OF_ORDER);
    expect((await postBatches("idp-gap", idempotentBatch(pid, 0, 0, ["a", "b"]))).status).toBe(200);
    const gap = await postBatches("idp-gap", idempotentBatch(pid, 0, 3, ["d"]));
    expect(gap).toMatchObject({ status: 422, body: OUT_OF_ORDER });
    expect(gap.body.message).toMatch(/sent sequence 3, but 2 is next here/);
    // Same first sequence, other last sequence: not a retry, so out of order too.
    expect((await postBatches("idp-gap", idempotentBatch(pid, 0, 0, ["a"]))).body).toMatchObject(OUT_OF_ORDER);
    expect((await postBatches("idp-gap", idempotentBatch(pid, 0, 2, ["c"]))).body.base_offset).toBe(2);
    expect(await storedValues("idp-gap")).toEqual(["a", "b", "c"]);
  });

  it("fence an older epoch with 40903 INVALID_PRODUCER_EPOCH; a newer epoch must start at sequence 0", async () => {
    await createTopic("idp-epoch");
    const pid = await newProducer();
    expect((await postBatches("idp-epoch", idempotentBatch(pid, 0, 0, ["e0"]))).status).toBe(200);
    expect((await postBatches("idp-epoch", idempotentBatch(pid, 1, 1, ["e1"]))).body).toMatchObject(OUT_OF_ORDER);
    expect((await postBatches("idp-epoch", idempotentBatch(pid, 1, 0, ["e1"]))).body.base_offset).toBe(1);
    const fenced = await postBatches("idp-epoch", idempotentBatch(pid, 0, 1, ["stale"]));
    expect(fenced).toMatchObject({ status: 409, body: FENCED });
    // Even a retry of the old epoch's batch is fenced now: its epoch is over.
    expect((await postBatches("idp-epoch", idempotentBatch(pid, 0, 0, ["e0"]))).body).toMatchObject(FENCED);
    expect(await storedValues("idp-epoch")).toEqual(["e0", "e1"]);
  });

  it("in one body must be one producer's, with contiguous sequences; a retried body is answered whole", async () => {
    await createTopic("idp-body");
    const [pid, other] = [await newProducer(), await newProducer()];
    const body = join(idempotentBatch(pid, 0, 0, ["a", "b"]), idempotentBatch(pid, 0, 2, ["c"]), idempotentBatch(pid, 0, 3, ["d", "e"]));
    const first = await postBatches("idp-body", body);
    expect(first.body).toMatchObject({ base_offset: 0, last_offset: 4 });
    expect((await postBatches("idp-body", body)).body).toEqual(first.body);
    const holes = join(idempotentBatch(pid, 0, 5, ["f"]), idempotentBatch(pid, 0, 7, ["h"]));
    expect((await postBatches("idp-body", holes)).body).toMatchObject({ ...OUT_OF_ORDER, message: expect.stringMatching(/batch 1 starts at sequence 7/) });
    const mixed = join(idempotentBatch(pid, 0, 5, ["f"]), idempotentBatch(other, 0, 0, ["x"]));
    expect((await postBatches("idp-body", mixed)).body).toMatchObject({ error_code: 42206, message: expect.stringMatching(/^INVALID_RECORD: batch 1 is of producer/) });
    // A retry of the first batch with a new one behind it was never appended that way.
    const partly = join(idempotentBatch(pid, 0, 0, ["a", "b"]), idempotentBatch(pid, 0, 5, ["f"]));
    expect((await postBatches("idp-body", partly)).body).toMatchObject(OUT_OF_ORDER);
    expect(await storedValues("idp-body")).toEqual(["a", "b", "c", "d", "e"]);
  });

  it("answer a retry on a LogAppendTime topic with the original append time", async () => {
    await createTopic("idp-append-time", 1, [{ name: "message.timestamp.type", value: "LogAppendTime" }]);
    const pid = await newProducer();
    const first = await postBatches("idp-append-time", idempotentBatch(pid, 0, 0, ["a"], 1_000));
    expect(first.body.log_append_time).toBeGreaterThan(1_000);
    expect((await postBatches("idp-append-time", idempotentBatch(pid, 0, 0, ["a"], 1_000))).body).toEqual(first.body);
  });

  it("are forgotten once the producer was idle for producerIdExpirationMs: it must start at 0 again", async () => {
    await createTopic("idp-expiry");
    const pid = await newProducer();
    expect((await postBatches("idp-expiry", idempotentBatch(pid, 0, 0, ["a"]))).status).toBe(200);
    const { stub } = await replica("idp-expiry", 0, 0);
    // As if a day had passed: the rows' expiry is now, and the alarm's work runs.
    const rows = await runInDurableObject(stub, (instance: PartitionReplica, state) => {
      state.storage.sql.exec("UPDATE producer_keys SET expires_at_ms = ? WHERE producer_id = ?", Date.now() - 1, pid);
      instance.state!.tick(Date.now());
      return state.storage.sql.exec("SELECT COUNT(*) AS n FROM producer_keys").one().n;
    });
    expect(rows).toBe(0);
    expect((await postBatches("idp-expiry", idempotentBatch(pid, 0, 1, ["b"]))).body).toMatchObject(OUT_OF_ORDER);
    expect((await postBatches("idp-expiry", idempotentBatch(pid, 0, 0, ["b"]))).body.base_offset).toBe(1);
  });

  it("are still deduplicated after the partition's broker restarts", async () => {
    await createTopic("idp-restart", 1, [], 1);
    const pid = await newProducer();
    const first = await postBatches("idp-restart", idempotentBatch(pid, 0, 0, ["a", "b"]));
    expect((await call("POST", `${V3}/brokers/0/restart`)).status).toBe(204);
    expect((await postBatches("idp-restart", idempotentBatch(pid, 0, 0, ["a", "b"]))).body).toEqual(first.body);
    expect((await postBatches("idp-restart", idempotentBatch(pid, 0, 2, ["c"]))).body.base_offset).toBe(2);
    expect(await storedValues("idp-restart")).toEqual(["a", "b", "c"]);
  });

  it("pipelined five at a time, each sent twice at once, land once each and in sequence order", async () => {
    await createTopic("idp-pipeline");
    const pid = await newProducer();
    const values = (i: number) => Array.from({ length: 10 }, (_, j) => `b${i}-${j}`);
    const landed: Promise<{ base_offset: number }>[] = [];
    // As a Kafka client retries: a batch refused as out of order goes again once the batch before it has landed.
    const send = async (i: number): Promise<{ base_offset: number }> => {
      for (;;) {
        const res = await postBatches("idp-pipeline", idempotentBatch(pid, 0, i * 10, values(i)));
        if (res.status === 200) return res.body;
        expect(res.body).toMatchObject(OUT_OF_ORDER);
        expect(i).toBeGreaterThan(0);
        await landed[i - 1];
      }
    };
    for (let round = 0; round < 2; round++) {
      const pairs = Array.from({ length: 5 }, (_, k) => round * 5 + k).map((i) => {
        landed[i] = send(i);
        return Promise.all([landed[i], send(i)]);
      });
      for (const [a, b] of await Promise.all(pairs)) expect(b).toEqual(a);
    }
    const offsets = await Promise.all(landed);
    expect(offsets.map((o) => o.base_offset)).toEqual(Array.from({ length: 10 }, (_, i) => i * 10));
    expect(await storedValues("idp-pipeline")).toEqual(Array.from({ length: 10 }, (_, i) => values(i)).flat());
  });
});

describe("a partition's copy of its producers' state", () => {
  /** A fresh single-replica partition leading in epoch 0, outside any topic. */
  async function bareReplica(name: string) {
    const topicId = `${name}-${crypto.randomUUID()}`;
    const stub = env.PARTITIONS.get(env.PARTITIONS.idFromName(`${topicId}/0/0`));
    await stub.init({ topicId, topicName: name, partition: 0, brokerId: 0, configs: {}, role: { leader: 0, leaderEpoch: 0, replicas: [0], isr: [0] } });
    const append = (sequence: number, value: string) => stub.append({ topicId, leaderEpoch: 0, acks: 1, batches: [idempotentBatch(7, 0, sequence, [value])] });
    return { stub, append };
  }

  it("follows a truncation: batches cut from the log are no longer retries", async () => {
    const { stub, append } = await bareReplica("idp-truncated");
    expect(await append(0, "a")).toMatchObject({ ok: true, baseOffset: 0 });
    expect(await append(1, "b")).toMatchObject({ ok: true, baseOffset: 1 });
    await runInDurableObject(stub, (r: PartitionReplica) => r.state!.log.truncateTo(1));
    expect(await append(1, "b")).toMatchObject({ ok: true, baseOffset: 1, duplicate: false });
    expect(await append(0, "a")).toMatchObject({ ok: true, baseOffset: 0, duplicate: true });
  });

  it("follows a transaction that rolled back: the batch it would have remembered is appended on retry", async () => {
    const { stub, append } = await bareReplica("idp-rollback");
    expect(await append(0, "a")).toMatchObject({ ok: true, baseOffset: 0 });
    await runInDurableObject(stub, async (r: PartitionReplica) => {
      const keys = r.state!.log.keys;
      const insert = keys.insert.bind(keys);
      keys.insert = (k) => {
        insert(k);
        throw new Error("test: storage failed after the key was written");
      };
      await expect(r.state!.leader.append({ topicId: r.state!.topicId, leaderEpoch: 0, acks: 1, batches: [idempotentBatch(7, 0, 1, ["b"])] })).rejects.toThrow(/test: storage failed/);
      keys.insert = insert;
    });
    expect(await append(1, "b")).toMatchObject({ ok: true, baseOffset: 1, duplicate: false });
  });
});

// An idempotent producer's state travels with its batches: a retry after
// the leader changes is still answered with its original offsets.
import { runInDurableObject } from "cloudflare:test";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { PartitionReplica } from "../../src/replication/partition-replica";
import { createTopic } from "../helpers";
import { idempotentBatch, newProducer, postBatches, storedValues } from "./idempotence-helpers";
import { fault, partition, quiesce, replica, waitFor } from "./helpers";

afterEach(async () => {
  for (const b of [0, 1, 2]) await fault(b, "heal");
});

afterAll(() => quiesce(["idf-"]), 20_000);

/** A replica's remembered batches of producer `pid`: first sequences and base offsets, oldest first. */
async function remembered(topic: string, broker: number, pid: number): Promise<string[]> {
  const { stub } = await replica(topic, 0, broker);
  return runInDurableObject(stub, (_: PartitionReplica, state) =>
    state.storage.sql
      .exec<{ first_sequence: number; base_offset: number }>("SELECT first_sequence, base_offset FROM producer_keys WHERE producer_id = ? ORDER BY base_offset", pid)
      .toArray()
      .map((r) => `${r.first_sequence}@${r.base_offset}`),
  );
}

describe("an idempotent producer on a replicated partition", () => {
  it("is deduplicated by the new leader when it retries after the leader's broker went down", async () => {
    await createTopic("idf-failover", 1, [{ name: "replica.lag.time.max.ms", value: "1000" }], 3);
    const pid = await newProducer();
    const first = await postBatches("idf-failover", idempotentBatch(pid, 0, 0, ["a", "b", "c"]), { acks: "all" });
    expect(first.body).toMatchObject({ base_offset: 0, last_offset: 2 });
    // acks=all: the followers hold the batch, and its producer state with it.
    for (const b of [1, 2]) expect(await remembered("idf-failover", b, pid)).toEqual(["0@0"]);
    await fault(0, "down");
    // The answer was lost, say: the producer retries until some leader answers.
    const retried = await waitFor("a new leader to answer the retry", async () => {
      const res = await postBatches("idf-failover", idempotentBatch(pid, 0, 0, ["a", "b", "c"]), { acks: "all" });
      if (res.status !== 200) expect(res.body.error_code).toBeOneOf([50003, 40404]);
      return res.status === 200 ? res : null;
    });
    expect(retried.body).toEqual(first.body);
    expect((await partition("idf-failover")).leader.broker_id).not.toBe(0);
    expect((await postBatches("idf-failover", idempotentBatch(pid, 0, 3, ["d"]), { acks: "all" })).body.base_offset).toBe(3);
    // The new leader also knows the sequence: a gap is still a gap.
    expect((await postBatches("idf-failover", idempotentBatch(pid, 0, 9, ["z"]), { acks: "all" })).body.message).toMatch(/^OUT_OF_ORDER_SEQUENCE_NUMBER: /);
    expect(await storedValues("idf-failover")).toEqual(["a", "b", "c", "d"]);
  });

  it("keeps the same last batches on every replica", async () => {
    await createTopic("idf-window", 1, [], 3);
    const pid = await newProducer();
    for (let i = 0; i < 7; i++) expect((await postBatches("idf-window", idempotentBatch(pid, 0, i * 2, [`x${i}`, `y${i}`]), { acks: "all" })).status).toBe(200);
    const leader = await remembered("idf-window", 0, pid);
    expect(leader).toEqual(["4@4", "6@6", "8@8", "10@10", "12@12"]);
    for (const b of [1, 2]) expect(await remembered("idf-window", b, pid)).toEqual(leader);
  });
});

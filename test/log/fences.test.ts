// The fences table of one replica: which token is in force after
// appends, truncation and a follower's reset, and which fences it forgets.
import { runInDurableObject } from "cloudflare:test";
import { afterAll, describe, expect, it } from "vitest";
import { CONTROL_BATCH } from "../../src/record/attributes";
import { fenceBatch, fenceTokenOf } from "../../src/record/control-records";
import { buildBatch, encodeRecords } from "../../src/record/record-batch";
import type { PartitionReplica } from "../../src/replication/partition-replica";
import { call, createTopic, V3 } from "../helpers";
import { quiesce, replica } from "../replication/helpers";

afterAll(() => quiesce(["fences-"]), 20_000);

const fence = (topic: string, token: string) => call("POST", `${V3}/topics/${topic}/partitions/0/fence`, { token });
const produce = (topic: string) => call("POST", `${V3}/topics/${topic}/records`, { partition_id: 0, value: { type: "JSON", data: 1 } });

/** The replica's fences rows, oldest first, as `offset:token`. */
async function rows(topic: string): Promise<string[]> {
  const { stub } = await replica(topic, 0, 0);
  return runInDurableObject(stub, (_: PartitionReplica, state) =>
    state.storage.sql.exec<{ base_offset: number; token: string }>("SELECT base_offset, token FROM fences ORDER BY base_offset").toArray().map((r) => `${r.base_offset}:${r.token}`),
  );
}

describe("fence control batches", () => {
  it("carry their token; other control batches and plain batches carry none", () => {
    expect(fenceTokenOf(fenceBatch("writer-1", 5))).toBe("writer-1");
    const t = 5;
    const plain = buildBatch({ recordCount: 1, baseTimestampMs: t, maxTimestampMs: t, recordsSection: encodeRecords([{ key: new Uint8Array(4), value: new Uint8Array(1), headers: [], timestampMs: t }], t) });
    expect(fenceTokenOf(plain)).toBeNull();
    const commitKey = new Uint8Array([0, 0, 0, 1]); // Kafka's COMMIT marker key
    const marker = buildBatch({ recordCount: 1, flags: CONTROL_BATCH, baseTimestampMs: t, maxTimestampMs: t, recordsSection: encodeRecords([{ key: commitKey, value: new Uint8Array(6), headers: [], timestampMs: t }], t) });
    expect(fenceTokenOf(marker)).toBeNull();
  });
});

describe("a replica's fences", () => {
  it("forget fences older than the newest one below the high watermark", async () => {
    await createTopic("fences-prune");
    for (const token of ["a", "b", "c"]) expect((await fence("fences-prune", token)).status).toBe(200);
    // Each fence is noted while the high watermark is still below it: the one before stays, older ones go.
    expect(await rows("fences-prune")).toEqual(["1:b", "2:c"]);
    await produce("fences-prune");
    expect(await rows("fences-prune")).toEqual(["1:b", "2:c"]);
  });

  it("go back to the token before a truncated fence, and take the leader's fence on a reset", async () => {
    await createTopic("fences-trunc");
    await fence("fences-trunc", "a");
    await produce("fences-trunc");
    await fence("fences-trunc", "b");
    const { stub } = await replica("fences-trunc", 0, 0);
    await runInDurableObject(stub, (instance: PartitionReplica) => {
      const log = instance.state!.log;
      expect(log.fences.current()).toEqual({ offset: 2, token: "b" });
      expect(log.fences.before(2)).toEqual({ offset: 0, token: "a" });
      log.truncateTo(1);
      expect(log.fences.current()).toEqual({ offset: 0, token: "a" });
      log.resetTo(10, 10, { offset: 7, token: "leader's" });
      expect(log.fences.current()).toEqual({ offset: 7, token: "leader's" });
      log.resetTo(12, 12, null);
      expect(log.fences.current()).toBeNull();
    });
  });
});

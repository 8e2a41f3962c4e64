// A compacted topic from the outside: its configs, keyless records refused on every produce path, retention by policy,
// the partition view's cleaner and its /metrics series.
import { runInDurableObject, SELF } from "cloudflare:test";
import { afterAll, describe, expect, it } from "vitest";
import { concatBytes } from "../../src/bytes/concat";
import { limits } from "../../src/limits";
import type { PartitionReplica } from "../../src/replication/partition-replica";
import { call, createTopic, V3 } from "../helpers";
import { quiesce, replica, waitFor } from "../replication/helpers";
import { keyedBatch } from "./helpers";

afterAll(() => quiesce(["clt-"]), 20_000);

const T = `${V3}/topics`;
const COMPACTED = [
  { name: "cleanup.policy", value: "compact" },
  { name: "segment.bytes", value: "100" },
  { name: "min.cleanable.dirty.ratio", value: "0" },
];
const hw = async (topic: string) => (await call("GET", `${T}/${topic}/partitions/0`)).body.high_watermark as number;

async function postBatches(topic: string, body: Uint8Array) {
  const res = await SELF.fetch(`http://runnel.test${T}/${topic}/partitions/0/batches`, { method: "POST", headers: { "content-type": "application/vnd.kafka.record-batch" }, body });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe("compaction configs", () => {
  it("take Kafka's names, defaults and values; refuse the rest with INVALID_CONFIG, changing nothing", async () => {
    await createTopic("clt-cfg", 1, [{ name: "cleanup.policy", value: "delete, compact" }, { name: "max.compaction.lag.ms", value: "9223372036854775807" }]);
    const configs = Object.fromEntries((await call("GET", `${T}/clt-cfg/configs`)).body.data.map((c: any) => [c.name, [c.value, c.is_default]]));
    expect(configs).toMatchObject({
      "cleanup.policy": ["delete, compact", false],
      "delete.retention.ms": ["86400000", true],
      "min.cleanable.dirty.ratio": ["0.5", true],
      "min.compaction.lag.ms": ["0", true],
      "max.compaction.lag.ms": ["9223372036854775807", false],
    });
    const refused = async (name: string, value: string, message: string | RegExp) => {
      const res = await call("PUT", `${T}/clt-cfg/configs/${name}`, { value });
      expect([res.status, res.body.error_name]).toEqual([400, "INVALID_CONFIG"]);
      expect(res.body.message).toMatch(message);
    };
    await refused("cleanup.policy", "compact,compact", /must be delete, compact, or both/);
    await refused("cleanup.policy", "archive", /must be delete, compact, or both/);
    await refused("min.cleanable.dirty.ratio", "1.5", /must be between 0 and 1/);
    await refused("delete.retention.ms", "-1", /must be between 0 and/);
    await refused("max.compaction.lag.ms", "0", /must be between 1 and/);
    await refused("min.compaction.lag.ms", "9223372036854775807", /must be between 0 and 9007199254740991/);
    // Kafka's cross-config rule: the minimum lag may not pass the maximum, whichever is set last.
    expect((await call("PUT", `${T}/clt-cfg/configs/max.compaction.lag.ms`, { value: "1000" })).status).toBe(204);
    await refused("min.compaction.lag.ms", "2000", "min.compaction.lag.ms (2000) may not be more than max.compaction.lag.ms (1000)");
    const dry = await call("POST", `${T}/clt-cfg/configs:alter`, { data: [{ name: "min.compaction.lag.ms", value: "2000" }], validate_only: true });
    expect([dry.status, dry.body.error_name]).toEqual([400, "INVALID_CONFIG"]);
    const created = await call("POST", T, { topic_name: "clt-cfg-2", configs: [{ name: "min.compaction.lag.ms", value: "5" }, { name: "max.compaction.lag.ms", value: "4" }] });
    expect([created.status, created.body.error_name]).toEqual([400, "INVALID_CONFIG"]);
    expect((await call("GET", `${T}/clt-cfg/configs/min.compaction.lag.ms`)).body.value).toBe("0");
    expect(limits.compactionLagMsUnbounded).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe("a record without a key on a compacted topic", () => {
  it("is refused with 42206 INVALID_RECORD on every produce path, and nothing of the request is appended", async () => {
    await createTopic("clt-keys", 1, COMPACTED);
    const v2 = await call("POST", "/topics/clt-keys/partitions/0", { records: [{ key: "a", value: 1 }, { value: 2 }] }, { "content-type": "application/vnd.kafka.json.v2+json" });
    expect([v2.status, v2.body.error_code, v2.body.error_name]).toEqual([422, 42206, "INVALID_RECORD"]);
    expect(v2.body.message).toMatch(/record 1 has no key, but topic 'clt-keys' is compacted \(cleanup.policy=compact\): every record needs a key/);
    const v3 = await call("POST", `${T}/clt-keys/records`, { partition_id: 0, value: { type: "STRING", data: "x" } });
    expect([v3.status, v3.body.error_code, v3.body.error_name]).toEqual([422, 42206, "INVALID_RECORD"]);
    const batch = await call("POST", `${T}/clt-keys/records:batch`, {
      entries: [
        { id: "keyed", partition_id: 0, key: { type: "STRING", data: "k" }, value: { type: "STRING", data: "v" } },
        { id: "keyless", partition_id: 0, value: { type: "STRING", data: "v" } },
      ],
    });
    expect(batch.body.successes.map((s: any) => s.id)).toEqual(["keyed"]); // v3 batches refuse entry by entry
    expect(batch.body.failures).toEqual([expect.objectContaining({ id: "keyless", error_code: 42206, error_name: "INVALID_RECORD" })]);
    expect(await hw("clt-keys")).toBe(1);
    const kafka = await postBatches("clt-keys", concatBytes([await keyedBatch([["a", "1"]]), await keyedBatch([["b", "1"], [null, "2"]])]));
    expect([kafka.status, kafka.body.error_name]).toEqual([422, "INVALID_RECORD"]);
    expect(kafka.body.message).toMatch(/^INVALID_RECORD: batch 1: record 1 has no key, .*; nothing was stored$/);
    expect(await hw("clt-keys")).toBe(1);
    expect((await postBatches("clt-keys", await keyedBatch([["b", "1"]]))).status).toBe(200);
  });

  it("is taken on a topic whose policy is delete", async () => {
    await createTopic("clt-keys-delete", 1);
    expect((await call("POST", `${T}/clt-keys-delete/records`, { partition_id: 0, value: { type: "STRING", data: "x" } })).status).toBe(200);
    expect((await postBatches("clt-keys-delete", await keyedBatch([[null, "1"]]))).status).toBe(200);
  });
});

describe("retention and the cleanup policy", () => {
  it("deletes old segments under delete and compact,delete, never under compact alone", async () => {
    const old = Date.now() - 10 * 60_000;
    for (const [topic, policy] of [["clt-ret-compact", "compact"], ["clt-ret-both", "compact,delete"]] as const) {
      await createTopic(topic, 1, [{ name: "cleanup.policy", value: policy }, { name: "segment.bytes", value: "100" }, { name: "retention.ms", value: "60000" }]);
      expect((await postBatches(topic, await keyedBatch([["a", "1"]], { timestampMs: old }))).status).toBe(200);
      expect((await postBatches(topic, await keyedBatch([["b", "1"]], { timestampMs: old }))).status).toBe(200);
      expect((await postBatches(topic, await keyedBatch([["c", "1"]]))).status).toBe(200);
      const { stub } = await replica(topic, 0, 0);
      await runInDurableObject(stub, (instance: PartitionReplica) => instance.state!.log.applyRetention(Date.now()));
      expect((await call("GET", `${T}/${topic}/partitions/0`)).body.log_start_offset).toBe(policy === "compact" ? 0 : 2);
      expect(await runInDurableObject(stub, (instance: PartitionReplica) => instance.state!.log.retentionDueMs(Date.now()) === null)).toBe(policy === "compact");
    }
  });
});

describe("DeleteRecords and the cleanup policy", () => {
  it("is refused with POLICY_VIOLATION under compact alone, as Kafka refuses it; taken under compact,delete", async () => {
    await createTopic("clt-dr", 1, [{ name: "cleanup.policy", value: "compact" }]);
    await createTopic("clt-dr-both", 1, [{ name: "cleanup.policy", value: "compact,delete" }]);
    for (const t of ["clt-dr", "clt-dr-both"]) for (const v of ["1", "2"]) expect((await postBatches(t, await keyedBatch([["a", v]]))).status).toBe(200);
    const refused = await call("POST", `${T}/clt-dr/partitions/0/records:delete-before`, { offset: 1 });
    expect([refused.status, refused.body.error_name]).toEqual([400, "POLICY_VIOLATION"]);
    expect((await call("GET", `${T}/clt-dr/partitions/0`)).body.log_start_offset).toBe(0);
    expect((await call("POST", `${T}/clt-dr-both/partitions/0/records:delete-before`, { offset: 1 })).status).toBe(200);
    expect((await call("GET", `${T}/clt-dr-both/partitions/0`)).body.log_start_offset).toBe(1);
  });
});

describe("the partition view and /metrics", () => {
  it("show the leader's cleaner: checkpoint, dirty ratio, last run; each replica's series, records removed", async () => {
    await createTopic("clt-view", 1, COMPACTED);
    await createTopic("clt-view-delete", 1);
    expect((await call("GET", `${T}/clt-view-delete/partitions/0`)).body.cleaner).toBeNull();
    const before = Date.now();
    for (const v of ["1", "2", "3"]) await postBatches("clt-view", await keyedBatch([["a", v]]));
    const view = await waitFor("a pass", async () => {
      const p = (await call("GET", `${T}/clt-view/partitions/0`)).body;
      return p.cleaner?.last_cleaned_offset === 2 ? p : null;
    });
    expect(view.cleaner).toEqual({ last_cleaned_offset: 2, dirty_ratio: 0, last_run: expect.any(Number) });
    expect(view.cleaner.last_run).toBeGreaterThanOrEqual(before);
    expect((await call("GET", `${T}/clt-view/partitions/0/records?offset=0`)).body.records).toHaveLength(2); // a=2, a=3; a=1's batch is empty
    const metrics = await (await SELF.fetch("http://runnel.test/metrics")).text();
    const line = (name: string) => metrics.split("\n").find((l) => l.startsWith(`${name}{topic="clt-view",partition="0",broker="0"}`));
    expect(line("runnel_partition_cleaner_checkpoint_offset")).toMatch(/ 2$/);
    expect(line("runnel_partition_cleaner_dirty_ratio")).toMatch(/ 0$/);
    expect(line("runnel_partition_cleaner_records_removed_total")).toMatch(/ 1$/); // a=1 (a=2 is the latest closed, a=3 active)
    expect(Number(line("runnel_partition_cleaner_passes_total")!.split(" ")[1])).toBeGreaterThanOrEqual(1);
    expect(line("runnel_partition_cleaner_last_run_timestamp_seconds")).toBeDefined();
    expect(line("runnel_partition_records_out_total")).toMatch(/ 2$/); // records served, not offsets spanned
    expect(metrics).not.toMatch(/runnel_partition_cleaner_checkpoint_offset\{topic="clt-view-delete"/);
  });
});

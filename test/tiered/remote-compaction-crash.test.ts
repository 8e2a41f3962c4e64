// A replica killed while the log cleaner rewrites a remote segment: between writing the new object and recording it,
// or between two parts of its multipart upload. The old segment stays in force, the new object (or upload) is given
// up and deleted; nothing is served twice, nothing is lost; the next pass rewrites the segment.
import { env, runInDurableObject } from "cloudflare:test";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { callFaults } from "../../src/faults/call-faults";
import type { PartitionReplica } from "../../src/replication/partition-replica";
import type { ReplicaState } from "../../src/replication/replica-state";
import type { ConfigOverrides } from "../../src/topic/configs";
import { call, createTopic, V3 } from "../helpers";
import { scrapeUntil } from "../metrics/helpers";
import { fault, quiesce, replica, waitFor } from "../replication/helpers";
import { bucketKeys, inReplica, tieredState, waitForView } from "./helpers";

afterEach(() => fault(0, "heal"));
afterAll(() => quiesce(["trcc-"]), 60_000);

const MiB = 1024 * 1024;
type Rec = [offset: number, key: string, value: string];

const alter = (topic: string, name: string, value: string) => call("POST", `${V3}/topics/${topic}/configs:alter`, { data: [{ name, value }] });

/** Appends each [key, value] as a request of its own. */
async function produceKeyed(topic: string, records: [string, string][]): Promise<void> {
  for (const [key, value] of records) {
    const res = await call("POST", `/topics/${topic}/partitions/0`, { records: [{ key, value }] }, { "content-type": "application/vnd.kafka.json.v2+json" });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
}

/** Every record from the log start through fetch (format=json), following next_offset across gaps; values cut to 8 characters. */
async function records(topic: string): Promise<Rec[]> {
  const out: Rec[] = [];
  for (let at = 0; ; ) {
    const res = await call("GET", `${V3}/topics/${topic}/partitions/0/records?offset=${at}&format=json&max_bytes=1048576`);
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
    out.push(...res.body.records.map((r: any): Rec => [r.offset, r.key, String(r.value).slice(0, 8)]));
    if (res.body.next_offset >= res.body.high_watermark) return out;
    at = res.body.next_offset;
  }
}

/** Each offset once, in order, every one as written; every key's latest record there. */
function expectSound(read: Rec[], written: Rec[]): void {
  const offsets = read.map(([o]) => o);
  expect(offsets).toEqual([...new Set(offsets)].sort((a, b) => a - b));
  for (const r of read) expect(r).toEqual(written[r[0]]);
  const latest = new Map(written.map((r) => [r[1], r]));
  for (const r of latest.values()) expect(read).toContainEqual(r);
}

/**
 * Inside broker 0's replica (its alarm stopped by the fault): cleans at
 * ratio 0 step by step until `until` holds of the rewrite in progress,
 * then kills the replica with the next step in flight when `inFlight`,
 * and restarts it. Returns the rewrite it killed.
 */
async function killRewrite(topic: string, configs: ConfigOverrides, until: (w: { stagedTo: number; lastOffset: number; parts: unknown[] }) => boolean, inFlight: boolean) {
  const { topicId, stub } = await replica(topic, 0, 0);
  await fault(0, "down"); // its alarm does nothing while down; the test takes the steps
  return runInDurableObject(stub, async (instance: PartitionReplica) => {
    const r: ReplicaState = instance.state!;
    r.log.setConfigs({ ...configs, "min.cleanable.dirty.ratio": "0" });
    const store = r.tiered.segmentStore;
    for (let i = 0; ; i++) {
      if (i > 2_000) throw new Error("the rewrite never got there");
      const w = store.rewrites.current();
      if (w !== null && until(w)) break;
      await r.cleaner.step(Date.now());
    }
    const killed = store.rewrites.current()!;
    if (inFlight) {
      const step = r.cleaner.step(Date.now());
      r.stop(); // killed while the step's bucket call is in flight: it lands, nothing is recorded
      await step;
    }
    const restarted = await callFaults(env).restart(0);
    if (!restarted.ok) throw new Error(restarted.message);
    await instance.describe(topicId); // memory rebuilt from storage
    instance.state!.tiered.replacedDelayMs = 0;
    return { killed, rewriteAfter: instance.state!.tiered.segmentStore.rewrites.current(), owed: instance.state!.tiered.outbox.all() };
  });
}

describe("a replica killed while the cleaner rewrites a remote segment", () => {
  it("after the new object is written and before it is recorded: the old segment stays in force, the new object goes", async () => {
    const configs = { "cleanup.policy": "compact", "segment.bytes": "100", "local.retention.bytes": "1", "local.retention.ms": "1", "min.cleanable.dirty.ratio": "0" };
    await createTopic("trcc-put", 1, Object.entries(configs).map(([name, value]) => ({ name, value })));
    await produceKeyed("trcc-put", [["a", "1"], ["b", "1"], ["c", "1"], ["d", "1"]]);
    await waitForView("trcc-put", "three segments copied and dropped locally", (v) => v.remote_segments === 3 && v.local_log_start_offset === 3);
    expect((await alter("trcc-put", "min.cleanable.dirty.ratio", "1")).status).toBe(204); // the test runs the next pass
    await produceKeyed("trcc-put", [["a", "2"], ["b", "2"], ["e", "1"]]);
    const written: Rec[] = [[0, "a", "1"], [1, "b", "1"], [2, "c", "1"], [3, "d", "1"], [4, "a", "2"], [5, "b", "2"], [6, "e", "1"]];
    const { topicId } = await replica("trcc-put", 0, 0);
    const before = await tieredState("trcc-put", 0, 0);

    const { killed, rewriteAfter, owed } = await killRewrite("trcc-put", { ...configs, "min.cleanable.dirty.ratio": "1" }, (w) => w.stagedTo > w.lastOffset, true);
    expect(killed.baseOffset).toBe(0); // the first segment: a=1 goes (an empty batch stays, the first of its epoch)
    expect(await bucketKeys(`${topicId}/`)).toContain(killed.objectKey); // the put landed
    expect(rewriteAfter).toBeNull(); // given up by the new memory
    expect(owed.map((o) => o.objectKey)).toEqual([killed.objectKey]);
    expect((await tieredState("trcc-put", 0, 0)).remote).toEqual(before.remote); // the old segments in force
    await fault(0, "heal");
    const read = await records("trcc-put");
    expect(read).toEqual(written); // nothing lost, nothing twice: as written, not yet cleaned
    expectSound(read, written);

    // The next pass rewrites the segment; the orphan and the replaced objects go.
    expect((await alter("trcc-put", "min.cleanable.dirty.ratio", "0")).status).toBe(204);
    await waitFor("the bucket cleaned, holding only recorded objects", async () => {
      const keys = await bucketKeys(`${topicId}/`);
      const s = await tieredState("trcc-put", 0, 0);
      return s.remote.at(-1)!.lastOffset === 5 && s.owed === 0 && JSON.stringify(keys) === JSON.stringify(s.remote.map((x) => x.key).sort());
    });
    const after = await records("trcc-put");
    expectSound(after, written);
    expect(after).toEqual([[2, "c", "1"], [3, "d", "1"], [4, "a", "2"], [5, "b", "2"], [6, "e", "1"]]);
  }, 60_000);

  it("between two parts of its multipart upload: the upload is aborted, the old segment stays in force, the next pass rewrites it", async () => {
    const configs = { "cleanup.policy": "compact", "segment.bytes": String(7.5 * MiB), "local.retention.bytes": "1", "local.retention.ms": "1", "min.cleanable.dirty.ratio": "0" };
    await createTopic("trcc-parts", 1, Object.entries(configs).map(([name, value]) => ({ name, value })));
    const { topicId, stub } = await replica("trcc-parts", 0, 0);
    await inReplica(stub, (t) => {
      t.partBytes = 5 * MiB; // R2's smallest part
    });
    // Eight records of 900 KiB in the first segment (7.2 MiB), the ninth in the next; then k0 again.
    const big = (i: number) => `v${i}-`.padEnd(900 * 1024, "x");
    await produceKeyed("trcc-parts", Array.from({ length: 9 }, (_, i): [string, string] => [`k${i}`, big(i)]));
    await waitForView("trcc-parts", "the first segment copied and dropped locally", (v) => v.remote_segments === 1 && v.local_log_start_offset === 8, 0, 60_000);
    expect((await alter("trcc-parts", "min.cleanable.dirty.ratio", "1")).status).toBe(204);
    expect((await alter("trcc-parts", "segment.ms", "1")).status).toBe(204); // each small record below closes the segment before it
    await produceKeyed("trcc-parts", [["k0", "new"], ["z", "1"]]);
    const written: Rec[] = [...Array.from({ length: 9 }, (_, i): Rec => [i, `k${i}`, big(i).slice(0, 8)]), [9, "k0", "new"], [10, "z", "1"]];
    const before = await tieredState("trcc-parts", 0, 0);

    // Cleaned, the segment is 6.3 MiB: two parts. Killed once the first is sent.
    const { killed, rewriteAfter, owed } = await killRewrite("trcc-parts", { ...configs, "segment.ms": "1", "min.cleanable.dirty.ratio": "1" }, (w) => w.parts.length === 1, false);
    expect(killed.uploadId).toEqual(expect.any(String));
    expect(rewriteAfter).toBeNull();
    expect(owed).toEqual([{ objectKey: killed.objectKey, uploadId: killed.uploadId, attempts: 0 }]); // the upload is aborted
    expect((await tieredState("trcc-parts", 0, 0)).remote).toEqual(before.remote);
    await fault(0, "heal");
    expectSound(await records("trcc-parts"), written);
    expect(await records("trcc-parts")).toEqual(written);

    expect((await alter("trcc-parts", "min.cleanable.dirty.ratio", "0")).status).toBe(204);
    const done = await waitFor("the segment rewritten in two parts, only recorded objects left", async () => {
      const keys = await bucketKeys(`${topicId}/`);
      const s = await tieredState("trcc-parts", 0, 0);
      const rewritten = s.remote[0]!.key !== before.remote[0]!.key;
      return rewritten && s.owed === 0 && JSON.stringify(keys) === JSON.stringify(s.remote.map((x) => x.key).sort()) ? s : null;
    }, 60_000);
    const head = await env.SEGMENTS.head(done.remote[0]!.key);
    expect(head!.size).toBeGreaterThan(6 * MiB); // seven records of 900 KiB
    const after = await records("trcc-parts");
    expectSound(after, written);
    expect(after.map(([o]) => o)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  }, 120_000);

  it("retries a rewrite the bucket refuses, with backoff, counting each failure, and starts the pass over when the bucket lost the upload", async () => {
    const configs = { "cleanup.policy": "compact", "segment.bytes": String(2_900_000), "local.retention.bytes": "1", "local.retention.ms": "1", "min.cleanable.dirty.ratio": "0" };
    await createTopic("trcc-refused", 1, Object.entries(configs).map(([name, value]) => ({ name, value })));
    const { topicId, stub } = await replica("trcc-refused", 0, 0);
    const big = (i: number) => `v${i}-`.padEnd(900 * 1024, "x");
    await produceKeyed("trcc-refused", Array.from({ length: 4 }, (_, i): [string, string] => [`k${i}`, big(i)])); // k0-k2 in the first segment
    await waitForView("trcc-refused", "the first segment copied and dropped locally", (v) => v.remote_segments === 1 && v.local_log_start_offset === 3, 0, 60_000);
    const before = (await tieredState("trcc-refused", 0, 0)).remote[0]!;
    await inReplica(stub, (t) => {
      t.partBytes = 1 * MiB; // below R2's 5 MiB: the bucket refuses to complete a rewrite in parts
      t.replacedDelayMs = 0;
    });
    const warned = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    expect((await alter("trcc-refused", "segment.ms", "1")).status).toBe(204);
    await produceKeyed("trcc-refused", [["k0", "new"], ["z", "1"]]); // k0 again: the first segment is rewritten (1.8 MiB, two parts)
    const failures = await scrapeUntil("failed cleaner steps counted", (m) => {
      const n = m.sum("runnel_partition_cleaner_remote_failures_total", { topic: "trcc-refused", partition: 0 });
      return n >= 2 ? n : null; // retried after its pause, and refused again
    }, 20_000);
    expect(failures).toBeGreaterThanOrEqual(2);
    const lines = warned.mock.calls.map((c) => String(c[0])).filter((line) => line.includes("cleaner-step-failed"));
    expect(lines.length).toBe(1); // one line per run of failures
    expect(lines[0]).toContain("KAFKA_STORAGE_ERROR");
    warned.mockRestore();
    expect((await tieredState("trcc-refused", 0, 0)).remote[0]!.key).toBe(before.key); // the old segment in force meanwhile

    // The bucket forgets the upload (as R2 does after 7 days): the rewrite is given up and the pass starts over, with a put.
    const stuck = await inReplica(stub, (t) => {
      t.partBytes = 5 * MiB;
      return t.segmentStore.rewrites.current()!;
    });
    await env.SEGMENTS.resumeMultipartUpload(stuck.objectKey, stuck.uploadId!).abort();
    const done = await waitFor("the segment rewritten, only recorded objects left", async () => {
      const s = await tieredState("trcc-refused", 0, 0);
      const keys = await bucketKeys(`${topicId}/`);
      return s.remote[0]!.key !== before.key && s.remote[0]!.key !== stuck.objectKey && s.owed === 0 && JSON.stringify(keys) === JSON.stringify(s.remote.map((x) => x.key).sort()) ? s : null;
    }, 90_000);
    expect(done.remote[0]!.lastOffset).toBe(before.lastOffset);
    const rewrites = await scrapeUntil("the rewrite counted", (m) => m.sum("runnel_partition_cleaner_remote_rewrites_total", { topic: "trcc-refused", partition: 0 }) || null);
    expect(rewrites).toBeGreaterThanOrEqual(1);
    expect((await records("trcc-refused")).map(([o, k]) => [o, k])).toEqual([[1, "k1"], [2, "k2"], [3, "k3"], [4, "k0"], [5, "z"]]);
  }, 150_000);
});

import { env } from "cloudflare:test";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { call, createTopic, V3 } from "../helpers";
import { fault, quiesce, replica, waitFor } from "../replication/helpers";
import { scrapeUntil } from "../metrics/helpers";
import { bucketKeys, inReplica, produceMany, rawBatches, tieredConfigs, tieredState, firstDifference, valuesFrom, waitForView } from "./helpers";

afterEach(async () => {
  for (const b of [0, 1, 2]) await fault(b, "heal");
});
afterAll(() => quiesce(["crash-"]), 60_000);

const MiB = 1024 * 1024;
const alter = (topic: string, name: string, value: string) => call("POST", `${V3}/topics/${topic}/configs:alter`, { data: [{ name, value }] });

/** Runs the orphan sweep on broker 0's replica now (no grace), and waits until what it owes is deleted. */
async function sweepNow(topic: string) {
  const { stub } = await replica(topic, 0, 0);
  await inReplica(stub, (t) => {
    t.orphanGraceMs = 0;
    t.sweep.dueAtMs = 0;
    t.sweep.cursor = null;
  });
  await alter(topic, "retention.ms", "604800001"); // any config push reschedules the replica's alarm
  await waitFor("the sweep and its deletes", async () => inReplica(stub, (t) => t.sweep.dueAtMs > Date.now() && t.outbox.count() === 0));
}

describe("a replica killed in the middle of copying", () => {
  it("resumes a multipart upload from its stored parts: nothing lost, nothing served twice, no orphan left after the sweep", async () => {
    await createTopic("crash-multipart", 1, tieredConfigs(12 * MiB, 1, { "remote.storage.enable": "false" }));
    const produced = await produceMany("crash-multipart", 15, { records: 1, recordBytes: 900 * 1024 }); // the first segment closes at ~12 MiB
    const before = await rawBatches("crash-multipart", 0);
    const { topicId, stub } = await replica("crash-multipart", 0, 0);
    await inReplica(stub, (t) => {
      t.partBytes = 5 * MiB; // R2's smallest part: the segment goes up in 3 parts
    });
    await fault(0, "slow", 400); // each alarm run waits 400 ms first: time to kill it between parts
    expect((await alter("crash-multipart", "remote.storage.enable", "true")).status).toBe(204);
    await waitFor("the first part sent", async () => ((await tieredState("crash-multipart", 0, 0)).upload?.parts.length ?? 0) >= 1);
    expect((await call("POST", `${V3}/brokers/0/restart`)).status).toBe(204);
    const killed = (await tieredState("crash-multipart", 0, 0)).upload;
    expect(killed?.uploadId).toEqual(expect.any(String));
    expect(killed!.parts.length).toBeLessThan(3); // killed mid-upload
    await fault(0, "heal");

    const view = await waitForView("crash-multipart", "the segment recorded and its local copy dropped", (v) => v.remote_segments === 1 && v.local_log_start_offset > 0, 0, 60_000);
    const state = await tieredState("crash-multipart", 0, 0);
    expect(state.upload).toBeNull();
    expect(state.remote[0]!.key).toBe(killed!.objectKey); // the same upload, finished
    expect(view.remote_size_bytes).toBeGreaterThan(10 * MiB);
    expect(firstDifference(await rawBatches("crash-multipart", 0), before)).toBe("same");
    expect((await valuesFrom("crash-multipart", 0)).join("\n") === produced.join("\n")).toBe(true); // 13 MiB of values: no diff printed
    await sweepNow("crash-multipart");
    expect(await bucketKeys(`${topicId}/`)).toEqual(state.remote.map((s) => s.key));
  }, 120_000);

  it("puts a segment again when killed after the put and before recording it, and records it once", async () => {
    await createTopic("crash-put", 1, tieredConfigs(8192, 1, { "remote.storage.enable": "false" }));
    const produced = await produceMany("crash-put", 12);
    const before = await rawBatches("crash-put", 0);
    const { topicId, stub } = await replica("crash-put", 0, 0);
    await fault(0, "down"); // its alarm does nothing while down; the test takes the steps
    const key = await inReplica(stub, async (t, instance) => {
      const r = instance.state!;
      r.log.setConfigs({ "segment.bytes": "8192", "local.retention.bytes": "1", "remote.storage.enable": "true" });
      await t.stepOnce(Date.now()); // starts the upload of the first segment (stored, no call yet)
      const started = t.uploads.current()!;
      const put = t.stepOnce(Date.now());
      r.stop(); // killed while the put is in flight: the put lands, the record never happens
      await put;
      return started.objectKey;
    });
    expect(await bucketKeys(`${topicId}/`)).toEqual([key]);
    expect((await tieredState("crash-put", 0, 0)).remote).toEqual([]);

    await call("POST", `${V3}/brokers/0/restart`);
    await fault(0, "heal");
    await alter("crash-put", "remote.storage.enable", "true");
    await waitForView("crash-put", "segments recorded", (v) => v.remote_segments >= 3 && v.local_log_start_offset > 0);
    const state = await tieredState("crash-put", 0, 0);
    expect(state.remote[0]!.key).toBe(key); // put again under its key, recorded once
    expect(firstDifference(await rawBatches("crash-put", 0), before)).toBe("same");
    expect(await valuesFrom("crash-put", 0)).toEqual(produced);
    await sweepNow("crash-put");
    expect(await bucketKeys(`${topicId}/`)).toEqual(state.remote.map((s) => s.key).sort());
  });

  it("retries an upload the bucket refuses, with backoff, counting each failure, and starts over one the bucket no longer has", async () => {
    await createTopic("crash-refused", 1, tieredConfigs(6 * MiB, 1, { "remote.storage.enable": "false" }));
    const produced = await produceMany("crash-refused", 8, { records: 1, recordBytes: 900 * 1024 });
    const { stub } = await replica("crash-refused", 0, 0);
    const warned = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    await inReplica(stub, (t) => {
      t.partBytes = 1 * MiB; // below R2's 5 MiB: the bucket refuses to complete the upload
    });
    await alter("crash-refused", "remote.storage.enable", "true");
    const failures = await scrapeUntil("failed uploads counted", (m) => {
      const n = m.sum("runnel_partition_remote_upload_failures_total", { topic: "crash-refused", partition: 0 });
      return n >= 2 ? n : null; // retried after its backoff, and refused again
    });
    expect(failures).toBeGreaterThanOrEqual(2);
    const refusal = warned.mock.calls.map((c) => String(c[0])).filter((line) => line.includes("remote-upload-failed"));
    expect(refusal.length).toBe(1); // one line per run of failures
    expect(refusal[0]).toContain("KAFKA_STORAGE_ERROR");
    warned.mockRestore();

    // The bucket forgets the upload (as R2 does after 7 days): it is started over, with parts the bucket takes.
    const stuck = (await tieredState("crash-refused", 0, 0)).upload!;
    await inReplica(stub, (t) => {
      t.partBytes = 5 * MiB;
    });
    await env.SEGMENTS.resumeMultipartUpload(stuck.objectKey, stuck.uploadId!).abort();
    await waitForView("crash-refused", "the segment copied", (v) => v.remote_segments === 1 && v.local_log_start_offset > 0, 0, 30_000);
    expect((await tieredState("crash-refused", 0, 0)).remote[0]!.key).not.toBe(stuck.objectKey);
    expect((await valuesFrom("crash-refused", 0)).join("\n") === produced.join("\n")).toBe(true);
  }, 60_000);
});

import { afterAll, describe, expect, it } from "vitest";
import { call, createTopic, V3 } from "../helpers";
import { scrapeUntil } from "../metrics/helpers";
import { quiesce, replica } from "../replication/helpers";
import { bucketKeys, produceMany, rawBatches, tieredConfigs, tieredState, firstDifference, valuesFrom, waitForView } from "./helpers";

afterAll(() => quiesce(["copy-"]), 30_000);

const alter = (topic: string, name: string, value: string) => call("POST", `${V3}/topics/${topic}/configs:alter`, { data: [{ name, value }] });

describe("tiered storage: copying closed segments and reading them back", () => {
  it("copies closed segments, drops local copies past local.retention.bytes, and serves every read from the log start byte for byte as before", async () => {
    await createTopic("copy-read", 1, tieredConfigs(8192, 16384, { "remote.storage.enable": "false" }));
    const base = Date.UTC(2030, 0, 1);
    const produced = await produceMany("copy-read", 30, { timestampMs: base });
    const before = await rawBatches("copy-read", 0);
    expect(await valuesFrom("copy-read", 0)).toEqual(produced);
    expect((await tieredState("copy-read", 0, 0)).remote).toEqual([]); // off: nothing copied

    expect((await alter("copy-read", "remote.storage.enable", "true")).status).toBe(204);
    const view = await waitForView("copy-read", "local copies dropped", (v) => v.local_log_start_offset >= 150 && v.remote_segments >= 8);
    expect(view.log_start_offset).toBe(0);
    expect(view.local_size_bytes).toBeLessThanOrEqual(16384 + 8192); // local.retention.bytes plus one segment
    expect(view.remote_size_bytes).toBeGreaterThan(before.length / 2);

    // Byte for byte: the whole log, remote then local, as the record-batch endpoint served it before.
    expect(firstDifference(await rawBatches("copy-read", 0), before)).toBe("same");
    expect(await valuesFrom("copy-read", 0)).toEqual(produced);
    // From the middle of a remote batch, and a read that starts remote and goes on locally.
    const mid = await call("GET", `${V3}/topics/copy-read/partitions/0/records?offset=5&format=json&max_bytes=1`);
    expect(mid.body.records[0].offset).toBe(5);
    expect((await valuesFrom("copy-read", 95)).length).toBe(produced.length - 95);
    // Offsets by time reach into the bucket: request 7's records are offsets 70-79.
    const byTime = await call("GET", `${V3}/topics/copy-read/partitions/0/offsets?timestamp=${base + 7000}`);
    expect(byTime.body).toMatchObject({ offset: 70, timestamp: base + 7000 });

    // GET /metrics shows the same, from the leader, once every closed segment is copied.
    const p0 = { topic: "copy-read", partition: 0 };
    const m = await scrapeUntil("every closed segment copied", (x) => x.value("runnel_partition_segments_awaiting_upload", p0) === 0 && x);
    const now = (await call("GET", `${V3}/topics/copy-read/partitions/0`)).body;
    expect(m.value("runnel_partition_remote_segments", p0)).toBe(now.remote_segments);
    expect(m.value("runnel_partition_remote_bytes", p0)).toBe(now.remote_size_bytes);
    expect(m.value("runnel_partition_local_bytes", p0)).toBe(now.local_size_bytes);
    expect(m.value("runnel_partition_remote_upload_failures_total", { ...p0, broker: 0 })).toBe(0);

    const state = await tieredState("copy-read", 0, 0);
    const { topicId } = await replica("copy-read", 0, 0);
    expect(state.upload).toBeNull();
    expect(await bucketKeys(`${topicId}/0/`)).toEqual(state.remote.map((s) => s.key).sort());
    expect(state.remote[0]!.baseOffset).toBe(0);
    for (let i = 1; i < state.remote.length; i++) expect(state.remote[i]!.baseOffset).toBe(state.remote[i - 1]!.lastOffset + 1);
  });
});

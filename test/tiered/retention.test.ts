import { afterAll, describe, expect, it } from "vitest";
import { call, createTopic, fetchStrings, V3 } from "../helpers";
import { produce, quiesce, replica, waitFor } from "../replication/helpers";
import { bucketKeys, inReplica, produceMany, tieredConfigs, tieredState, valuesFrom, waitForView } from "./helpers";

afterAll(() => quiesce(["ret-"]), 30_000);

const DAY_MS = 24 * 60 * 60 * 1000;

describe("retention with tiered storage", () => {
  it("bounds the whole log by retention.bytes: the oldest remote segments go, with their objects, and the log start moves", async () => {
    await createTopic("ret-bytes", 1, tieredConfigs(8192, 8192, { "retention.bytes": "40000" }));
    const produced = await produceMany("ret-bytes", 40);
    const { topicId } = await replica("ret-bytes", 0, 0);
    const view = await waitForView("ret-bytes", "remote segments deleted", (v) => v.log_start_offset > 0 && v.remote_segments > 0 && v.local_log_start_offset > v.log_start_offset);
    await waitFor("their objects deleted", async () => (await tieredState("ret-bytes", 0, 0)).owed === 0);
    const state = await tieredState("ret-bytes", 0, 0);
    expect(state.remote[0]!.baseOffset).toBe(state.logStartOffset);
    expect(await bucketKeys(`${topicId}/`)).toEqual(state.remote.map((s) => s.key).sort());
    expect(view.remote_size_bytes + view.local_size_bytes).toBeLessThan(40000 + 3 * 8192);
    expect((await fetchStrings("ret-bytes", 0, 0)).body.error_code).toBe(41601);
    const start = state.logStartOffset;
    expect(await valuesFrom("ret-bytes", start)).toEqual(produced.slice(start));
  });

  it("deletes remote segments past retention.ms, judged by their records' timestamps", async () => {
    await createTopic("ret-ms", 1, tieredConfigs(8192, 8192, { "retention.ms": String(30 * DAY_MS) }));
    const old = Date.now() - 10 * DAY_MS;
    await produceMany("ret-ms", 20, { timestampMs: old });
    const { topicId } = await replica("ret-ms", 0, 0);
    await waitForView("ret-ms", "segments copied", (v) => v.remote_segments > 0);
    await call("POST", `${V3}/topics/ret-ms/configs:alter`, { data: [{ name: "retention.ms", value: String(9 * DAY_MS) }] });
    const view = await waitForView("ret-ms", "everything expired", (v) => v.log_start_offset === 200 && v.remote_segments === 0);
    expect(view.log_end_offset).toBe(200);
    await waitFor("every object deleted", async () => (await bucketKeys(`${topicId}/`)).length === 0);
  });

  it("deletes the remote segments wholly below a log start DeleteRecords moved, with their objects", async () => {
    await createTopic("ret-dr", 1, tieredConfigs(8192, 8192));
    const produced = await produceMany("ret-dr", 30);
    const { topicId } = await replica("ret-dr", 0, 0);
    const copied = await waitForView("ret-dr", "segments copied", (v) => v.remote_segments >= 3 && v.local_log_start_offset > 100);
    const to = copied.local_log_start_offset - 5; // inside the remote log, past its first segments
    const moved = await call("POST", `${V3}/topics/ret-dr/partitions/0/records:delete-before`, { offset: to });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    await waitFor("remote segments below the log start deleted", async () => {
      const state = await tieredState("ret-dr", 0, 0);
      return state.owed === 0 && state.remote.every((s) => s.lastOffset >= to) && state.remote.length > 0;
    });
    const state = await tieredState("ret-dr", 0, 0);
    expect(state.logStartOffset).toBe(to);
    expect(await bucketKeys(`${topicId}/`)).toEqual(state.remote.map((s) => s.key).sort());
    expect(await valuesFrom("ret-dr", to)).toEqual(produced.slice(to));
  });
});

describe("deleting a topic with tiered storage", () => {
  it("deletes its objects in the bucket too", async () => {
    await createTopic("ret-delete", 2, tieredConfigs(8192, 8192));
    await produceMany("ret-delete", 20);
    const { topicId } = await replica("ret-delete", 0, 0);
    await waitForView("ret-delete", "segments copied", (v) => v.remote_segments >= 3);
    expect((await bucketKeys(`${topicId}/`)).length).toBeGreaterThan(0);
    expect((await call("DELETE", `${V3}/topics/ret-delete`)).status).toBe(204);
    expect(await bucketKeys(`${topicId}/`)).toEqual([]);
  });
});

describe("the local storage bound", () => {
  it("refuses appends that would pass it with 50003 KAFKA_STORAGE_ERROR, appending nothing; with tiered storage the local copies go and appends go on", async () => {
    await createTopic("ret-bound", 1, tieredConfigs(8192, 8192, { "remote.storage.enable": "false" }));
    const { stub } = await replica("ret-bound", 0, 0);
    await inReplica(stub, (_t, instance) => {
      instance.state!.log.localBytesMax = 25_000; // 11 requests of ten 200-byte records fit, not 12
    });
    await produceMany("ret-bound", 11);
    const refused = await produce("ret-bound", Array.from({ length: 10 }, () => "x".repeat(200)));
    expect(refused.body.error_code ?? refused.body.offsets[0].error_code).toBe(50003);
    expect(JSON.stringify(refused.body)).toContain("KAFKA_STORAGE_ERROR");
    const end = (await call("GET", `${V3}/topics/ret-bound/partitions/0`)).body.log_end_offset;
    expect(end).toBe(110);

    await call("POST", `${V3}/topics/ret-bound/configs:alter`, { data: [{ name: "remote.storage.enable", value: "true" }] });
    await waitForView("ret-bound", "local copies dropped", (v) => v.local_size_bytes < 20_000);
    await produceMany("ret-bound", 3, { tag: "after" });
    expect((await valuesFrom("ret-bound", 0)).length).toBe(140);
  });
});

// Tiered storage on a compacted topic: a segment goes to the bucket once the cleaner has passed it (gaps and
// emptied batches included), and reads of every kind below the local log start see what the cleaner kept.
import { afterAll, describe, expect, it } from "vitest";
import { call, createTopic, V3 } from "../helpers";
import { quiesce } from "../replication/helpers";
import { tieredConfigs, tieredState, waitForView } from "./helpers";

afterAll(() => quiesce(["tcmp-"]), 30_000);

const T0 = 1_700_000_000_000;

/** Every record from `offset` up to the high watermark, following next_offset across gaps: [offset, key, value]. */
async function recordsFrom(topic: string, offset: number): Promise<[number, string, string][]> {
  const out: [number, string, string][] = [];
  for (let at = offset; ; ) {
    const res = await call("GET", `${V3}/topics/${topic}/partitions/0/records?offset=${at}&format=json`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    out.push(...res.body.records.map((r: any) => [r.offset, r.key, r.value] as [number, string, string]));
    if (res.body.next_offset >= res.body.high_watermark) return out;
    at = res.body.next_offset;
  }
}

describe("tiered storage on a compacted topic", () => {
  it("copies segments once cleaned, and reads from the bucket see each key's latest record across the gaps", async () => {
    const configs = tieredConfigs(100, 1, { "cleanup.policy": "compact", "min.cleanable.dirty.ratio": "0", "local.retention.ms": "1" });
    await createTopic("tcmp-read", 1, configs);
    // a, b, a, b, c, d: each record a segment of its own (segment.bytes 100); the last is the active segment.
    const records: [string, string][] = [["a", "1"], ["b", "1"], ["a", "2"], ["b", "2"], ["c", "1"], ["d", "1"]];
    for (const [i, [key, value]] of records.entries()) {
      const res = await call("POST", `/topics/tcmp-read/partitions/0`, { records: [{ key, value, timestamp: T0 + i }] }, { "content-type": "application/vnd.kafka.json.v2+json" });
      expect(res.status).toBe(200);
    }
    const view = await waitForView("tcmp-read", "cleaned segments copied and dropped locally", (v) => v.cleaner?.last_cleaned_offset === 5 && v.local_log_start_offset >= 4 && v.remote_segments > 0);
    expect(view.log_start_offset).toBe(0);
    const state = await tieredState("tcmp-read", 0, 0);
    expect(state.remote[0]!.baseOffset).toBe(0);
    // Remote segments are contiguous, though the cleaner emptied some of the offsets they cover.
    for (let i = 1; i < state.remote.length; i++) expect(state.remote[i]!.baseOffset).toBe(state.remote[i - 1]!.lastOffset + 1);
    expect(await recordsFrom("tcmp-read", 0)).toEqual([
      [2, "a", "2"],
      [3, "b", "2"],
      [4, "c", "1"],
      [5, "d", "1"],
    ]);
    // From inside a gap in the bucket: the next record kept.
    expect((await recordsFrom("tcmp-read", 1))[0]).toEqual([2, "a", "2"]);
    // By time: the first record kept at or after it, past the batch the cleaner emptied.
    expect((await call("GET", `${V3}/topics/tcmp-read/partitions/0/offsets?timestamp=${T0}`)).body).toMatchObject({ offset: 2, timestamp: T0 + 2 });
  });
});

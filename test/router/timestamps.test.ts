import { afterEach, describe, expect, it, vi } from "vitest";
import { limits } from "../../src/limits";
import { parseRfc3339, parseTimestamp } from "../../src/produce/timestamps";
import { call, createTopic, V3 } from "../helpers";
import { highWatermark, lines, send, streamOf } from "./hostile-helpers";

afterEach(() => vi.restoreAllMocks());

// Each is refused before anything is appended: a 4xx, never a 500 after the append.
const BAD: unknown[] = [
  8_640_000_000_000_001, // past what a Date can hold: was appended, then answered 500
  8_640_000_000_000_000,
  Number.MAX_SAFE_INTEGER,
  limits.timestampMsMax + 1,
  -1,
  1.5,
  1e300,
  "999999999999999", // 15 digits: year 33658
  "10000-01-01T00:00:00Z",
  "+275760-09-13T00:00:00.000Z",
  "2026-02-30T00:00:00Z", // no such day (Date.parse rolls it over to March 2)
  "2026-13-01T00:00:00Z",
  "2026-01-01T24:00:00Z",
  "2026-01-01T00:00:00+24:00",
  "1969-12-31T23:59:59.999Z",
  "2026-01-01",
  "yesterday",
  "",
  true,
  {},
];

const STRING = { type: "STRING", data: "x" };

describe("record timestamps are checked before anything is appended", () => {
  it("v3 single: each bad timestamp is a 422 and the log does not move", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    await createTopic("ts-v3");
    for (const timestamp of BAD) {
      const res = await call("POST", `${V3}/topics/ts-v3/records`, { value: STRING, timestamp });
      expect([res.status, res.body.error_code, String(timestamp)]).toEqual([422, 42206, String(timestamp)]);
      expect(res.body.message).toMatch(/timestamp/);
    }
    expect(await highWatermark("ts-v3")).toBe(0);
    expect(logged).not.toHaveBeenCalled();
  });

  it("v3 records:batch: a bad timestamp is that entry's failure, and only the good entry is appended", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    await createTopic("ts-batch");
    for (const timestamp of BAD) {
      const res = await call("POST", `${V3}/topics/ts-batch/records:batch`, { entries: [{ id: "bad", value: STRING, timestamp }, { id: "good", value: STRING }] });
      expect(res.status).toBe(207);
      expect(res.body.failures).toEqual([{ id: "bad", error_code: 42206, error_name: "INVALID_RECORD", message: expect.stringMatching(/timestamp/) }]);
      expect(res.body.successes.map((s: { id: string }) => s.id)).toEqual(["good"]);
    }
    expect(await highWatermark("ts-batch")).toBe(BAD.length);
    expect(logged).not.toHaveBeenCalled();
  });

  it("v2: a bad timestamp refuses the whole request with 42206", async () => {
    await createTopic("ts-v2");
    for (const timestamp of BAD) {
      const res = await call("POST", "/topics/ts-v2", { records: [{ value: 1 }, { value: 2, timestamp }] }, { "content-type": "application/vnd.kafka.json.v2+json" });
      expect([res.status, res.body.error_code, String(timestamp)]).toEqual([422, 42206, String(timestamp)]);
    }
    expect(await highWatermark("ts-v2")).toBe(0);
  });

  it("streamed v3: a bad timestamp is that record's report line, and nothing of it is appended", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    await createTopic("ts-stream");
    const chunks = BAD.map((timestamp) => `${JSON.stringify({ value: STRING, timestamp })}\n`);
    const res = await send("POST", `${V3}/topics/ts-stream/records`, streamOf(chunks), { "content-type": "application/json" });
    expect(res.status).toBe(200);
    const reports = lines(res.text);
    expect(reports).toHaveLength(BAD.length);
    for (const r of reports) expect(r).toEqual({ error_code: 42206, error_name: "INVALID_RECORD", message: expect.stringMatching(/timestamp/) });
    expect(await highWatermark("ts-stream")).toBe(0);
    expect(logged).not.toHaveBeenCalled();
  });

  it("accepts the edges of the range and every RFC 3339 form, and reads them back exactly", async () => {
    await createTopic("ts-good", 1, [{ name: "retention.ms", value: "-1" }]);
    const good: [unknown, number][] = [
      [0, 0],
      [limits.timestampMsMax, limits.timestampMsMax],
      [String(limits.timestampMsMax), limits.timestampMsMax],
      ["9999-12-31T23:59:59.999Z", limits.timestampMsMax],
      ["1970-01-01T00:00:00Z", 0],
      ["2024-02-29T12:00:00+01:30", Date.UTC(2024, 1, 29, 10, 30)],
      ["2024-02-29t12:00:00.5-00:30z".slice(0, -1), Date.UTC(2024, 1, 29, 12, 30, 0, 500)],
      ["2026-06-30 23:59:60Z", Date.UTC(2026, 5, 30, 23, 59, 59)], // a leap second, as Java's Instant reads it
      ["2026-01-02T03:04:05.123456789Z", Date.UTC(2026, 0, 2, 3, 4, 5, 123)],
    ];
    // Far-apart timestamps share one batch: their deltas must be written exactly.
    const res = await call("POST", "/topics/ts-good", { records: good.map(([timestamp], i) => ({ value: i, timestamp })) });
    expect(res.status).toBe(200);
    const got = await call("GET", `${V3}/topics/ts-good/partitions/0/records?offset=0`);
    expect(got.body.records.map((r: { timestamp: number }) => r.timestamp)).toEqual(good.map(([, ms]) => ms));
    const one = await call("POST", `${V3}/topics/ts-good/records`, { value: STRING, timestamp: limits.timestampMsMax });
    expect(one.body.timestamp).toBe("9999-12-31T23:59:59.999Z");
  });
});

describe("timestamp parsing", () => {
  it("reads RFC 3339 as Date does where Date is right", () => {
    for (const t of ["2026-11-25T10:00:00Z", "2000-02-29T00:00:00.001+05:45", "1999-12-31T23:59:59-08:00"]) expect(parseRfc3339(t), t).toBe(Date.parse(t));
  });

  it("refuses days the month does not have, and leap days of common years", () => {
    for (const t of ["2025-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-00-10T00:00:00Z", "2026-01-00T00:00:00Z"]) expect(parseRfc3339(t), t).toBeNaN();
    expect(parseRfc3339("2000-02-29T00:00:00Z")).toBe(Date.UTC(2000, 1, 29));
  });

  it("says what is wrong in a bounded message", () => {
    expect(parseTimestamp("x".repeat(10_000))).toMatch(/^timestamp 'x{64}' is neither/);
    expect(parseTimestamp(-5)).toMatch(/from 0 to 253402300799999/);
  });
});

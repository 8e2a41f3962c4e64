import { describe, expect, it } from "vitest";
import { toBase64 } from "../../src/bytes/base64";
import type { RecordFormat } from "../../src/fetch/format";
import { renderBatches, UnrenderableRecord } from "../../src/fetch/render";
import { compress } from "../../src/record/compression";
import { buildBatch, Compression, encodeRecords, setBaseOffset, setLogAppendTime, type RecordInput } from "../../src/record/record-batch";

const utf8 = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

const records: RecordInput[] = [
  { timestampMs: 1000, key: utf8('"k"'), value: utf8('{"a":[1,"\\u00e9\\n"]}'), headers: [{ name: 'h"1', value: utf8("v") }, { name: "n", value: null }] },
  { timestampMs: 1001, key: null, value: null, headers: [] },
  { timestampMs: 999, key: utf8("3"), value: utf8('"three"'), headers: [] },
];

/** The client view of a record, spelled out by hand: what the renderer must produce. */
function expected(offset: number, r: RecordInput, format: RecordFormat, topic = "t.1", partition = 3) {
  const data = (b: Uint8Array | null) => (b === null ? null : format === "binary" ? toBase64(b) : format === "string" ? text(b) : JSON.parse(text(b)));
  return {
    topic, partition, offset, timestamp: r.timestampMs, key: data(r.key), value: data(r.value),
    headers: r.headers.map((h) => ({ name: h.name, value: h.value === null ? null : toBase64(h.value) })),
  };
}

function batchAt(baseOffset: number, list: RecordInput[]): Uint8Array {
  const b = buildBatch({ recordsSection: encodeRecords(list, list[0]!.timestampMs), recordCount: list.length, baseTimestampMs: list[0]!.timestampMs, maxTimestampMs: 1001 });
  setBaseOffset(b, baseOffset);
  return b;
}

describe("rendering records from batch bytes", () => {
  for (const format of ["binary", "string", "json"] as RecordFormat[]) {
    it(`gives each record's client view in ${format} format`, async () => {
      const out = await renderBatches([batchAt(40, records)], 40, 100, "t.1", 3, format);
      expect(JSON.parse(`[${out.json}]`)).toEqual(records.map((r, i) => expected(40 + i, r, format)));
      expect(out).toMatchObject({ count: 3, nextOffset: 43 });
    });
  }

  it("skips records before the offset asked for and stops at max records, across batches", async () => {
    const out = await renderBatches([batchAt(0, records), batchAt(3, records)], 1, 3, "t", 0, "binary");
    expect(JSON.parse(`[${out.json}]`).map((r: { offset: number }) => r.offset)).toEqual([1, 2, 3]);
    expect(out.nextOffset).toBe(4);
  });

  it("reports nothing, and the offset asked for, when no record qualifies", async () => {
    expect(await renderBatches([batchAt(0, records)], 3, 10, "t", 0, "binary")).toEqual({ json: "", count: 0, nextOffset: 3 });
  });

  it("stamps every record with the log append time when the batch says so", async () => {
    const b = batchAt(0, records);
    setLogAppendTime(b, 5000);
    const out = JSON.parse(`[${(await renderBatches([b], 0, 10, "t", 0, "binary")).json}]`);
    expect(out.map((r: { timestamp: number }) => r.timestamp)).toEqual([5000, 5000, 5000]);
  });

  it("reads gzip batches", async () => {
    const section = await compress(Compression.GZIP, encodeRecords(records, 1000));
    const b = buildBatch({ recordsSection: section, recordCount: 3, baseTimestampMs: 1000, maxTimestampMs: 1001, compression: Compression.GZIP });
    const out = await renderBatches([b], 0, 10, "t.1", 3, "string");
    expect(JSON.parse(`[${out.json}]`)).toEqual(records.map((r, i) => expected(i, r, "string")));
  });

  it("refuses json format for a record that is not JSON, naming its topic, partition and offset, and keeps the records before it", async () => {
    const list: RecordInput[] = [
      { timestampMs: 0, key: null, value: utf8("[1]"), headers: [] },
      { timestampMs: 0, key: null, value: utf8("not json"), headers: [] },
      { timestampMs: 0, key: null, value: utf8("[3]"), headers: [] },
    ];
    const refused = await renderBatches([batchAt(40, list)], 40, 10, "t.1", 3, "json").then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(UnrenderableRecord);
    const e = refused as UnrenderableRecord;
    expect(e).toMatchObject({ errorCode: 42206, topic: "t.1", partition: 3, offset: 41 });
    expect(e.message).toMatch(/^record at offset 41 of topic 't.1' partition 3 is not JSON.*format=binary or format=string/);
    expect(e.rendered.count).toBe(1);
    expect(e.rendered.nextOffset).toBe(41);
    expect(JSON.parse(`[${e.rendered.json}]`).map((r: { value: unknown }) => r.value)).toEqual([[1]]);
    await expect(renderBatches([batchAt(40, list)], 40, 10, "t.1", 3, "string")).resolves.toMatchObject({ count: 3 });
  });

  it("names the offset of a batch whose records do not decode", async () => {
    const b = batchAt(7, records);
    b[b.length - 1] = 0x02; // the last record now claims a header it does not have (the CRC is the log's check, not ours)
    await expect(renderBatches([b], 7, 10, "t", 0, "binary")).rejects.toThrow(/offset 7/);
  });
});

import { describe, expect, it } from "vitest";
import { recordsJson, viewOf, type RecordFormat } from "../../src/fetch/format";
import type { DecodedRecord } from "../../src/log/record-batch";

const utf8 = (s: string) => new TextEncoder().encode(s);
const records: DecodedRecord[] = [
  { offset: 7, timestampMs: 1000, key: utf8('"k"'), value: utf8('{"a":[1,"\\u00e9\\n"]}'), headers: [{ name: 'h"1', value: utf8("v") }, { name: "n", value: null }] },
  { offset: 8, timestampMs: 1001, key: null, value: null, headers: [] },
];

describe("record rendering", () => {
  for (const format of ["binary", "string", "json"] as RecordFormat[]) {
    it(`builds the same JSON by hand as the object view, in ${format} format`, () => {
      const byHand = JSON.parse(recordsJson("t.1", 3, records, format));
      expect(byHand).toEqual(records.map((r) => viewOf("t.1", 3, r, format)));
    });
  }

  it("refuses json format for a record that is not JSON, naming its offset", () => {
    const bad: DecodedRecord[] = [{ offset: 42, timestampMs: 0, key: null, value: utf8("not json"), headers: [] }];
    expect(() => recordsJson("t", 0, bad, "json")).toThrow(/offset 42/);
  });
});

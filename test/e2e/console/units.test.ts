// The console's pure parts, without a browser: how bytes are shown, how
// throughput comes out of /metrics, and how fragments name pages.
import { describe, expect, it } from "vitest";
import { indentJson, show } from "../../../src/console/ui/decode";
import { countersOf, parseExposition, RECORDS_IN, ratesBetween } from "../../../src/console/ui/metrics";
import { href, parseRoute } from "../../../src/console/ui/router";
import { formatBytes } from "../../../src/console/ui/sizes";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("showing bytes", () => {
  it("indents JSON token by token, keeping numbers exactly as written", () => {
    expect(indentJson('{"id":12345678901234567890,"a":[1, {}],"s":"x,{y}\\"z"}')).toBe(
      '{\n  "id": 12345678901234567890,\n  "a": [\n    1,\n    {}\n  ],\n  "s": "x,{y}\\"z"\n}',
    );
    expect(show(bytes('{"id":12345678901234567890}'), "json").text).toContain("12345678901234567890");
  });

  it("marks what is not JSON or not UTF-8, and escapes control and bidi characters", () => {
    expect(show(bytes("plain"), "json")).toEqual({ text: "plain", note: "not JSON; shown as text", isNull: false });
    expect(show(new Uint8Array([0xff, 0x41]), "string")).toEqual({ text: "\ufffdA", note: "not valid UTF-8 (shown with replacement characters)", isNull: false });
    expect(show(bytes("a\u202eb\u0000c\nd"), "string").text).toBe("a\\u202eb\\u0000c\nd");
    expect(show(null, "hex")).toEqual({ text: "null", note: null, isNull: true });
    expect(show(new Uint8Array(17).fill(1), "hex").text).toBe(`${"01 ".repeat(15)}01\n01`);
    expect(show(bytes("hi"), "base64").text).toBe("aGk=");
  });
});

describe("throughput from /metrics", () => {
  const scrape = (a: number, b: number, extra = "") =>
    [
      "# HELP runnel_partition_records_in_total Records appended.",
      "# TYPE runnel_partition_records_in_total counter",
      `runnel_partition_records_in_total{topic="a\\"b",partition="0",broker="0"} ${a}`,
      `runnel_partition_records_in_total{topic="c",partition="0",broker="1"} ${b}`,
      `runnel_partition_records_out_total{topic="c",partition="0",broker="1"} 5`,
      extra,
    ].join("\n");

  it("parses labels with escapes and skips other families", () => {
    const samples = parseExposition(scrape(1, 2, 'runnel_topics 3\nmalformed{ line'), new Set([RECORDS_IN]));
    expect(samples).toEqual([
      { name: RECORDS_IN, labels: { topic: 'a"b', partition: "0", broker: "0" }, value: 1 },
      { name: RECORDS_IN, labels: { topic: "c", partition: "0", broker: "1" }, value: 2 },
    ]);
  });

  it("differences counters per second; a counter that went down counts from zero; a missing series is left out", () => {
    const before = countersOf(scrape(100, 50));
    const after = countersOf(scrape(110, 20));
    const rates = ratesBetween(before, after, 2);
    expect(rates.in).toBe(5 + 10); // (110-100)/2 and, reset, 20/2
    expect(rates.out).toBe(0);
    expect(rates.topics.get('a"b')).toEqual({ in: 5, out: 0 });
    const onlyOne = countersOf(scrape(120, 20).split("\n").filter((l) => !l.includes('topic="c"')).join("\n"));
    expect(ratesBetween(after, onlyOne, 1).in).toBe(10);
  });
});

describe("routes", () => {
  it("names pages by fragment and reads them back, names percent-encoded", () => {
    const odd = "a/b c%";
    expect(parseRoute(href.topic(odd))).toEqual({ page: "topic", topic: odd });
    expect(parseRoute(href.messages(odd, 2, 7))).toEqual({ page: "messages", topic: odd, partition: 2, offset: 7 });
    expect(parseRoute(href.group("g1"))).toEqual({ page: "group", group: "g1" });
    expect(parseRoute("#/")).toEqual({ page: "overview" });
    expect(parseRoute("#/topics/%E0%A4%A")).toEqual({ page: "missing", path: "/topics/%E0%A4%A" });
    expect(parseRoute("#/messages/t?partition=-1&offset=x")).toEqual({ page: "messages", topic: "t", partition: null, offset: null });
  });
});

describe("showing sizes", () => {
  it("shows bytes in binary units, short, and a dash for none", () => {
    expect([0, 1023, 1024, 1536, 10 * 1024 * 1024, 150 * 1024 ** 3].map(formatBytes)).toEqual(["0 B", "1023 B", "1.0 KiB", "1.5 KiB", "10.0 MiB", "150 GiB"]);
    expect(formatBytes(null)).toBe("–");
  });
});

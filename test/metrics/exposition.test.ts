import { describe, expect, it } from "vitest";
import { Exposition } from "../../src/metrics/exposition";
import { ALL_FAMILIES } from "../../src/metrics/series";
import { parseExposition } from "./prometheus";

const counter = { name: "t_requests_total", type: "counter" as const, help: "Requests.\nTwo lines, a back\\slash." };
const gauge = { name: "t_open", type: "gauge" as const, help: "Open things." };
const hist = { name: "t_latency_seconds", type: "histogram" as const, help: "Latency." };

describe("the exposition writer", () => {
  it("writes HELP and TYPE once per family, escapes label values and help, and parses back", () => {
    const out = new Exposition([counter, gauge]);
    out.sample(counter, { group: 'a "quoted"\\name\nwith a newline', route: "/v3/x" }, 3);
    out.sample(counter, { group: "plain", route: "/v3/x" }, 0);
    out.sample(gauge, {}, 1.5);
    const text = out.text();
    expect(text).toContain('t_requests_total{group="a \\"quoted\\"\\\\name\\nwith a newline",route="/v3/x"} 3');
    expect(text).toContain("# HELP t_requests_total Requests.\\nTwo lines, a back\\\\slash.");
    expect(text.match(/# TYPE t_requests_total counter/g)).toHaveLength(1);
    const parsed = parseExposition(text);
    expect(parsed.value("t_requests_total", { group: 'a "quoted"\\name\nwith a newline' })).toBe(3);
    expect(parsed.families.get("t_requests_total")!.help).toBe(counter.help);
    expect(parsed.value("t_open")).toBe(1.5);
  });

  it("writes histogram buckets cumulative, ending with +Inf equal to _count", () => {
    const out = new Exposition();
    out.histogram(hist, { route: "r" }, [0.1, 1], [2, 0, 3], 9.5);
    const text = out.text();
    expect(text).toContain('t_latency_seconds_bucket{route="r",le="0.1"} 2');
    expect(text).toContain('t_latency_seconds_bucket{route="r",le="1"} 2');
    expect(text).toContain('t_latency_seconds_bucket{route="r",le="+Inf"} 5');
    expect(text).toContain('t_latency_seconds_count{route="r"} 5');
    expect(parseExposition(text).value("t_latency_seconds_sum", { route: "r" })).toBe(9.5);
  });

  it("refuses a counter not named _total and a histogram sample through sample()", () => {
    expect(() => new Exposition([{ name: "t_requests", type: "counter", help: "x" }])).toThrow(/_total/);
    expect(() => new Exposition().sample(hist, {}, 1)).toThrow(/histogram/);
  });

  it("names every series of the catalogue by Prometheus's rules", () => {
    const text = new Exposition(ALL_FAMILIES).text();
    const parsed = parseExposition(text);
    for (const f of ALL_FAMILIES) {
      expect(f.name.startsWith("runnel_")).toBe(true);
      expect(parsed.families.get(f.name)?.type).toBe(f.type);
      if (f.type === "counter") expect(f.name.endsWith("_total")).toBe(true);
      else expect(f.name.endsWith("_total")).toBe(false);
      if (f.type === "histogram") expect(f.name.endsWith("_seconds")).toBe(true);
    }
  });
});

describe("the test parser", () => {
  const ok = "# HELP a_total A.\n# TYPE a_total counter\na_total 1\n";
  it("accepts a good exposition", () => {
    expect(parseExposition(ok).value("a_total")).toBe(1);
  });

  it.each([
    ["a sample before its TYPE", "a_total 1\n"],
    ["a counter not named _total", "# TYPE a counter\na 1\n"],
    ["a negative counter", "# TYPE a_total counter\na_total -1\n"],
    ["a bad escape", '# TYPE a gauge\na{x="\\t"} 1\n'],
    ["a duplicate series", '# TYPE a gauge\na{x="1"} 1\na{x="1"} 2\n'],
    ["a family split in two", "# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\n# HELP a again\n"],
    ["buckets that are not cumulative", '# TYPE h histogram\nh_bucket{le="1"} 3\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 2\n'],
    ["no +Inf bucket", '# TYPE h histogram\nh_bucket{le="1"} 3\nh_sum 1\nh_count 3\n'],
    ["+Inf not equal to _count", '# TYPE h histogram\nh_bucket{le="+Inf"} 3\nh_sum 1\nh_count 4\n'],
    ["no final newline", "# TYPE a gauge\na 1"],
  ])("refuses %s", (_what, text) => {
    expect(() => parseExposition(text)).toThrow();
  });
});

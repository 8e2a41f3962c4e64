import fc from "fast-check";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { limits } from "../../src/limits";
import { JsonValueSplitter, jsonShapeProblem } from "../../src/bytes/json-text";
import { call, createTopic, V3 } from "../helpers";
import { BODY_ROUTES, concretePath } from "../fuzz/routes";
import { highWatermark, lines, send, streamOf } from "./hostile-helpers";

afterEach(() => vi.restoreAllMocks());

const jsonDepthOver = (text: string, depthMax: number) => jsonShapeProblem(text, depthMax, Number.POSITIVE_INFINITY) === "depth";
const arrays = (depth: number, inner = "") => "[".repeat(depth) + inner + "]".repeat(depth);
const objects = (depth: number, inner = "1") => '{"a":'.repeat(depth) + inner + "}".repeat(depth);

beforeAll(async () => {
  await createTopic("fz-witness");
});

describe("deeply nested JSON", () => {
  it("a 100,000-deep configs value in a topic create is a 400, and no topic is made", async () => {
    const res = await call("POST", `${V3}/topics`, `{"topic_name":"deep-configs","partitions_count":1,"configs":${arrays(100_000)}}`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error_code: 400, error_name: "INVALID_REQUEST", message: `malformed JSON: nested deeper than ${limits.jsonDepthMax} levels` });
    expect((await call("GET", `${V3}/topics/deep-configs`)).status).toBe(404);
  });

  for (const depth of [limits.jsonDepthMax + 1, 100_000]) {
    it(`nested ${depth} deep, on every route that takes a body, is a 4xx JSON error (never a 500) and appends nothing`, async () => {
      const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
      for (const [kind, body] of [["arrays", arrays(depth)], ["objects", objects(depth)], ["inside a record", `{"value":{"type":"JSON","data":${arrays(depth)}}}`]] as const) {
        for (const rule of BODY_ROUTES) {
          const path = concretePath(rule);
          const res = await send(rule.method, path, body, { "content-type": "application/json" });
          const what = `${rule.method} ${path} (${kind})`;
          expect(res.status, what).toBeGreaterThanOrEqual(400);
          expect(res.status, what).toBeLessThan(500);
          const { error_name: name, ...error } = res.json as Record<string, unknown>;
          expect(error, what).toEqual({ error_code: expect.any(Number), message: expect.any(String) });
          if (name !== undefined) expect(name, what).toMatch(/^[A-Z][A-Z_]+$/); // none for an error with no Kafka meaning (an unknown route)
        }
      }
      expect(await highWatermark("fz-witness")).toBe(0);
      expect(logged).not.toHaveBeenCalled();
    });
  }

  it("the produce routes refuse a too-deep record value with 400 and take one at the limit", async () => {
    await createTopic("deep-edge");
    // The body's own levels count: {"value":{"data": …}} is two of them.
    const atLimit = `{"value":{"type":"JSON","data":${arrays(limits.jsonDepthMax - 2)}}}`;
    const over = `{"value":{"type":"JSON","data":${arrays(limits.jsonDepthMax - 1)}}}`;
    expect((await call("POST", `${V3}/topics/deep-edge/records`, atLimit)).status).toBe(200);
    expect((await call("POST", `${V3}/topics/deep-edge/records`, over)).body).toMatchObject({ error_code: 400, message: expect.stringMatching(/nested deeper/) });
    // v2: {"records":[{"value": …}]} is three levels.
    const v2 = (d: number) => `{"records":[{"value":${arrays(d)}}]}`;
    const json = { "content-type": "application/vnd.kafka.json.v2+json" };
    expect((await call("POST", "/topics/deep-edge", v2(limits.jsonDepthMax - 3), json)).status).toBe(200);
    expect((await call("POST", "/topics/deep-edge", v2(limits.jsonDepthMax - 2), json)).status).toBe(400);
    const batch = (d: number) => `{"entries":[{"id":"a","value":{"type":"JSON","data":${arrays(d)}}}]}`;
    expect((await call("POST", `${V3}/topics/deep-edge/records:batch`, batch(limits.jsonDepthMax - 4))).status).toBe(207);
    expect((await call("POST", `${V3}/topics/deep-edge/records:batch`, batch(limits.jsonDepthMax - 3))).status).toBe(400);
    expect(await highWatermark("deep-edge")).toBe(3);
  });

  it("a streamed produce answers the records before a too-deep one, then its error, and appends nothing more", async () => {
    await createTopic("deep-stream");
    const ok = '{"value":{"type":"STRING","data":"fine"}}\n';
    const res = await send("POST", `${V3}/topics/deep-stream/records`, streamOf([ok, `{"value":{"type":"JSON","data":${arrays(200_000)}}}\n`, ok]), {
      "content-type": "application/json",
    });
    expect(res.status).toBe(200);
    expect(lines(res.text)).toEqual([expect.objectContaining({ error_code: 200, offset: 0 }), { error_code: 400, error_name: "INVALID_REQUEST", message: expect.stringMatching(/nested deeper/) }]);
    expect(await highWatermark("deep-stream")).toBe(1);
  });

  it("depth is measured exactly, whatever the strings hold (property, fixed seed)", () => {
    const depthOf = (v: unknown): number =>
      typeof v === "object" && v !== null ? 1 + Math.max(0, ...Object.values(v as Record<string, unknown>).map(depthOf)) : 0;
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const text = JSON.stringify(value);
        const depth = depthOf(value);
        expect(jsonDepthOver(text, depth)).toBe(false);
        if (depth > 0) expect(jsonDepthOver(text, depth - 1)).toBe(true);
      }),
      { seed: 42, numRuns: 500 },
    );
  });

  it("the splitter finds every value, however the text is cut into pieces (property, fixed seed)", () => {
    const values = fc.array(fc.dictionary(fc.string({ unit: fc.constantFrom("a", '"', "\\", "{", "}", "[", "]", " ") }), fc.jsonValue({ maxDepth: 3 })), { minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(values, fc.array(fc.nat({ max: 400 }), { maxLength: 8 }), fc.constantFrom("", "\n", " \r\n\t"), (objects, cuts, gap) => {
        const texts = objects.map((o) => JSON.stringify(o));
        const whole = texts.join(gap);
        const points = [...new Set(cuts.map((c) => c % (whole.length + 1)))].sort((a, b) => a - b);
        const splitter = new JsonValueSplitter();
        const got: string[] = [];
        let last = 0;
        for (const p of [...points, whole.length]) {
          got.push(...splitter.push(whole.slice(last, p)));
          last = p;
        }
        expect(splitter.end()).toBe("");
        expect(got).toEqual(texts);
      }),
      { seed: 7, numRuns: 500 },
    );
  });

  it("depth is counted outside strings only", () => {
    expect(jsonDepthOver(`["${"[".repeat(1000)}"]`, 2)).toBe(false);
    expect(jsonDepthOver(`["\\"", [[1]]]`, 2)).toBe(true);
    expect(jsonDepthOver(`["\\\\", [1]]`, 2)).toBe(false);
    expect(jsonDepthOver(arrays(3), 3)).toBe(false);
    expect(jsonDepthOver(arrays(4), 3)).toBe(true);
  });
});

describe("huge JSON", () => {
  it("a body of more than jsonItemsMax items is a 413 before it is parsed, on every produce path, and appends nothing", async () => {
    await createTopic("many-items");
    const ones = (n: number) => Array.from({ length: n }, () => "1").join(",");
    const over = limits.jsonItemsMax + 1;
    const v2 = await call("POST", "/topics/many-items", `{"records":[{"value":[${ones(over)}]}]}`, { "content-type": "application/vnd.kafka.json.v2+json" });
    expect([v2.status, v2.body.message]).toEqual([413, `the body holds more than ${limits.jsonItemsMax} JSON items (array elements and object members)`]);
    const v3 = await call("POST", `${V3}/topics/many-items/records`, `{"value":{"type":"JSON","data":[${ones(over)}]}}`);
    expect(v3.status).toBe(413);
    const streamed = await send("POST", `${V3}/topics/many-items/records`, streamOf([`{"value":{"type":"JSON","data":[${ones(over)}]}}`]), { "content-type": "application/json" });
    expect(lines(streamed.text).at(-1)).toMatchObject({ error_code: 413 });
    expect(await highWatermark("many-items")).toBe(0);
  });

  it("items are counted outside strings, as commas and opening brackets", () => {
    expect(jsonShapeProblem('[1,2,{"a":[3]}]', 128, 5)).toBeNull(); // [ , , { [ → 5
    expect(jsonShapeProblem('[1,2,{"a":[3,4]}]', 128, 5)).toBe("items");
    expect(jsonShapeProblem(`["${",".repeat(100)}"]`, 128, 1)).toBeNull();
  });

  it("splitting a streamed body is linear: one 16 MiB value in 4 KiB pieces takes well under a second", () => {
    // It used to rescan the whole unfinished value at every piece: 4 MiB took 13 s, 16 MiB minutes.
    const splitter = new JsonValueSplitter();
    const piece = "x".repeat(4096);
    const t0 = Date.now();
    expect(splitter.push('{"value":{"type":"STRING","data":"')).toEqual([]);
    for (let i = 0; i < 4096; i++) splitter.push(piece);
    expect(splitter.push('"}}\n{"value":1}')).toEqual([expect.stringMatching(/^\{"value".*x"\}\}$/), '{"value":1}']);
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it("an admin body over its limit is a 413, a produce body with too many records a 413, and nothing changes", async () => {
    await createTopic("huge-json");
    const many = `{"topic_name":"huge","configs":[${'{"name":"retention.ms","value":"1"},'.repeat(40_000)}{"name":"x","value":"1"}]}`;
    expect((await call("POST", `${V3}/topics`, many)).status).toBe(413);
    const records = { records: Array.from({ length: limits.produceRecordsMax + 1 }, () => ({ value: 1 })) };
    expect((await call("POST", "/topics/huge-json", records)).status).toBe(413);
    const entries = { entries: Array.from({ length: limits.produceRecordsMax + 1 }, (_, i) => ({ id: String(i), value: { data: 1 } })) };
    expect((await call("POST", `${V3}/topics/huge-json/records:batch`, entries)).status).toBe(413);
    const wide = `{${Array.from({ length: 50_000 }, (_, i) => `"k${i}":${i}`).join(",")}}`;
    expect((await call("POST", `${V3}/topics/huge-json/records`, wide)).body).toMatchObject({ error_code: 42206, message: expect.stringMatching(/unknown record field 'k0'/) });
    expect((await call("GET", `${V3}/topics/huge`)).status).toBe(404);
    expect(await highWatermark("huge-json")).toBe(0);
  });
});

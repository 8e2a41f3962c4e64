// The one helper that turns a valibot problem into Runnel's error: one
// sentence naming where the problem is and what was expected.
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { ErrorCode, RunnelError } from "../src/errors";
import { checkInput, inputProblem, parseInput } from "../src/input";

const Item = v.object({ topic: v.string(), partition: v.pipe(v.number(), v.integer(), v.minValue(0)) });
const Body = v.strictObject({
  name: v.pipe(v.string("must be a name"), v.maxLength(3, "is longer than 3 characters")),
  items: v.optional(v.array(v.strictObject({ id: v.number(), inner: v.optional(v.strictObject({ deep: v.boolean() })) }))),
  list: v.optional(v.array(Item)),
  config: v.optional(v.pipe(v.string(), v.rawCheck(({ dataset, addIssue }) => dataset.typed && dataset.value === "bad" && addIssue({ message: "config 'bad' is not one Runnel knows" })))),
});

describe("input problems", () => {
  it("name the field by its path, then what was expected (the schema's words, else the expected type and what came)", () => {
    expect(inputProblem(Body, { name: 5 })).toBe("name must be a name");
    expect(inputProblem(Body, { name: "abcd" })).toBe("name is longer than 3 characters");
    expect(inputProblem(Body, { name: "a", items: [{ id: 1 }, { id: "2" }] })).toBe('items[1].id must be a number, got "2"');
    expect(inputProblem(Body, { name: "a", list: [{ topic: "t", partition: 1.5 }] })).toBe("list[0].partition must be an integer, got 1.5");
    expect(inputProblem(Body, { name: "a", list: [{ topic: "t", partition: -1 }] })).toBe("list[0].partition must be at least 0, got -1");
    expect(inputProblem(Body, { name: "a", items: {} })).toBe("items must be an array, got Object");
    expect(inputProblem(Body, { name: "a", items: [{ id: 1, inner: { deep: "no" } }] })).toBe('items[0].inner.deep must be true or false, got "no"');
  });

  it("say a missing field is required, and name an unknown one with the fields its object has", () => {
    expect(inputProblem(Body, {})).toBe("name is required");
    expect(inputProblem(Body, { name: "a", list: [{ topic: "t" }] })).toBe("list[0].partition is required");
    expect(inputProblem(Body, { name: "a", nmae: "b" })).toBe("unknown field 'nmae'; expected name, items, list, config");
    expect(inputProblem(Body, { name: "a", items: [{ id: 1, inner: { deep: true, deeper: 1 } }] })).toBe("unknown field 'items[0].inner.deeper'; expected deep");
    expect(inputProblem(Body, JSON.parse('{"name":"a","__proto__":{"x":1}}'))).toBe("unknown field '__proto__'; expected name, items, list, config");
  });

  it("use a raw check's sentence as it is, and clip what a client sent", () => {
    expect(inputProblem(Body, { name: "a", config: "bad" })).toBe("config 'bad' is not one Runnel knows");
    expect(inputProblem(Body, { name: "a", items: [{ id: "x".repeat(100) }] })).toBe(`items[0].id must be a number, got "${"x".repeat(63)}…`);
    expect(inputProblem(Body, { name: "a", [`k${"y".repeat(100)}`]: 1 })).toBe(`unknown field 'k${"y".repeat(63)}…'; expected name, items, list, config`);
  });

  it("put a subject before the path of a value that does not name itself", () => {
    expect(inputProblem(v.pipe(v.number("must be an integer"), v.integer("must be an integer")), 1.5, "partitions_count")).toBe("partitions_count must be an integer");
    expect(inputProblem(v.array(Item), [{ topic: 1, partition: 0 }], "partitions")).toBe("partitions[0].topic must be a string, got 1");
  });

  it("give the output when the input fits, and throw the endpoint's error code when it does not", () => {
    expect(checkInput(Body, { name: "a", list: [{ topic: "t", partition: 0, extra: 1 }] })).toEqual({ ok: true, value: { name: "a", list: [{ topic: "t", partition: 0 }] } });
    expect(parseInput(Item, { topic: "t", partition: 2 })).toEqual({ topic: "t", partition: 2 });
    expect(() => parseInput(Item, { topic: "t" })).toThrow(new RunnelError(ErrorCode.BAD_REQUEST, "partition is required"));
    try {
      parseInput(Item, { topic: "t", partition: "0" }, { errorCode: ErrorCode.INVALID_PAYLOAD, errorName: "INVALID_RECORD" });
      expect.unreachable();
    } catch (e) {
      const { errorCode, message, errorName } = e as RunnelError;
      expect([errorCode, message, errorName]).toEqual([42206, 'partition must be a number, got "0"', "INVALID_RECORD"]);
    }
  });
});

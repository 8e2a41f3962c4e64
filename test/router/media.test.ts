import { describe, expect, it } from "vitest";
import { JsonValueSplitter } from "../../src/router/body";
import { formatOfType, negotiate, requestFormat, V2_OFFERS, V2_RECORD_OFFERS } from "../../src/router/media";

describe("Accept negotiation", () => {
  it("takes the first offer when there is no Accept, or a wildcard", () => {
    expect(negotiate(undefined, V2_OFFERS)).toBe("application/vnd.kafka.v2+json");
    expect(negotiate("", V2_OFFERS)).toBe("application/vnd.kafka.v2+json");
    expect(negotiate("*/*", V2_OFFERS)).toBe("application/vnd.kafka.v2+json");
    expect(negotiate("application/*", V2_OFFERS)).toBe("application/vnd.kafka.v2+json");
  });

  it("honours q values, the most specific range deciding each offer's q", () => {
    expect(negotiate("application/json;q=0.9, application/vnd.kafka.v2+json;q=0.5", V2_OFFERS)).toBe("application/json");
    expect(negotiate("*/*;q=0.1, application/json", V2_OFFERS)).toBe("application/json");
    expect(negotiate("application/vnd.kafka.v2+json;q=0, */*", V2_OFFERS)).toBe("application/vnd.kafka+json");
    expect(negotiate("application/vnd.kafka.v2+json;q=0", V2_OFFERS)).toBeNull();
  });

  it("prefers, at equal q, the type the client named over one a wildcard lets in (Karapace's Accept lists)", () => {
    const karapaceJson = "application/vnd.kafka.json.v2+json, application/vnd.kafka.v2+json, application/json, */*";
    expect(negotiate(karapaceJson, V2_RECORD_OFFERS)).toBe("application/vnd.kafka.json.v2+json");
    expect(negotiate(karapaceJson, V2_OFFERS)).toBe("application/vnd.kafka.v2+json");
    expect(negotiate("*/*, application/vnd.kafka.string.v2+json", V2_RECORD_OFFERS)).toBe("application/vnd.kafka.string.v2+json");
    expect(negotiate("*/*, application/vnd.kafka.string.v2+json;q=0.5", V2_RECORD_OFFERS)).toBe("application/vnd.kafka.binary.v2+json");
  });

  it("refuses types and wildcards the endpoint does not offer", () => {
    for (const accept of ["text/plain", "application/octet-stream", "foo/*", "*/baz", "not a type"]) expect(negotiate(accept, V2_OFFERS), accept).toBeNull();
  });

  it("picks an embedded type only where records are answered", () => {
    expect(negotiate("application/vnd.kafka.json.v2+json", V2_OFFERS)).toBeNull();
    expect(negotiate("application/vnd.kafka.json.v2+json", V2_RECORD_OFFERS)).toBe("application/vnd.kafka.json.v2+json");
    expect(formatOfType("application/vnd.kafka.json.v2+json")).toBe("json");
    expect(formatOfType("application/vnd.kafka.v2+json")).toBe("binary");
  });
});

describe("v2 request content types", () => {
  it("name an embedded format, binary when none is given", () => {
    expect(requestFormat("application/vnd.kafka.json.v2+json; charset=utf-8")).toBe("json");
    expect(requestFormat("application/vnd.kafka.binary.v1+json")).toBe("binary");
    expect(requestFormat("application/vnd.kafka.json+json")).toBe("json");
    expect(requestFormat("application/vnd.kafka+json")).toBe("binary");
    expect(requestFormat("application/vnd.kafka.v2+json")).toBe("binary");
    expect(requestFormat("application/json")).toBe("json");
    expect(requestFormat("application/vnd.kafka.avro.v2+json")).toBe("avro");
  });

  it("refuse anything else, and no type at all (values would be guessed base64 or JSON)", () => {
    expect(requestFormat(undefined)).toBeNull();
    expect(requestFormat("")).toBeNull();
    for (const t of ["application/vnd.kafka.v3+json", "application/vnd.kafka", "application/vnd.kafka+binary", "text/plain"]) expect(requestFormat(t), t).toBeNull();
  });
});

describe("JsonValueSplitter", () => {
  it("finds values split anywhere across chunks, escapes and braces inside strings included", () => {
    const values = ['{"a":"x\\"}{"}', '[1,{"b":[2]}]', '{"c":"\\\\"}', '{"d":"é"}'];
    const text = values.join("\n ");
    for (let cut = 0; cut <= text.length; cut++) {
      const s = new JsonValueSplitter();
      const got = [...s.push(text.slice(0, cut)), ...s.push(text.slice(cut))];
      expect(got, `cut at ${cut}`).toEqual(values);
      expect(s.end()).toBe("");
    }
  });

  it("keeps an unfinished value for end()", () => {
    const s = new JsonValueSplitter();
    expect(s.push('{"a":1}{"b":')).toEqual(['{"a":1}']);
    expect(s.end()).toBe('{"b":');
  });
});

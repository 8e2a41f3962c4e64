import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromBase64, isStrictBase64, toBase64 } from "../../src/bytes/base64";
import { call, createTopic, V3 } from "../helpers";
import { highWatermark, send } from "./hostile-helpers";

const BINARY_V2 = { "content-type": "application/vnd.kafka.binary.v2+json" };

// Each is refused by a strict RFC 4648 decoder; the runtime's own accepts several of them.
const NOT_BASE64 = [
  "aGVs bG8=", // an embedded space
  "aGVsbG8=\n",
  " aGVsbG8=",
  "aGVs\r\nbG8=",
  "aGVs\tbG8=",
  "aGVsbB==", // non-zero pad bits (the canonical form is aGVsbA==)
  "aGVsbG9", // non-zero pad bits, unpadded
  "aGVsbG8==", // too much padding
  "aGVsbA=", // too little padding
  "aGVsb", // a lone trailing character
  "a",
  "====",
  "=",
  "aG=Vs",
  "-_8=", // the URL-safe alphabet
  "aGVsbG8=\u0000",
  "aGVsbG8＝", // a full-width equals sign
  "aGVsbA= =", // a space inside the padding
  "aGVsbA\n==",
  " ",
];

describe("base64 is strict RFC 4648", () => {
  it("refuses whitespace, wrong padding, non-zero pad bits and other alphabets — which the runtime's decoder lets through", () => {
    const native = (Uint8Array as unknown as { fromBase64: (s: string) => Uint8Array }).fromBase64;
    const lenient = NOT_BASE64.filter((s) => {
      try {
        native(s);
        return true;
      } catch {
        return false;
      }
    });
    // Why the wrapper checks first: Uint8Array.fromBase64 skips ASCII whitespace and ignores pad bits.
    expect(lenient).toEqual(expect.arrayContaining(["aGVs bG8=", "aGVsbG8=\n", "aGVsbB==", "aGVsbG9"]));
    for (const s of NOT_BASE64) {
      expect(isStrictBase64(s), JSON.stringify(s)).toBe(false);
      expect(() => fromBase64(s), JSON.stringify(s)).toThrow(SyntaxError);
    }
  });

  it("takes every canonical encoding, padded or not, and decodes it as the runtime does", () => {
    for (let n = 0; n < 64; n++) {
      const bytes = crypto.getRandomValues(new Uint8Array(n));
      const padded = toBase64(bytes);
      for (const text of [padded, padded.replace(/=+$/, "")]) {
        expect(isStrictBase64(text), text).toBe(true);
        expect(fromBase64(text)).toEqual(bytes);
      }
    }
  });

  it("the runtime-backed decoder accepts exactly what the reference check accepts (property, fixed seed)", () => {
    const chars = fc.constantFrom(..."AQgw+/=9z ".split(""), "\n", "-");
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 12 }).map((cs) => cs.join("")), (text) => {
        let decoded: Uint8Array | null = null;
        try {
          decoded = fromBase64(text);
        } catch {
          /* refused */
        }
        expect(decoded !== null, JSON.stringify(text)).toBe(isStrictBase64(text));
        if (decoded !== null) expect([...decoded]).toEqual([...atob(text)].map((c) => c.charCodeAt(0)));
      }),
      { seed: 4648, numRuns: 3000 },
    );
  });

  it("a v2 binary record, a v3 BINARY key and a header value with embedded spaces are each refused whole (42206)", async () => {
    await createTopic("strict-b64");
    const v2 = await call("POST", "/topics/strict-b64", { records: [{ value: "aGVsbG8=" }, { value: "aGVs bG8=" }] }, BINARY_V2);
    expect([v2.status, v2.body]).toEqual([422, { error_code: 42206, error_name: "INVALID_RECORD", message: "records[1]: value is not valid base64" }]);
    const v3 = await call("POST", `${V3}/topics/strict-b64/records`, { key: { type: "BINARY", data: "aGVs\nbG8=" }, value: { type: "STRING", data: "x" } });
    expect([v3.status, v3.body.error_code]).toEqual([422, 42206]);
    const header = await call("POST", `${V3}/topics/strict-b64/records`, { value: { type: "STRING", data: "x" }, headers: [{ name: "h", value: "aGVsbB==" }] });
    expect([header.status, header.body.error_code]).toEqual([422, 42206]);
    expect(await highWatermark("strict-b64")).toBe(0);
  });
});

describe("content types and nulls", () => {
  it("a v2 produce with no Content-Type is a 415 and appends nothing", async () => {
    await createTopic("strict-ctype");
    const body = new TextEncoder().encode(JSON.stringify({ records: [{ value: "aGVsbG8=" }] })); // bytes: no type is added
    for (const path of ["/topics/strict-ctype", "/topics/strict-ctype/partitions/0"]) {
      const res = await send("POST", path, body);
      expect([res.status, res.json?.error_code], path).toEqual([415, 415]);
      expect(res.json.message).toMatch(/no Content-Type/);
      expect(res.headers.get("content-type")).toBe("application/vnd.kafka.v2+json");
    }
    expect(await highWatermark("strict-ctype")).toBe(0);
  });

  it('"partitions_count": null (or a null replication factor) is a 400 and creates no topic', async () => {
    for (const body of [{ partitions_count: null }, { replication_factor: null }, { partitions_count: "3" }, { partitions_count: 1.5 }, { validate_only: null }]) {
      const res = await call("POST", `${V3}/topics`, { topic_name: "strict-null", ...body });
      expect([res.status, res.body.error_code], JSON.stringify(body)).toEqual([400, 400]);
    }
    expect((await call("GET", `${V3}/topics/strict-null`)).status).toBe(404);
  });

  it("a quota path whose principal holds a literal '%' is a 4xx, not a 500 (it was URI-decoded twice)", async () => {
    for (const method of ["PUT", "DELETE"]) {
      const res = await call(method, `${V3}/quotas/User%3Aa%25zz`, method === "PUT" ? { request_rate: 5 } : undefined);
      expect([method, res.status < 500, res.body.error_code < 500]).toEqual([method, true, true]);
    }
    expect((await call("PUT", `${V3}/quotas/User%3Aencoded`, { request_rate: 5 })).body.principal).toBe("User:encoded");
    expect((await call("DELETE", `${V3}/quotas/User%3Aencoded`)).status).toBe(204);
  });

  it("a path with a percent-escape that does not decode is a 400 on every kind of route (it was a 500 on the WebSocket route)", async () => {
    for (const bad of ["%zz", "%E0%A4%A", "%ED%A0%80", "%"]) {
      for (const path of [`/ws/v1/consumer/${bad}?topics=x`, `${V3}/topics/${bad}`, `/topics/${bad}/partitions/0`, `/consumers/${bad}/instances/i/records`]) {
        const res = await send("GET", path, null, { upgrade: path.startsWith("/ws") ? "websocket" : "" });
        expect([path, res.status, res.json?.error_code]).toEqual([path, 400, 400]);
      }
    }
    expect((await call("GET", `${V3}/topics/a%2Eb`)).status).toBe(404); // a well-formed escape is fine
  });
});

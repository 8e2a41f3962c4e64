// Every generated codec, every version Kafka defines: a value with every
// field of that version set (nested structs, arrays of two, nulls where
// the version allows them, tagged fields away from their defaults) is
// encoded, decoded and encoded again — the bytes must be identical and
// the decoded value must hold every field as set.
import { describe, expect, it } from "vitest";
import { API_BY_KEY, type ApiMessages } from "../../src/gateway/codec/generated";
import { readRequestHeader, writeRequestHeader } from "../../src/gateway/codec/generated/request-header";
import { readResponseHeader, writeResponseHeader } from "../../src/gateway/codec/generated/response-header";
import { ProtocolError, Reader } from "../../src/gateway/codec/reader";
import { Writer } from "../../src/gateway/codec/writer";
import { type FieldSchema, type MessageSchema, SCHEMAS } from "./kafka-schemas";

const within = (sets: [number, number][], v: number) => sets.some(([lo, hi]) => v >= lo && v <= hi);

/** A value of one element of `f` (the `n`th made): distinct, within the type's range. */
function element(f: FieldSchema, schema: MessageSchema, v: number, n: number): unknown {
  switch (f.type) {
    case "bool":
      return n % 2 === 0;
    case "int8":
      return (n % 100) - 50;
    case "int16":
      return -3000 - n;
    case "uint16":
      return 60000 + n;
    case "int32":
      return -123456 - n;
    case "int64":
      return 1_700_000_000_000 + n * 7919;
    case "float64":
      return 0.5 + n;
    case "string":
      return `s${n}-é`;
    case "uuid":
      return Buffer.from(Array.from({ length: 16 }, (_, i) => (n * 31 + i) & 0xff)).toString("base64url");
    case "bytes":
    case "records":
      return new Uint8Array([n & 0xff, 1, 2, 255]);
    default:
      return sample(schema, f.struct!, v, n + 1);
  }
}

/** A struct of `schema` at version `v` with every field present there set. */
function sample(schema: MessageSchema, struct: string, v: number, n: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  schema.structs[struct]!.forEach((f, i) => {
    if (!within(f.versions, v)) return;
    const seed = n * 10 + i;
    // Nulls where the version allows them, for some of the fields (so non-null ones are covered too).
    if (within(f.nullable, v) && seed % 3 === 0) out[f.key] = null;
    else out[f.key] = f.array ? [element(f, schema, v, seed), element(f, schema, v, seed + 1)] : element(f, schema, v, seed);
  });
  return out;
}

/** Whether `decoded` holds every field of `made` as made (fields absent from the version are the decoder's defaults). */
function expectHolds(decoded: unknown, made: unknown, where: string): void {
  if (made instanceof Uint8Array) {
    expect(Buffer.from(decoded as Uint8Array), where).toEqual(Buffer.from(made));
    return;
  }
  if (Array.isArray(made)) {
    expect((decoded as unknown[]).length, where).toBe(made.length);
    made.forEach((m, i) => {
      expectHolds((decoded as unknown[])[i], m, `${where}[${i}]`);
    });
    return;
  }
  if (made !== null && typeof made === "object") {
    for (const [k, m] of Object.entries(made)) expectHolds((decoded as Record<string, unknown>)[k], m, `${where}.${k}`);
    return;
  }
  expect(decoded, where).toBe(made);
}

type Codec = { read: (r: Reader, v: number) => unknown; write: (w: Writer, v: number, x: never) => void };

function roundTrip(name: string, schema: MessageSchema, codec: Codec): void {
  for (let v = schema.minVersion; v <= schema.maxVersion; v++) {
    const made = sample(schema, name, v, 1);
    const w1 = new Writer();
    codec.write(w1, v, made as never);
    const bytes = w1.toBytes();
    const r = new Reader(bytes);
    const decoded = codec.read(r, v);
    expect(r.remaining, `${name} v${v}: bytes left over`).toBe(0);
    expectHolds(decoded, made, `${name} v${v}`);
    const w2 = new Writer();
    codec.write(w2, v, decoded as never);
    expect(Buffer.from(w2.toBytes()).equals(Buffer.from(bytes)), `${name} v${v} re-encodes byte for byte`).toBe(true);
  }
}

const codecs = new Map<string, Codec>([
  ["RequestHeader", { read: readRequestHeader, write: writeRequestHeader }],
  ["ResponseHeader", { read: readResponseHeader, write: writeResponseHeader }],
]);
for (const api of API_BY_KEY.values() as Iterable<ApiMessages<unknown, unknown>>) {
  codecs.set(`${api.name}Request`, { read: api.readRequest, write: api.writeRequest });
  codecs.set(`${api.name}Response`, { read: api.readResponse, write: api.writeResponse });
}

describe("every generated codec, every version", () => {
  it("has a codec for every message of the definitions", () => {
    expect([...codecs.keys()].sort()).toEqual(Object.keys(SCHEMAS).sort());
    expect(codecs.size).toBeGreaterThan(170);
  });

  it.each(Object.keys(SCHEMAS).sort())("%s round-trips byte for byte", (name) => {
    roundTrip(name, SCHEMAS[name]!, codecs.get(name)!);
  });
});

describe("what the generated decoders refuse", () => {
  const produce = API_BY_KEY.get(0)!;
  it("an array count the bytes left could not hold, before allocating", () => {
    // Produce v3: transactional id null, acks, timeout, then a topic count of 2^31-1 with 4 bytes left.
    const lying = Buffer.from("ffff" + "0001" + "00007530" + "7fffffff" + "00000000", "hex");
    expect(() => produce.readRequest(new Reader(lying), 3)).toThrow(ProtocolError);
    // The same in a flexible version: a compact count (uvarint 2^28) with 1 byte left.
    const compact = Buffer.from("00" + "0001" + "00007530" + "8080808001" + "00", "hex");
    expect(() => produce.readRequest(new Reader(compact), 9)).toThrow(ProtocolError);
  });

  it("a string or bytes running past the frame, and null where the version allows none", () => {
    expect(() => produce.readRequest(new Reader(Buffer.from("0005616263", "hex")), 3)).toThrow(ProtocolError);
    // Topic name null (-1) at v3: not nullable.
    expect(() => produce.readRequest(new Reader(Buffer.from("ffff000100007530" + "00000001" + "ffff", "hex")), 3)).toThrow(ProtocolError);
    // Records of 16 bytes with 2 left.
    expect(() => produce.readRequest(new Reader(Buffer.from("ffff000100007530" + "00000001" + "000174" + "00000001" + "00000000" + "00000010" + "0102", "hex")), 3)).toThrow(ProtocolError);
  });

  it("a tagged field that is not the size it says, and an unsigned varint over 32 bits", () => {
    // ApiVersions v3 request: two compact strings, then one tagged field (tag 0) of size 5 with 1 byte.
    expect(() => API_BY_KEY.get(18)!.readRequest(new Reader(Buffer.from("026102620100" + "05" + "aa", "hex")), 3)).toThrow(ProtocolError);
    expect(() => new Reader(Buffer.from("ffffffffff7f", "hex")).uvarint()).toThrow(ProtocolError);
  });

  it("keeps unknown tagged fields and writes them back in tag order", () => {
    const api = API_BY_KEY.get(18)!;
    const bytes = Buffer.from("0261" + "0262" + "02" + "07" + "02" + "abcd" + "09" + "00", "hex");
    const req = api.readRequest(new Reader(bytes), 3) as { _tagged?: { tag: number }[] };
    expect(req._tagged?.map((t) => t.tag)).toEqual([7, 9]);
    const w = new Writer();
    api.writeRequest(w, 3, req as never);
    expect(Buffer.from(w.toBytes()).toString("hex")).toBe(bytes.toString("hex"));
  });
});

// How each of Kafka's field types looks in TypeScript: its type, its
// default (Kafka's rules: 0, false, "", empty, or the field's "default"),
// and the fewest bytes one array element can take on the wire.

export const ZERO_UUID = "AAAAAAAAAAAAAAAAAAAAAA";

const NUMBERS = new Set(["int8", "int16", "uint16", "int32", "int64", "float64"]);

/** The TypeScript type of a field's element (one value of it). */
function elementType(f, tsNameOf) {
  if (NUMBERS.has(f.element)) return "number";
  if (f.element === "bool") return "boolean";
  if (f.element === "string" || f.element === "uuid") return "string";
  if (f.element === "bytes" || f.element === "records") return "Uint8Array";
  return tsNameOf(f.element);
}

/** The TypeScript type of a field as decoded. */
export function tsType(f, nullable, tsNameOf) {
  const t = f.array ? `${elementType(f, tsNameOf)}[]` : elementType(f, tsNameOf);
  return nullable ? `${t} | null` : t;
}

/**
 * The default value expression of a field (decoders give it to fields
 * absent from a version; encoders write it for fields left out).
 * `fresh`: a struct default built anew (decoders) or `{}` (encoders).
 */
export function defaultOf(f, nullable, structDefault) {
  const d = f.default;
  if (d === "null") {
    if (!nullable) throw new Error(`${f.name}: default null but never nullable`);
    return "null";
  }
  if (f.array) {
    if (d !== undefined && d !== "") throw new Error(`${f.name}: array default ${d}`);
    return "[]";
  }
  if (NUMBERS.has(f.element)) {
    const n = d === undefined || d === "" ? 0 : Number(d);
    if (!Number.isFinite(n)) throw new Error(`${f.name}: default ${d}`);
    return String(n);
  }
  switch (f.element) {
    case "bool":
      return d === "true" ? "true" : "false";
    case "string":
      return JSON.stringify(d ?? "");
    case "uuid":
      return JSON.stringify(ZERO_UUID);
    case "bytes":
    case "records":
      return "EMPTY_BYTES";
    default:
      return structDefault(f.element);
  }
}

/** The fewest bytes one element of an array of `element` takes (flexible: `compact`, an expression). */
export function minItemBytes(element, compact) {
  switch (element) {
    case "bool":
    case "int8":
      return "1";
    case "int16":
    case "uint16":
      return "2";
    case "int32":
      return "4";
    case "int64":
    case "float64":
      return "8";
    case "uuid":
      return "16";
    case "string":
      return compact === "true" ? "1" : compact === "false" ? "2" : `(${compact} ? 1 : 2)`;
    case "bytes":
    case "records":
      return compact === "true" ? "1" : compact === "false" ? "4" : `(${compact} ? 1 : 4)`;
    default:
      return "1";
  }
}

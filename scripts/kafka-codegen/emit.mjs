// TypeScript for one message: an interface per struct (every field of
// every version, with Kafka's `about` as its doc), a decoder and an
// encoder per struct that branch on the version where the fields do.
import { Versions } from "./schema.mjs";
import { minItemBytes } from "./types.mjs";

const camel = (name) => name[0].toLowerCase() + name.slice(1);

/** A boolean expression in `v` true exactly for the versions of `set` within `valid`. */
export function versionTest(set, valid) {
  const within = set.intersect(valid);
  if (within.empty) return "false";
  if (within.equals(valid)) return "true";
  const [lo, hi] = [valid.min(), valid.max()];
  return within.intervals
    .map(([a, b]) => {
      const parts = [];
      if (a === b) return `v === ${a}`;
      if (a > lo) parts.push(`v >= ${a}`);
      if (b < hi) parts.push(`v <= ${b}`);
      return parts.join(" && ");
    })
    .join(" || ");
}

const and = (a, b) => (a === "true" ? b : b === "true" ? a : a === "false" || b === "false" ? "false" : `(${a}) && (${b})`);

/** The structs of a message, by element name: the message itself first, then nested and common ones. */
function collectStructs(message) {
  const common = new Map(message.commonStructs.map((s) => [s.name, s]));
  const tsName = (element) => (element.startsWith(message.name) ? element : `${message.name}${element}`);
  const structs = [{ element: message.name, tsName: message.name, fields: message.fields, top: true }];
  const seen = new Set([message.name]);
  const walk = (fields) => {
    for (const f of fields) {
      if (!f.struct || seen.has(f.element)) continue;
      seen.add(f.element);
      const inner = f.fields ?? common.get(f.element)?.fields;
      if (inner === undefined) throw new Error(`${message.name}.${f.name}: struct ${f.element} has no fields`);
      structs.push({ element: f.element, tsName: tsName(f.element), fields: inner, top: false });
      walk(inner);
    }
  };
  walk(message.fields);
  return { structs, tsNameOf: (element) => structs.find((s) => s.element === element).tsName };
}

/** Everything about encoding field `f` that the reader and writer both need. */
function fieldPlan(f, message, valid) {
  const tagged = f.taggedVersions.intersect(valid);
  const regular = f.versions.intersect(valid).intersect(complement(tagged, valid));
  const nullableAll = !f.nullableVersions.intersect(f.versions).intersect(valid).empty;
  // Where the field is read, v is one of its versions: tests need only tell those apart.
  const within = f.versions.intersect(valid);
  const flexTest = versionTest(message.flexibleVersions, within);
  const compact = f.flexibleVersions !== null ? versionTest(f.flexibleVersions, within) : flexTest === "true" || flexTest === "false" ? flexTest : "flex";
  return {
    f,
    key: camel(f.name),
    present: versionTest(regular, valid),
    tagged: versionTest(tagged, valid),
    isTagged: !tagged.empty,
    nullable: within.empty ? "false" : versionTest(f.nullableVersions, within),
    // null allowed in every version the field is present in (else a run-time check)
    alwaysNullable: f.versions.intersect(valid).intersect(complement(f.nullableVersions, valid)).empty,
    nullableAll,
    compact,
    message,
  };
}

function complement(set, valid) {
  let out = valid;
  for (const [lo, hi] of set.intervals) out = out.intersect(new Versions([[valid.min(), lo - 1], [hi + 1, Infinity]].filter(([a, b]) => a <= b)));
  return out;
}

/** The read expression of one value of `p`'s element type (`compact`, `nullable` are expressions). */
function readValue(p, ctx, compact, nullable, element = true) {
  const f = p.f;
  const arrayItem = !element;
  if (f.array && !arrayItem) {
    const item = readValue(p, ctx, compact, "false", false);
    const fn = `(r) => ${item}`;
    return nullTernary(nullable, `r.nullableArray(${compact}, ${fn}, ${minItemBytes(f.element, compact)})`, `r.array(${compact}, ${fn}, ${minItemBytes(f.element, compact)})`);
  }
  switch (f.element) {
    case "bool":
    case "int8":
    case "int16":
    case "uint16":
    case "int32":
    case "int64":
    case "float64":
    case "uuid":
      return `r.${f.element}()`;
    case "string":
      return nullTernary(nullable, `r.nullableString(${compact})`, `r.string(${compact})`);
    case "bytes":
    case "records":
      return nullTernary(nullable, `r.nullableBytes(${compact})`, `r.bytes(${compact})`);
    default: {
      const read = `read${ctx.tsNameOf(f.element)}(r, v)`;
      if (nullable === "false") return read;
      return nullable === "true" ? `(r.present() ? ${read} : null)` : `(${nullable} ? (r.present() ? ${read} : null) : ${read})`;
    }
  }
}

function nullTernary(nullable, yes, no) {
  if (nullable === "false") return no;
  if (nullable === "true") return yes;
  return `(${nullable} ? ${yes} : ${no})`;
}

/** The write statement of value expression `x` of `p`'s element type. */
function writeValue(p, ctx, x, compact, nullable, element = true) {
  const f = p.f;
  if (f.array && element) {
    const item = writeValue(p, ctx, "it", compact, "false", false);
    return `w.array(${x}, ${compact}, (w, it) => ${item.replace(/;$/, "")});`;
  }
  switch (f.element) {
    case "bool":
    case "int8":
    case "int16":
    case "uint16":
    case "int32":
    case "int64":
    case "float64":
    case "uuid":
      return `w.${f.element}(${x});`;
    case "string":
      return `w.string(${x}, ${compact});`;
    case "bytes":
    case "records":
      return `w.bytes(${x}, ${compact});`;
    default: {
      const write = (y) => `write${ctx.tsNameOf(f.element)}(w, v, ${y})`;
      if (nullable === "false" || !p.nullableAll) return `${write(x)};`;
      // A nullable struct is a marker byte (-1 null, 1 present) and then the struct.
      const marked = `{ const s = ${x}; if (s === null) w.int8(-1); else { w.int8(1); ${write("s")}; } }`;
      return nullable === "true" ? marked : `if (${nullable}) ${marked} else ${write(`present(${x}, ${JSON.stringify(f.name)})`)};`;
    }
  }
}

export { readValue, writeValue, fieldPlan, collectStructs, and, camel };

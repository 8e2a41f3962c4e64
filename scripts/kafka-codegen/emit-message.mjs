// One message's TypeScript file: interfaces, decoders, encoders.
import { and, collectStructs, fieldPlan, readValue, versionTest, writeValue } from "./emit.mjs";
import { defaultOf, tsType, ZERO_UUID } from "./types.mjs";

function docOf(p) {
  const f = p.f;
  const bits = [`versions ${f.versions}`];
  if (!f.nullableVersions.empty) bits.push(`nullable ${f.nullableVersions}`);
  if (!f.taggedVersions.empty) bits.push(`tagged ${f.taggedVersions} (tag ${f.tag})`);
  if (f.default !== undefined) bits.push(`default ${f.default === "" ? '""' : f.default}`);
  const about = f.about.replace(/\*\//g, "* /").trim();
  return `  /** ${about}${about.endsWith(".") || about === "" ? "" : "."} (${bits.join("; ")}) */`;
}

function emitInterface(s, plans, ctx) {
  const lines = [`/** ${s.top ? `${ctx.message.name}, every field of every version` : `An element of ${ctx.message.name}'s ${s.element}`}. */`, `export interface ${s.tsName} {`];
  for (const p of plans) lines.push(docOf(p), `  ${p.key}: ${tsType(p.f, p.nullableAll, ctx.tsNameOf)};`);
  if (ctx.flexible) lines.push("  /** Tagged fields these definitions do not know, as they came (flexible versions). */", "  _tagged?: RawTaggedField[];");
  lines.push("}");
  return lines.join("\n");
}

/** The decoder of one struct. */
function emitRead(s, plans, ctx) {
  const body = [];
  const defaults = plans.map((p) => `${p.key}: ${defaultOf(p.f, p.nullableAll, (e) => `default${ctx.tsNameOf(e)}()`)}`);
  body.push(`  const o: ${s.tsName} = { ${defaults.join(", ")} };`);
  for (const p of plans) {
    if (p.present === "false") continue;
    const read = readValue(p, ctx, p.compact, p.nullable);
    body.push(p.present === "true" ? `  o.${p.key} = ${read};` : `  if (${p.present}) o.${p.key} = ${read};`);
  }
  if (ctx.flexible) body.push(...emitReadTags(plans, ctx));
  body.push("  return o;");
  return finish(`export function read${s.tsName}(r: Reader, v: number): ${s.tsName} {`, body, ctx);
}

function emitReadTags(plans, ctx) {
  const tagged = plans.filter((p) => p.isTagged);
  if (tagged.length === 0) return ["  if (flex) o._tagged = readUnknownTaggedFields(r);"];
  const out = ["  if (flex) {", "    for (let n = r.uvarint(); n > 0; n--) {", "      const tag = r.uvarint();", "      const end = r.fieldEnd(r.uvarint());"];
  let first = true;
  for (const p of tagged) {
    const read = readValue(p, ctx, "true", p.nullable);
    out.push(`      ${first ? "" : "} else "}if (tag === ${p.f.tag} && ${p.tagged === "true" ? "true" : `(${p.tagged})`}) {`);
    out.push(`        o.${p.key} = ${read};`, `        r.endOf(end, ${JSON.stringify(p.f.name)});`);
    first = false;
  }
  out.push("      } else (o._tagged ??= []).push({ tag, data: r.raw(end - r.pos) });", "    }", "  }");
  return out.map((l) => l.replace("&& true)", ")").replace(" && true", ""));
}

/** The value of field `p` in `x` as the encoder writes it: the default when left out, checked non-null where the version wants it. */
function fieldValue(p, ctx) {
  const fallback = defaultOf(p.f, p.nullableAll, () => "{}");
  if (!p.nullableAll) return `x.${p.key} ?? ${fallback}`;
  const value = `(x.${p.key} === undefined ? ${fallback} : x.${p.key})`;
  // Structs check their own (writeValue); other types here.
  if (p.alwaysNullable || (p.f.struct && !p.f.array)) return value;
  return `(${p.nullable} ? ${value} : present(${value}, ${JSON.stringify(`${ctx.message.name}.${p.f.name}`)}))`;
}

/** The encoder of one struct. */
function emitWrite(s, plans, ctx) {
  const body = [];
  for (const p of plans) {
    if (p.present === "false") continue;
    const write = writeValue(p, ctx, fieldValue(p, ctx), p.compact, p.nullable);
    body.push(p.present === "true" ? `  ${write}` : `  if (${p.present}) ${write.includes(" else ") ? `{ ${write} }` : write}`);
  }
  if (ctx.flexible) body.push(...emitWriteTags(plans, ctx));
  return finish(`export function write${s.tsName}(w: Writer, v: number, x: Init<${s.tsName}>): void {`, body, ctx);
}

/**
 * Whether value `y` of field `p` is its default: a tagged field is written
 * only when it is not (as Kafka's generated code does). A struct is at its
 * default when every field is (`isDefault{Struct}`, generated for the
 * structs that need one).
 */
function isDefault(p, ctx, y) {
  const f = p.f;
  const dflt = defaultOf(f, p.nullableAll, () => "{}");
  if (dflt === "null") return `${y} === null`;
  const notNull = p.nullableAll ? `${y} !== null && ` : "";
  if (f.array || f.element === "bytes" || f.element === "records") return `${notNull}${y}.length === 0`;
  if (f.struct) {
    ctx.defaultChecks.add(f.element);
    return `${notNull}isDefault${ctx.tsNameOf(f.element)}(${y})`;
  }
  if (f.element === "uuid") return `${y} === ${JSON.stringify(ZERO_UUID)}`;
  return `${y} === ${dflt}`;
}

/** `isDefault{Struct}`: whether every field of a struct (as a handler builds it) holds its default. */
function emitIsDefault(s, plans, ctx) {
  const terms = plans.map((p) => `(x.${p.key} === undefined || ${isDefault(p, ctx, `x.${p.key}`)})`);
  if (ctx.flexible) terms.push("x._tagged === undefined");
  const body = terms.length === 0 ? "true" : terms.join(" &&\n    ");
  const arg = terms.length === 0 ? "_x" : "x";
  return `function isDefault${s.tsName}(${arg}: Init<${s.tsName}>): boolean {\n  return ${body};\n}`;
}

function emitWriteTags(plans, ctx) {
  const tagged = plans.filter((p) => p.isTagged);
  if (tagged.length === 0) return ["  if (flex) writeTaggedFields(w, null, x._tagged);"];
  // Tags not at their default are rare: no array is made for a struct that has none.
  const out = ["  if (flex) {", "    let tags: TagWrite[] | null = null;"];
  for (const p of tagged) {
    const y = `t${p.f.tag}`;
    out.push(`    const ${y} = ${fieldValue(p, ctx)};`);
    const write = writeValue(p, ctx, y, "true", p.nullable);
    out.push(`    if (${and(p.tagged, `!(${isDefault(p, ctx, y)})`)}) (tags ??= []).push([${p.f.tag}, (w) => { ${write} }]);`);
  }
  out.push("    writeTaggedFields(w, tags, x._tagged);", "  }");
  return out;
}

/** A struct's default value (for struct fields absent from a version). */
function emitDefault(s, plans, ctx) {
  const defaults = plans.map((p) => `${p.key}: ${defaultOf(p.f, p.nullableAll, (e) => `default${ctx.tsNameOf(e)}()`)}`);
  return `export function default${s.tsName}(): ${s.tsName} {\n  return { ${defaults.join(", ")} };\n}`;
}

/** The function with `flex` declared when used, and `v` named `_v` when not. */
function finish(signature, body, ctx) {
  let text = body.join("\n");
  if (/\bflex\b/.test(text)) text = `  const flex = ${ctx.flexTest};\n${text}`;
  const usesV = /\bv\b/.test(text);
  const sig = usesV ? signature : signature.replace("v: number", "_v: number");
  const usesX = /\bx\./.test(text) || /\bx\b/.test(text.replace(/\bx\./g, ""));
  const sig2 = usesX ? sig : sig.replace("x: Init", "_x: Init");
  const usesR = /\br\./.test(text) || /\(r\)/.test(text) || /\br,/.test(text);
  const sig3 = usesR ? sig2 : sig2.replace("r: Reader", "_r: Reader");
  const usesW = /\bw\./.test(text) || /\(w,/.test(text) || /\bw,/.test(text);
  return `${usesW ? sig3 : sig3.replace("w: Writer", "_w: Writer")}\n${text}\n}`;
}

/** The whole file for `message`. */
export function emitMessage(message, label) {
  const valid = message.validVersions;
  const { structs, tsNameOf } = collectStructs(message);
  const flexible = !message.flexibleVersions.intersect(valid).empty;
  const ctx = { message, tsNameOf, flexible, flexTest: versionTest(message.flexibleVersions, valid), defaultChecks: new Set() };
  const structDefaults = new Set();
  const parts = [];
  const byElement = new Map(structs.map((s) => [s.element, s]));
  for (const s of structs) {
    const plans = s.fields.map((f) => fieldPlan(f, message, valid));
    for (const p of plans) if (p.f.struct && !p.f.array && defaultOf(p.f, p.nullableAll, () => "{}") !== "null") structDefaults.add(p.f.element);
    parts.push(emitInterface(s, plans, ctx), emitRead(s, plans, ctx), emitWrite(s, plans, ctx));
  }
  const closure = (element) => {
    if (structDefaults.has(element) && byElement.get(element).visited) return;
    structDefaults.add(element);
    const s = byElement.get(element);
    s.visited = true;
    for (const f of s.fields) if (f.struct && !f.array && f.default !== "null") closure(f.element);
  };
  for (const e of [...structDefaults]) closure(e);
  for (const e of structDefaults) {
    const s = byElement.get(e);
    parts.push(emitDefault(s, s.fields.map((f) => fieldPlan(f, message, valid)), ctx));
  }
  // Default checks of tagged structs, and of the structs inside them.
  const checked = new Set();
  for (let pending = [...ctx.defaultChecks]; pending.length > 0; pending = [...ctx.defaultChecks].filter((e) => !checked.has(e))) {
    for (const e of pending) {
      checked.add(e);
      const s = byElement.get(e);
      parts.push(emitIsDefault(s, s.fields.map((f) => fieldPlan(f, message, valid)), ctx));
    }
  }
  return header(message, label, parts.join("\n\n"), valid);
}

function header(message, label, body, valid) {
  const runtime = [];
  if (/\bEMPTY_BYTES\b/.test(body)) runtime.push("EMPTY_BYTES");
  for (const name of ["present", "readUnknownTaggedFields", "writeTaggedFields"]) if (new RegExp(`(?<![.\\w])${name}\\(`).test(body)) runtime.push(name);
  const types = ["Init"];
  if (/\bRawTaggedField\b/.test(body)) types.push("RawTaggedField");
  if (/\bTagWrite\b/.test(body)) types.push("TagWrite");
  const imports = [
    'import type { Reader } from "../reader";',
    runtime.length === 0 ? `import type { ${types.join(", ")} } from "../tagged";` : `import { ${[...runtime, ...types.map((t) => `type ${t}`)].join(", ")} } from "../tagged";`,
    'import type { Writer } from "../writer";',
  ];
  return `// GENERATED by scripts/kafka-codegen.mjs from ${message.file} of ${label}. Do not edit:
// change the generator or the definitions and run it again (docs/kafka.md).
// ${message.name}: versions ${valid}${message.flexibleVersions.empty ? "" : `, flexible ${message.flexibleVersions}`}.
${imports.join("\n")}

${body}
`;
}

// One message out of several releases' definitions of it (oldest first):
// every version comes from the newest release that defines it. Kafka never
// changes the layout of a version once released, so the releases agree on
// the versions they share; what differs is that Kafka 4.0 dropped old
// versions (KIP-896) and the fields only they had.
import { Versions } from "./schema.mjs";

const restrict = (vs, part) => vs.intersect(part);

/** `newer` for versions >= cut and `older` below it, field by field in wire order. */
function mergeFields(newer, older, cut, where) {
  const high = Versions.between(cut, Infinity);
  const low = Versions.between(0, cut - 1);
  const byName = new Map(older.map((f) => [f.name, f]));
  const merged = newer.map((f) => {
    const o = byName.get(f.name);
    if (o === undefined) return restrictField(f, high);
    if (o.tag !== f.tag) throw new Error(`${where}.${f.name}: tag ${o.tag} became ${f.tag}`);
    if (o.array !== f.array || (o.struct !== f.struct) || (!f.struct && o.element !== f.element)) throw new Error(`${where}.${f.name}: type ${o.type} became ${f.type}`);
    const both = (key) => restrict(f[key], high).union(restrict(o[key], low));
    return {
      ...f,
      versions: both("versions"),
      nullableVersions: both("nullableVersions"),
      taggedVersions: both("taggedVersions"),
      flexibleVersions: f.flexibleVersions === null && o.flexibleVersions === null ? null : (f.flexibleVersions ?? o.flexibleVersions),
      default: f.default ?? o.default,
      fields: f.struct && f.fields !== null ? mergeFields(f.fields, o.fields ?? [], cut, `${where}.${f.name}`) : f.fields,
    };
  });
  // Fields only the older release has go after the field that preceded them there.
  let after = -1;
  for (const o of older) {
    const at = merged.findIndex((m) => m.name === o.name);
    if (at >= 0) {
      after = at;
      continue;
    }
    const kept = restrictField(o, low);
    if (kept.versions.empty) continue;
    merged.splice(after + 1, 0, kept);
    after++;
  }
  return merged;
}

function restrictField(f, part) {
  return {
    ...f,
    versions: restrict(f.versions, part),
    nullableVersions: restrict(f.nullableVersions, part),
    taggedVersions: restrict(f.taggedVersions, part),
    fields: f.fields === null ? null : f.fields.map((x) => restrictField(x, part)),
  };
}

function mergeTwo(newer, older) {
  const cut = newer.validVersions.min();
  if (older.validVersions.min() >= cut) return newer;
  const low = Versions.between(0, cut - 1);
  const olderStructs = new Map(older.commonStructs.map((s) => [s.name, s]));
  const commonStructs = newer.commonStructs.map((s) => {
    const o = olderStructs.get(s.name);
    return o === undefined ? s : { ...s, versions: s.versions.union(o.versions), fields: mergeFields(s.fields, o.fields, cut, `${newer.name}.${s.name}`) };
  });
  for (const o of older.commonStructs) if (!newer.commonStructs.some((s) => s.name === o.name)) commonStructs.push(o);
  return {
    ...newer,
    validVersions: newer.validVersions.union(restrict(older.validVersions, low)),
    flexibleVersions: newer.flexibleVersions.intersect(Versions.between(cut, Infinity)).union(restrict(older.flexibleVersions, low)),
    fields: mergeFields(newer.fields, older.fields, cut, newer.name),
    commonStructs,
  };
}

/** The message as every release defines it (oldest first), plus the names the emitter uses. */
export function mergeMessages(defs) {
  let message = defs.at(-1);
  for (const older of defs.slice(0, -1).reverse()) message = mergeTwo(message, older);
  const fileName = message.name.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
  return { ...message, fileName };
}

/** A version's wire layout: every field present at `v`, with how it is encoded there. */
function layout(fields, structs, v, flexible) {
  return fields
    .filter((f) => f.versions.has(v))
    .map((f) => {
      const inner = f.struct ? (f.fields ?? structs.get(f.element)?.fields) : null;
      const flex = f.flexibleVersions === null ? flexible : f.flexibleVersions.has(v);
      const tag = f.taggedVersions.has(v) ? `@${f.tag}` : "";
      const nested = inner ? `{${layout(inner, structs, v, flexible)}}` : "";
      return `${f.name}:${f.type}${f.nullableVersions.has(v) ? "?" : ""}${flex ? "~" : ""}${tag}${nested}`;
    })
    .join(",");
}

/**
 * Checks that every version of the merged message has the layout of the
 * release it was taken from (the newest one defining it). Throws when not.
 */
export function checkLayouts(merged, defs) {
  const structsOf = (m) => new Map(m.commonStructs.map((s) => [s.name, s]));
  for (let v = merged.validVersions.min(); v <= merged.validVersions.max(); v++) {
    const source = [...defs].reverse().find((d) => d.validVersions.has(v));
    if (source === undefined) throw new Error(`${merged.name} v${v}: no release defines it`);
    const want = layout(source.fields, structsOf(source), v, source.flexibleVersions.has(v));
    const got = layout(merged.fields, structsOf(merged), v, merged.flexibleVersions.has(v));
    if (want !== got) throw new Error(`${merged.name} v${v}: merged layout differs from ${source.file}'s\n  want ${want}\n  got  ${got}`);
  }
}

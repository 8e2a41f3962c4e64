/**
 * What the generated codecs share besides the reader and writer: unknown
 * tagged fields (kept, so a message re-encodes byte for byte), the shape
 * handlers build responses in (`Init`: every field optional, defaulted as
 * Kafka defaults it), and writing the tagged-field section.
 */
import type { Reader } from "./reader";
import type { Writer } from "./writer";

/** The default of byte fields: empty (never written to). */
export const EMPTY_BYTES = new Uint8Array(0);

/** A tagged field this release's definitions do not know (or not at this version): kept as its bytes. */
export interface RawTaggedField {
  tag: number;
  data: Uint8Array;
}

/**
 * A message or struct as a handler builds it: any field may be left out
 * and is then written as its default (Kafka's, or 0, "", false, empty).
 */
export type Init<T> = T extends Uint8Array
  ? T
  : T extends readonly (infer U)[]
    ? readonly Init<U>[]
    : T extends object
      ? { [K in keyof T]?: K extends "_tagged" ? T[K] : Init<T[K]> }
      : T;

/** A known tagged field to write: its tag and how to write its value. */
export type TagWrite = [tag: number, write: (w: Writer) => void];

/**
 * The tagged-field section: the known fields that are not at their
 * default (`known`, null for none) and unknown ones kept from a decoded
 * message, in tag order.
 */
export function writeTaggedFields(w: Writer, known: TagWrite[] | null, unknown: readonly RawTaggedField[] | undefined): void {
  if (unknown === undefined) {
    if (known === null) {
      w.uvarint(0);
      return;
    }
  }
  const all: TagWrite[] = [...(known ?? []), ...(unknown ?? []).map((u): TagWrite => [u.tag, (w) => w.raw(u.data)])];
  all.sort((a, b) => a[0] - b[0]);
  w.uvarint(all.length);
  for (const [tag, write] of all) w.tagged(tag, write);
}

/** A tagged-field section of which no field is known here: kept as it came, undefined when empty. */
export function readUnknownTaggedFields(r: Reader): RawTaggedField[] | undefined {
  let out: RawTaggedField[] | undefined;
  for (let n = r.uvarint(); n > 0; n--) {
    const tag = r.uvarint();
    const size = r.uvarint();
    r.fieldEnd(size);
    (out ??= []).push({ tag, data: r.raw(size) });
  }
  return out;
}

/** `value`, which field `what` may not hold null in this version: a handler that sets null there has a bug. */
export function present<T>(value: T | null, what: string): T {
  if (value === null) throw new Error(`${what} may not be null in this version`);
  return value;
}

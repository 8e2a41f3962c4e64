/**
 * Client input checked against a valibot schema, the one way request
 * bodies (and WebSocket frames) are validated; produce payloads keep
 * their streaming parser (bytes/json-text.ts, produce/parse-*.ts).
 *
 * Only the first problem is reported, as one sentence naming where it is
 * (`offsets[2].partition must be …`). A schema's messages are written as
 * predicates about the value at their path ("must be an integer from 1 to
 * 1024"); a check on a whole body (it has no path), a raw check's and a
 * raw transform's message is a whole sentence naming what it is about
 * (cross-field rules, config values, timestamps), used as it is. An
 * unknown field of a strict object is named with the fields the object
 * has; a missing one is "… is required".
 */
import * as v from "valibot";
import { ErrorCode, type KafkaErrorName, RunnelError } from "./errors";

type Issue = v.BaseIssue<unknown>;

/** The outcome of `checkInput`: the schema's output, or the sentence saying what is wrong. */
export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * `input` checked against `schema`: its output, or the first problem as a
 * sentence. `subject` names the input itself when it is not a body whose
 * fields name themselves (say "partitions_count" for a bare count).
 */
export function checkInput<S extends v.GenericSchema>(schema: S, input: unknown, subject = ""): Checked<v.InferOutput<S>> {
  const result = v.safeParse(schema, input, CONFIG);
  if (result.success) return { ok: true, value: result.output };
  return { ok: false, message: sentence(schema, result.issues[0], subject) };
}

/** The problem `checkInput` finds, or null when `input` fits `schema`. */
export function inputProblem(schema: v.GenericSchema, input: unknown, subject = ""): string | null {
  const checked = checkInput(schema, input, subject);
  return checked.ok ? null : checked.message;
}

/** How `parseInput` refuses bad input. */
export interface RefuseAs {
  /** The endpoint's code for bad input (default 400). */
  errorCode?: number;
  /** Kafka's name for it (default: the code's own, INVALID_REQUEST for 400; needed for codes of several meanings, such as 42206). */
  errorName?: KafkaErrorName;
  /** Names the input itself when it is not a body whose fields name themselves. */
  subject?: string;
}

/** `input`'s output under `schema`, or a thrown RunnelError with the first problem (see `RefuseAs`). */
export function parseInput<S extends v.GenericSchema>(schema: S, input: unknown, refuse: RefuseAs = {}): v.InferOutput<S> {
  const checked = checkInput(schema, input, refuse.subject);
  if (!checked.ok) throw new RunnelError(refuse.errorCode ?? ErrorCode.BAD_REQUEST, checked.message, undefined, refuse.errorName);
  return checked.value;
}

/** Stops at the first problem (only it is reported); a schema's own messages win over `predicate`. */
const CONFIG = { abortEarly: true, message: predicate } as const;

/** Characters of a client's text (a value, a field name) quoted in a message. */
const QUOTED_LENGTH_MAX = 64;

/** What a value should have been, for an issue whose schema gives no message of its own. */
function predicate(issue: Issue): string {
  const got = `, got ${clip(issue.received)}`;
  if (issue.kind === "validation") {
    if (issue.type === "min_value") return `must be at least ${String(issue.requirement)}${got}`;
    if (issue.type === "max_value") return `must be at most ${String(issue.requirement)}${got}`;
    if (issue.type === "min_length") return `must hold at least ${String(issue.requirement)}${got}`;
    if (issue.type === "max_length") return `must hold at most ${String(issue.requirement)}${got}`;
  }
  const expected = issue.expected ?? issue.type;
  return `must be ${EXPECTED[expected] ?? expected}${got}`;
}

const EXPECTED: Record<string, string> = {
  number: "a number",
  string: "a string",
  boolean: "true or false",
  Object: "a JSON object",
  Array: "an array",
  integer: "an integer",
  safe_integer: "an integer",
};

/** The issue as one sentence: where it is, then what is wrong. */
function sentence(schema: v.GenericSchema, issue: Issue, subject: string): string {
  if (issue.type === "raw_check" || issue.type === "raw_transform") return issue.message;
  const path = issue.path ?? [];
  const where = pathText(subject, path);
  const last = path.at(-1);
  if (last?.type === "object" && last.origin === "key") {
    if (issue.expected !== "never") return `${where} is required`;
    const fields = fieldsAt(schema, path);
    return `unknown field '${where}'${fields.length > 0 ? `; expected ${fields.join(", ")}` : ""}`;
  }
  return where === "" ? issue.message : `${where} ${issue.message}`;
}

/** `subject.a.b[2].c` for a path (each key clipped). */
function pathText(subject: string, path: readonly v.IssuePathItem[]): string {
  let text = subject;
  for (const item of path) {
    if (typeof item.key === "number") text += `[${item.key}]`;
    else text += `${text === "" ? "" : "."}${clip(String(item.key))}`;
  }
  return text;
}

interface Node {
  wrapped?: Node;
  item?: Node;
  entries?: Record<string, Node>;
}

/** The fields of the object schema holding the last key of `path`; [] when there is none to name. */
function fieldsAt(schema: v.GenericSchema, path: readonly v.IssuePathItem[]): string[] {
  let node: Node | undefined = unwrapped(schema as Node);
  for (const item of path.slice(0, -1)) {
    if (item.type === "array") node = unwrapped(node?.item);
    else if (item.type === "object" && node?.entries !== undefined && Object.hasOwn(node.entries, item.key)) node = unwrapped(node.entries[item.key]);
    else return [];
  }
  return node?.entries === undefined ? [] : Object.keys(node.entries);
}

function unwrapped(node: Node | undefined): Node | undefined {
  let n = node;
  while (n?.wrapped !== undefined) n = n.wrapped;
  return n;
}

function clip(text: string): string {
  return text.length > QUOTED_LENGTH_MAX ? `${text.slice(0, QUOTED_LENGTH_MAX)}…` : text;
}

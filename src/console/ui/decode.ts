/**
 * How the message browser shows a key, value or header value: as text
 * (UTF-8), JSON (pretty-printed), base64 or hex. The bytes are never
 * interpreted as markup — they become text nodes — and control and
 * bidirectional-override characters are shown as visible escapes
 * (`\u202E`), so a hostile value cannot disguise itself or what follows it.
 */
import { toBase64 } from "../../bytes/base64";

export type View = "string" | "json" | "base64" | "hex";

export const VIEWS: { value: View; label: string }[] = [
  { value: "string", label: "String" },
  { value: "json", label: "JSON" },
  { value: "base64", label: "Base64" },
  { value: "hex", label: "Hex" },
];

export interface Shown {
  text: string;
  /** Why the text is not what was asked for, or what was changed ("not JSON", "not valid UTF-8"). */
  note: string | null;
  isNull: boolean;
}

const strict = new TextDecoder("utf-8", { fatal: true });
const lenient = new TextDecoder("utf-8");
/** C0 and C1 controls (but tab and newline), and the bidirectional formatting characters. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function escapeInvisible(text: string): { text: string; escaped: boolean } {
  let escaped = false;
  const out = text.replace(INVISIBLE, (c) => {
    escaped = true;
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
  return { text: out, escaped };
}

function utf8(bytes: Uint8Array): { text: string; valid: boolean } {
  try {
    return { text: strict.decode(bytes), valid: true };
  } catch {
    return { text: lenient.decode(bytes), valid: false };
  }
}

function hex(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) out += (i === 0 ? "" : i % 16 === 0 ? "\n" : " ") + bytes[i]!.toString(16).padStart(2, "0");
  return out;
}

/**
 * Valid JSON text indented two spaces a level, token by token: numbers
 * stay exactly as written (parsing them would round 64-bit ids).
 */
export function indentJson(raw: string): string {
  let out = "";
  let depth = 0;
  const newline = () => `\n${"  ".repeat(depth)}`;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '"') {
      const start = i;
      for (i++; i < raw.length && raw[i] !== '"'; i++) if (raw[i] === "\\") i++;
      out += raw.slice(start, i + 1);
    } else if (c === "{" || c === "[") {
      const close = c === "{" ? "}" : "]";
      let j = i + 1;
      while (j < raw.length && /\s/.test(raw[j]!)) j++;
      if (raw[j] === close) {
        out += c + close; // an empty object or array stays on its line
        i = j;
      } else {
        depth++;
        out += c + newline();
      }
    } else if (c === "}" || c === "]") {
      depth--;
      out += newline() + c;
    } else if (c === ",") out += `,${newline()}`;
    else if (c === ":") out += ": ";
    else if (!/\s/.test(c)) out += c;
  }
  return out;
}

function asText(bytes: Uint8Array, notes: string[]): string {
  const { text, valid } = utf8(bytes);
  if (!valid) notes.push("not valid UTF-8 (shown with replacement characters)");
  const shown = escapeInvisible(text);
  if (shown.escaped) notes.push("control characters shown as \\u escapes");
  return shown.text;
}

/** `bytes` (null: no key or value) shown in `view`. */
export function show(bytes: Uint8Array | null, view: View): Shown {
  if (bytes === null) return { text: "null", note: null, isNull: true };
  const notes: string[] = [];
  let text: string;
  switch (view) {
    case "base64":
      text = toBase64(bytes);
      break;
    case "hex":
      text = hex(bytes);
      break;
    case "string":
      text = asText(bytes, notes);
      break;
    case "json": {
      const { text: raw, valid } = utf8(bytes);
      try {
        if (!valid) throw new SyntaxError("not UTF-8");
        JSON.parse(raw); // valid JSON, or shown as text
        text = escapeInvisible(indentJson(raw)).text;
      } catch {
        notes.push("not JSON; shown as text");
        text = asText(bytes, notes);
      }
      break;
    }
  }
  return { text, note: notes.length === 0 ? null : notes.join("; "), isNull: false };
}

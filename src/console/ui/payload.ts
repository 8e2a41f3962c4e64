/**
 * Keys, values and header values as typed on a page, in the format the
 * user chose, made into what the client sends: text as its UTF-8 bytes,
 * JSON checked (and sent as typed), base64 decoded to bytes, or none (a
 * null key or value).
 */
import { fromBase64 } from "../../bytes/base64";
import { InputError } from "./error-box";

export type InputFormat = "string" | "json" | "base64" | "null";

export const INPUT_FORMATS: { value: InputFormat; label: string }[] = [
  { value: "string", label: "String (UTF-8)" },
  { value: "json", label: "JSON" },
  { value: "base64", label: "Binary (base64)" },
  { value: "null", label: "None (null)" },
];

/** What to send for `text` typed as `format`; `what` names the field in errors ("value"). Throws InputError. */
export function payloadOf(text: string, format: InputFormat, what: string): string | Uint8Array | null {
  switch (format) {
    case "null":
      return null;
    case "string":
      return text;
    case "json":
      try {
        JSON.parse(text);
      } catch (e) {
        throw new InputError(`The ${what} is not JSON: ${(e as Error).message}`);
      }
      return text;
    case "base64":
      try {
        return fromBase64(text.replace(/\s+/g, ""));
      } catch {
        throw new InputError(`The ${what} is not base64 (A–Z, a–z, 0–9, + and /, padded with =).`);
      }
  }
}

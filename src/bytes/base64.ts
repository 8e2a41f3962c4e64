/**
 * Strict base64 (RFC 4648 §4: the standard alphabet; padding optional,
 * but when present it must be right). Refused: whitespace and line
 * breaks anywhere (the runtime's `Uint8Array.fromBase64` skips them), the
 * URL-safe alphabet, a lone trailing character, and non-zero pad bits
 * (RFC 4648 §3.5), so every byte string has exactly one accepted encoding
 * besides its padding.
 */

interface Base64Native {
  fromBase64?: (s: string) => Uint8Array;
}
interface Base64Bytes {
  toBase64?: () => string;
}

const native = Uint8Array as unknown as Base64Native;
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const STRICT = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decodes base64; throws SyntaxError on anything that is not strict base64. */
export function fromBase64(text: string): Uint8Array {
  if (!isStrictBase64(text)) throw new SyntaxError("invalid base64");
  if (native.fromBase64 !== undefined) return native.fromBase64(text);
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Whether `text` is strict base64 as the module comment says. */
export function isStrictBase64(text: string): boolean {
  if (!STRICT.test(text)) return false;
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  if (padding > 0 && text.length % 4 !== 0) return false;
  const data = text.length - padding;
  const rest = data % 4;
  if (rest === 1) return false;
  if (padding > 0 && rest !== 4 - padding) return false;
  if (rest === 0) return true;
  // The last character carries bits past the end of the data: they must be zero.
  const last = ALPHABET.indexOf(text[data - 1]!);
  return (last & (rest === 2 ? 0b1111 : 0b11)) === 0;
}

/** Encodes bytes as padded base64. */
export function toBase64(bytes: Uint8Array): string {
  const b = bytes as unknown as Base64Bytes;
  if (b.toBase64 !== undefined) return b.toBase64();
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

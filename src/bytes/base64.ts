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
  if (native.fromBase64 !== undefined) return strictNative(native.fromBase64, text);
  if (!isStrictBase64(text)) throw new SyntaxError("invalid base64");
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * The runtime's decoder (which refuses other alphabets and misplaced
 * padding), made strict without a second pass over the text: anything it
 * skipped (whitespace) makes the text longer than the canonical encoding
 * of what came out; then the padding and the pad bits are checked.
 */
function strictNative(decode: (s: string) => Uint8Array, text: string): Uint8Array {
  const bytes = decode(text);
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const data = text.length - padding;
  if (data !== Math.ceil((bytes.length * 4) / 3) || (padding > 0 && text.length % 4 !== 0) || !padBitsZero(text, data)) {
    throw new SyntaxError("invalid base64");
  }
  return bytes;
}

/** Whether the last of `data` base64 characters carries only zero bits past the end of the bytes. */
function padBitsZero(text: string, data: number): boolean {
  const rest = data % 4;
  if (rest === 0) return true;
  const last = ALPHABET.indexOf(text[data - 1]!);
  return (last & (rest === 2 ? 0b1111 : 0b11)) === 0;
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
  return padBitsZero(text, data);
}

/** Encodes bytes as padded base64. */
export function toBase64(bytes: Uint8Array): string {
  const b = bytes as unknown as Base64Bytes;
  if (b.toBase64 !== undefined) return b.toBase64();
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

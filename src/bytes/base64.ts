/** Strict base64 (RFC 4648, standard alphabet, padding optional). */

interface Base64Native {
  fromBase64?: (s: string) => Uint8Array;
}
interface Base64Bytes {
  toBase64?: () => string;
}

const native = Uint8Array as unknown as Base64Native;
const STRICT = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decodes base64; throws SyntaxError on anything that is not base64. */
export function fromBase64(text: string): Uint8Array {
  if (native.fromBase64 !== undefined) return native.fromBase64(text);
  if (!STRICT.test(text) || text.length % 4 === 1) throw new SyntaxError("invalid base64");
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Encodes bytes as padded base64. */
export function toBase64(bytes: Uint8Array): string {
  const b = bytes as unknown as Base64Bytes;
  if (b.toBase64 !== undefined) return b.toBase64();
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

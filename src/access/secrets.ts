/**
 * API key secrets. A secret is 32 random bytes (base64url); only a salted
 * SHA-256 of it is stored. A fast hash is enough here because secrets are
 * random with 256 bits of entropy — nothing to guess word by word — and it
 * keeps verifying a key cheap on the produce and fetch paths. Comparisons
 * run in constant time (`crypto.subtle.timingSafeEqual`) over equal-length
 * digests, so neither the content nor the length of a secret leaks.
 */
import { toBase64 } from "../bytes/base64";

const utf8 = new TextEncoder();

/** A new key id: `k` and 16 lowercase hex digits. */
export function newKeyId(): string {
  return `k${hex(crypto.getRandomValues(new Uint8Array(8)))}`;
}

/** A new secret: 32 random bytes, base64url without padding (43 characters). */
export function newSecret(): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(32)));
}

/** A new salt: 16 random bytes as hex. */
export function newSalt(): string {
  return hex(crypto.getRandomValues(new Uint8Array(16)));
}

/** The stored form of a secret: SHA-256 over the salt and the secret, as hex. */
export async function hashSecret(secret: string, salt: string): Promise<string> {
  return hex(await sha256(`${salt}:${secret}`));
}

/** Whether `secret` is the one behind `storedHash` (constant time). */
export async function secretMatches(secret: string, salt: string, storedHash: string): Promise<boolean> {
  return sameText(await hashSecret(secret, salt), storedHash);
}

/** Constant-time equality of two strings, by their SHA-256 digests (so lengths do not leak either). */
export async function sameText(a: string, b: string): Promise<boolean> {
  const [da, db] = await Promise.all([sha256(a), sha256(b)]);
  return crypto.subtle.timingSafeEqual(da, db);
}

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", utf8.encode(text)));
}

function hex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/** base64url without padding (RFC 4648 §5). */
export function base64Url(bytes: Uint8Array): string {
  return toBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

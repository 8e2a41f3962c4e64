/** Joining byte arrays: one copy, shared by the codecs, the HTTP paths and the client. */

/**
 * `parts` joined into one new array. `totalBytes` is their summed length when
 * the caller already counted it (default: counted here).
 */
export function concatBytes(parts: readonly Uint8Array[], totalBytes?: number): Uint8Array<ArrayBuffer> {
  const total = totalBytes ?? parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  if (at !== total) throw new Error(`concatBytes: parts hold ${at} bytes, not the ${total} counted`);
  return out;
}

/**
 * `parts` as one array: the only part itself when there is one (no copy),
 * else `concatBytes(parts, totalBytes)`. For callers that own their parts.
 */
export function joinBytes(parts: readonly Uint8Array[], totalBytes?: number): Uint8Array {
  return parts.length === 1 ? parts[0]! : concatBytes(parts, totalBytes);
}

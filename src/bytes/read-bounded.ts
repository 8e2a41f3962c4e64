/** Reading a whole byte stream with a cap, so nothing grows without limit. */

/**
 * All bytes of `stream`, or null as soon as they exceed `bytesMax` (the
 * stream is then cancelled).
 */
export async function readBounded(stream: ReadableStream<Uint8Array>, bytesMax: number): Promise<Uint8Array | null> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > bytesMax) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let pos = 0;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}

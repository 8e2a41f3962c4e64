/**
 * gzip for record batches' records sections, through the runtime's
 * CompressionStream. Decompression is bounded so a small batch cannot
 * expand without limit.
 */

/** gzip-compresses `bytes`. */
export async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Decompresses gzip `bytes`; throws RangeError past `outputBytesMax`. */
export async function gunzip(bytes: Uint8Array, outputBytesMax: number): Promise<Uint8Array> {
  const reader = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip")).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > outputBytesMax) {
      await reader.cancel();
      throw new RangeError(`decompressed records exceed ${outputBytesMax} bytes`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let pos = 0;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  return out;
}

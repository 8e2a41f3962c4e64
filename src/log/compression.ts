/**
 * gzip for record batches' records sections, through the runtime's
 * CompressionStream. Decompression is bounded so a small batch cannot
 * expand without limit.
 */
import { readBounded } from "../bytes/read-bounded";

/** gzip-compresses `bytes`. */
export async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Decompresses gzip `bytes`; throws RangeError past `outputBytesMax`. */
export async function gunzip(bytes: Uint8Array, outputBytesMax: number): Promise<Uint8Array> {
  const out = await readBounded(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip")), outputBytesMax);
  if (out === null) throw new RangeError(`decompressed records exceed ${outputBytesMax} bytes`);
  return out;
}

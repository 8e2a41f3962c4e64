/** What the codecs share: their error. */

/** A compressed records section that is malformed or expands past its bound. */
export class CompressionError extends Error {
  override name = "CompressionError";
}

/** The error for output past `outputBytesMax`, the whole section's bound. */
export function pastLimit(codec: string, outputBytesMax: number): CompressionError {
  return new CompressionError(`${codec} records decompress past ${outputBytesMax} bytes`);
}


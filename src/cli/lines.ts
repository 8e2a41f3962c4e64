/** Splitting a byte stream into lines (at \n, kept byte for byte: a \r stays in the line). */

/** Yields the lines of `input`'s chunks; a last line without \n is a line too. */
export async function* lines(input: AsyncIterable<Uint8Array>): AsyncGenerator<{ line: Uint8Array; bytes: number }> {
  let rest: Uint8Array | null = null;
  for await (const chunk of input) {
    let data: Uint8Array = chunk;
    if (rest !== null) {
      data = new Uint8Array(rest.length + chunk.length);
      data.set(rest);
      data.set(chunk, rest.length);
      rest = null;
    }
    let start = 0;
    for (let nl = data.indexOf(10, start); nl >= 0; nl = data.indexOf(10, start)) {
      yield { line: data.subarray(start, nl), bytes: nl + 1 - start };
      start = nl + 1;
    }
    if (start < data.length) rest = data.slice(start);
  }
  if (rest !== null && rest.length > 0) yield { line: rest, bytes: rest.length };
}

/** The index of `needle` in `haystack`, or -1. */
export function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  if (needle.length === 0) return -1;
  outer: for (let i = haystack.indexOf(needle[0]!); i >= 0 && i + needle.length <= haystack.length; i = haystack.indexOf(needle[0]!, i + 1)) {
    for (let j = 1; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

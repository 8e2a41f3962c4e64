/**
 * Cuts a TCP byte stream into Kafka request frames (int32 size, then that
 * many bytes). Bytes are kept as the chunks they arrived in and joined
 * once per frame, so a large frame arriving in many pieces is copied once.
 */

/** A size prefix that cannot be served: the connection is closed. */
export class FrameError extends Error {
  override name = "FrameError";
}

export class Framer {
  private chunks: Buffer[] = [];
  private bytes = 0;

  constructor(
    /** Largest frame accepted, size prefix excluded. */
    private readonly frameBytesMax: number,
  ) {}

  /** Bytes held that do not make a whole frame yet. */
  get pendingBytes(): number {
    return this.bytes;
  }

  /** Adds arrived bytes; returns the whole frames they complete, in order. Throws `FrameError` on a bad size. */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    const frames: Buffer[] = [];
    while (this.bytes >= 4) {
      const size = this.peekSize();
      if (size < 0 || size > this.frameBytesMax) throw new FrameError(`request size ${size} is outside [0, ${this.frameBytesMax}] bytes`);
      if (this.bytes < 4 + size) break;
      frames.push(this.take(4 + size).subarray(4));
    }
    return frames;
  }

  private peekSize(): number {
    const first = this.chunks[0]!;
    const head = first.length >= 4 ? first : Buffer.concat(this.chunks, 4);
    return head.readInt32BE(0);
  }

  /** Removes the first `n` bytes held, as one buffer. */
  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let at = 0;
      while (at < n) {
        const c = this.chunks[0]!;
        const part = Math.min(c.length, n - at);
        c.copy(out, at, 0, part);
        at += part;
        if (part === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(part);
      }
    }
    this.bytes -= n;
    return out;
  }
}

import { describe, expect, it } from "vitest";
import { drain, readBounded } from "../../src/bytes/read-bounded";
import { limits } from "../../src/limits";

/** A stream of `chunks` chunks of `size` bytes (endless when chunks is Infinity) that records how it was used. */
function source(chunks: number, size = 1024) {
  const seen = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (seen.pulled >= chunks) return controller.close();
      seen.pulled++;
      controller.enqueue(new Uint8Array(size));
    },
    cancel() {
      seen.cancelled = true;
    },
  });
  return { stream, seen };
}

describe("bounded reads of request bodies", () => {
  it("read a body within the limit whole", async () => {
    const { stream, seen } = source(4);
    expect((await readBounded(stream, 4096))?.length).toBe(4096);
    expect(seen.cancelled).toBe(false);
  });

  it("past the limit, read the rest to its end and throw it away (so the client hears the refusal), within the drain bound", async () => {
    const { stream, seen } = source(100);
    expect(await readBounded(stream, 10 * 1024, 1024 * 1024)).toBeNull();
    expect(seen).toEqual({ pulled: 100, cancelled: false });
  });

  it("stop draining past the drain bound, and cancel", async () => {
    const { stream, seen } = source(Number.POSITIVE_INFINITY);
    expect(await readBounded(stream, 10 * 1024, 20 * 1024)).toBeNull();
    expect(seen.cancelled).toBe(true);
    expect(seen.pulled).toBeLessThan(40);
  });

  it("cancel at once when asked not to drain (a tee'd copy)", async () => {
    const { stream, seen } = source(100);
    expect(await readBounded(stream, 10 * 1024, 0)).toBeNull();
    expect(seen.cancelled).toBe(true);
    expect(seen.pulled).toBeLessThan(20);
  });

  it("stop draining a body that never ends after the time bound", async () => {
    const stream = new ReadableStream<Uint8Array>({ pull: () => new Promise(() => {}) }); // a client that stalls
    const t0 = Date.now();
    expect(await drain(stream.getReader(), limits.refusedBodyDrainBytesMax, 50)).toBe(false);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });
});

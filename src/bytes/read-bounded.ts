/**
 * Reading a whole byte stream with a cap, so nothing grows without limit,
 * and draining what is left of a refused request body.
 *
 * Why drain: an HTTP server that answers before it has read the request
 * body, then closes the connection with unread bytes in its receive
 * buffer, makes the kernel send a reset — and a client still busy sending
 * loses the answer it had not read yet, seeing only a dropped connection
 * (workerd reads on for 64 KiB or 1 s after the answer, then closes). So a
 * refused body is read to its end and thrown away, within
 * `limits.refusedBodyDrainBytesMax` and `limits.refusedBodyDrainMsMax`,
 * before the refusal is sent.
 */
import { limits } from "../limits";
import { joinBytes } from "./concat";

/**
 * All bytes of `stream`, or null as soon as they exceed `bytesMax`. Past
 * the cap the rest is drained (at most `drainBytesMax` more bytes; 0
 * cancels at once, as a reader of a tee'd copy must, so the other branch
 * does not buffer it) and the stream is then cancelled.
 */
export async function readBounded(
  stream: ReadableStream<Uint8Array>,
  bytesMax: number,
  drainBytesMax: number = limits.refusedBodyDrainBytesMax,
): Promise<Uint8Array | null> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > bytesMax) {
      await drain(reader, drainBytesMax);
      return null;
    }
    chunks.push(value);
  }
  return joinBytes(chunks, total);
}

/**
 * Reads and discards the rest of a stream: to its end, or until more than
 * `bytesMax` bytes or `msMax` (default `limits.refusedBodyDrainMsMax`)
 * have gone by, then cancels it. Never throws (a client that went away
 * ends the drain); resolves true when the stream was read to its end.
 */
export async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, bytesMax: number, msMax: number = limits.refusedBodyDrainMsMax): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), msMax);
  });
  let read = 0;
  let ended = false;
  try {
    while (read <= bytesMax) {
      const next = await Promise.race([reader.read(), late]);
      if (next === null) break;
      if (next.done) {
        ended = true;
        break;
      }
      read += next.value.length;
    }
  } catch {
    // The client broke off its body: there is no one left to answer.
  } finally {
    clearTimeout(timer);
  }
  if (!ended) await reader.cancel().catch(() => {});
  return ended;
}

/**
 * Drains a request body nobody read (a request refused before its body
 * was looked at), within the drain limits; a body declared larger than
 * `limits.refusedBodyDrainBytesMax` is left alone (cancelled).
 */
export async function drainUnread(request: Request): Promise<void> {
  const body = request.body;
  if (body === null || body.locked || request.bodyUsed) return;
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (!(declared <= limits.refusedBodyDrainBytesMax)) {
    await body.cancel().catch(() => {});
    return;
  }
  await drain(body.getReader(), limits.refusedBodyDrainBytesMax);
}

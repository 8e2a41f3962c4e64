// Helpers for the hostile-input tests: raw requests the JSON helper cannot send.
import { SELF } from "cloudflare:test";
import { call, V3 } from "../helpers";

const utf8 = new TextEncoder();

/** The high watermark of a partition (what a refused request must leave alone). */
export async function highWatermark(topic: string, partition = 0): Promise<number> {
  const res = await call("GET", `${V3}/topics/${topic}/partitions/${partition}`);
  if (res.status !== 200) throw new Error(`describe ${topic}/${partition}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.high_watermark;
}

/** A body that streams (no Content-Length, so it is sent chunked), one chunk per string. */
export function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(utf8.encode(chunks[i++]!));
      else controller.close();
    },
  });
}

/** Sends `body` as it is — a stream, bytes (no Content-Type added) or text — and reads the answer as text. */
export async function send(method: string, path: string, body: BodyInit | null, headers: Record<string, string> = {}) {
  const init = { method, headers, body, ...(body instanceof ReadableStream ? { duplex: "half" } : {}) } as RequestInit;
  const res = await SELF.fetch(`http://runnel.test${path}`, init);
  const text = new TextDecoder().decode(await res.arrayBuffer());
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* NDJSON or empty: left to the caller */
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** The report lines of an NDJSON answer. */
export function lines(text: string): any[] {
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l));
}

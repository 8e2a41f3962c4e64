/**
 * A live tail of one partition over Server-Sent Events
 * (`GET …/partitions/{p}/records` with `Accept: text/event-stream`),
 * read with fetch and a stream reader: EventSource cannot send the
 * Authorization header, and the key must not go into a URL. Events are
 * parsed by eventsource-parser. A dropped stream is opened again with
 * `Last-Event-ID` (it resumes exactly after the last event seen); an
 * error answer or an `error` event ends the tail with the API's error.
 */
import { createParser } from "eventsource-parser";
import type { WireRecord } from "../../client/consumer-state";
import { errorOf, seg } from "../../client/http";
import { RunnelError } from "../../client/errors";
import type { Session } from "./session";

export interface TailHandlers {
  records: (records: WireRecord[]) => void;
  /** The tail ended with this error (it is not retried). */
  failed: (error: RunnelError) => void;
  /** "live" once the stream answers, "reconnecting" while it is opened again. */
  state: (state: "connecting" | "live" | "reconnecting") => void;
}

const RETRY_MS = [500, 1_000, 2_000, 5_000];

/** Starts tailing `partition` of `topic` from `offset` (absent: the high watermark); returns stop(). */
export function startTail(session: Session, topic: string, partition: number, offset: number | null, on: TailHandlers): () => void {
  const stop = new AbortController();
  let lastId: string | null = null;
  const run = async () => {
    for (let attempt = 0; !stop.signal.aborted; attempt++) {
      on.state(attempt === 0 ? "connecting" : "reconnecting");
      try {
        await readStream();
        attempt = 0; // the server ended a stream that worked: open it again
      } catch (e) {
        if (stop.signal.aborted) return;
        // A refusal (4xx) or an error event (status 0) ends the tail; no answer, a dropped stream or a 5xx is retried.
        if (e instanceof RunnelError && e.status < 500) return on.failed(e);
      }
      await new Promise((r) => setTimeout(r, RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]));
    }
  };
  const readStream = async () => {
    const q = new URLSearchParams({ format: "binary" });
    if (offset !== null) q.set("offset", String(offset));
    const path = `/v3/clusters/${seg(session.clusterId)}/topics/${seg(topic)}/partitions/${partition}/records?${q}`;
    const headers: Record<string, string> = { accept: "text/event-stream" };
    if (session.key !== undefined) headers.authorization = `Bearer ${session.key}`;
    if (lastId !== null) headers["last-event-id"] = lastId;
    const res = await fetch(path, { headers, signal: stop.signal, cache: "no-store" });
    if (!res.ok) throw await errorOf(res);
    on.state("live");
    let failure: RunnelError | null = null;
    const parser = createParser({
      onEvent: (event) => {
        if (event.event === "records") {
          if (event.id !== undefined) lastId = event.id;
          on.records(JSON.parse(event.data) as WireRecord[]);
        } else if (event.event === "error") {
          const body = JSON.parse(event.data) as { error_code: number; message: string; error_name?: string };
          failure = new RunnelError(body.error_code, body.message, 0, null, null, body.error_name ?? null);
        }
      },
    });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || stop.signal.aborted) break;
        parser.feed(value);
        if (failure !== null) throw failure;
      }
    } finally {
      reader.cancel().catch(() => undefined); // already closed or aborted
    }
  };
  void run();
  return () => stop.abort();
}

/** Reading a Server-Sent Events stream in tests: events and comments as they arrive, with a deadline. */

export interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
  /** A comment line (": ping" gives "ping"). */
  comment?: string;
}

/** Parses SSE text as it arrives; `take` returns the complete items so far. */
export class SseReader {
  private buffer = "";
  private readonly decoder = new TextDecoder();
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly items: SseEvent[] = [];
  ended = false;

  constructor(body: ReadableStream<Uint8Array>) {
    this.reader = body.getReader();
  }

  /** Reads until `done(items)` holds or `timeoutMs` passes; returns whether it held. */
  async until(done: (items: SseEvent[]) => boolean, timeoutMs = 5_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.items)) {
      if (this.ended) return false;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), left)));
      const chunk = await Promise.race([this.pending ?? (this.pending = this.reader.read()), timeout]);
      clearTimeout(timer);
      if (chunk === "timeout") return done(this.items);
      this.pending = null;
      if (chunk.done) {
        this.ended = true;
        continue;
      }
      this.parse(this.decoder.decode(chunk.value, { stream: true }));
    }
    return true;
  }

  private pending: Promise<ReadableStreamReadResult<Uint8Array>> | null = null;

  /** The `records` events so far. */
  records(): SseEvent[] {
    return this.items.filter((i) => i.event === "records");
  }

  async close(): Promise<void> {
    await this.reader.cancel().catch(() => {});
  }

  private parse(text: string): void {
    this.buffer += text;
    for (let end = this.buffer.indexOf("\n\n"); end >= 0; end = this.buffer.indexOf("\n\n")) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const item: SseEvent = {};
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) item.comment = line.slice(1).trim();
        else {
          const at = line.indexOf(":");
          const field = line.slice(0, at);
          const value = line.slice(at + 1).replace(/^ /, "");
          if (field === "id" || field === "event" || field === "data") item[field] = value;
        }
      }
      this.items.push(item);
    }
  }
}

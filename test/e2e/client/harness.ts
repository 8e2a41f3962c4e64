// The TypeScript client's end-to-end harness: a server on a fresh state
// directory, a fetch and a WebSocket a test can watch and break, and small
// helpers to fill and read partitions through the client.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WebSocket as WsSocket } from "ws";
import { afterAll, beforeAll } from "vitest";
import type { Runnel } from "../../../src/client/index";
import { freePort, startServer, type RunningServer } from "../server";

/**
 * Registers the file's hooks: before all, the server as `npm start` runs
 * it (authentication off) on a fresh state directory; after all, the
 * server stopped and its state removed. Returns the server's `url` (read
 * it inside tests: it is set once the server is up).
 */
export function clientHarness(): { readonly url: string } {
  let dir: string | undefined;
  let server: RunningServer | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "runnel-e2e-client-"));
    server = await startServer(await freePort(), dir);
  });

  afterAll(async () => {
    await server?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });
  return {
    get url() {
      if (server === undefined) throw new Error("the client harness's server is not up: read url inside a test");
      return server.url;
    },
  };
}

/** A fetch that counts record-batch POSTs and lets a test fail the next ones its own way. */
export function instrumentedFetch() {
  const state = {
    batchPosts: 0,
    /** Run on each batch POST before (or instead of) sending it; return a Response to answer it without the server. */
    intercept: null as null | ((send: () => Promise<Response>) => Promise<Response>),
  };
  const f = async (input: string, init?: RequestInit) => {
    const send = () => fetch(input, init);
    if (!input.includes("/batches") || init?.method !== "POST") return send(); // fetches read batches too: only appends count
    state.batchPosts++;
    const intercept = state.intercept;
    return intercept === null ? send() : intercept(send);
  };
  return { state, fetch: f };
}

/** Every record of a partition (from offset 0 to the high watermark, exclusive), as strings. */
export async function readAll(client: Runnel, topic: string, partition: number) {
  const out: { offset: number; value: unknown; key: unknown }[] = [];
  for (let offset = 0; ; ) {
    const f = await client.fetch(topic, partition, offset, {});
    out.push(...f.records.map((r) => ({ offset: r.offset, value: r.value, key: r.key })));
    offset = f.nextOffset;
    if (offset >= f.highWatermark) return out;
  }
}

/** A WebSocket constructor (the ws package) whose sockets a test can reach, and counts the records sent to them. */
export function trackedSockets() {
  const sockets: WsSocket[] = [];
  const counts = { records: 0 };
  class Tracked extends WsSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols);
      sockets.push(this);
      this.addEventListener("message", (e) => {
        const frame = JSON.parse(String(e.data));
        if (frame.type === "records") counts.records += frame.records.length;
      });
    }
  }
  return { sockets, counts, WebSocket: Tracked as unknown as ConstructorParameters<typeof Runnel>[0]["WebSocket"] };
}

/** Produces `count` records with values "0", "1", … to `partition` (default 0) of `topic`. */
export async function produceNumbers(client: Runnel, topic: string, count: number, partition = 0) {
  const producer = client.producer();
  await producer.send(topic, Array.from({ length: count }, (_, i) => ({ value: String(i), partition })));
  await producer.close();
}

// Which WebSocket the client opens in Node, and what it offers: the ws
// package, without permessage-deflate unless `compressedResponses` asks
// for it. The far end is a small ws server that answers the upgrade and
// sends its first frames at once, so they arrive in the tick the socket
// opens (the consumer must still see them).
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Runnel } from "../../src/client/index";

const offered: (string | undefined)[] = [];
let server: WebSocketServer;
let url: string;

beforeAll(async () => {
  server = new WebSocketServer({ port: 0, host: "127.0.0.1", handleProtocols: () => "runnel.v1" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  server.on("connection", (ws, req) => {
    offered.push(req.headers["sec-websocket-extensions"]);
    ws.send(JSON.stringify({ type: "assignment", generation: 1, partitions: [{ topic: "t", partition: 0, offset: 0 }] }));
    ws.send(JSON.stringify({ type: "records", topic: "t", partition: 0, records: [{ topic: "t", partition: 0, offset: 0, timestamp: 1, key: null, value: "hello", headers: [] }] }));
  });
});

afterAll(async () => {
  for (const ws of server.clients) ws.terminate();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** The first record a default consumer of `runnel` reads, and the extensions its socket offered. */
async function firstRecord(runnel: Runnel) {
  const before = offered.length;
  const consumer = runnel.consumer({ group: "g", topics: ["t"], autoCommit: false });
  const first = await consumer.next();
  await consumer.close();
  expect(offered.length).toBe(before + 1);
  return { value: first.value?.value, extensions: offered[before] };
}

describe("the client's WebSocket in Node", () => {
  it("offers no frame compression by default, and keeps the frames sent as it opened", async () => {
    const { value, extensions } = await firstRecord(new Runnel({ url }));
    expect(value).toBe("hello");
    expect(extensions).toBeUndefined();
  });

  it("offers permessage-deflate when compressedResponses asks for it", async () => {
    const { value, extensions } = await firstRecord(new Runnel({ url, compressedResponses: true }));
    expect(value).toBe("hello");
    expect(extensions).toContain("permessage-deflate");
  });
});

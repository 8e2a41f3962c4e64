// A refused request body gets its refusal, not a dropped connection: the
// server reads a too-large (or unwanted) body to its end before it answers,
// so a client still sending hears the 413. Real chunked streams, real server.
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startServer, type RunningServer } from "./server";

const C = "/v3/clusters/runnel-local";
const MB = 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), "runnel-e2e-bodies-"));
let server: RunningServer;
let port: number;

beforeAll(async () => {
  port = await freePort();
  server = await startServer(port, dir);
  const made = await fetch(`${server.url}${C}/topics`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ topic_name: "bodies", partitions_count: 1 }) });
  expect(made.status).toBe(201);
});

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface RawAnswer {
  status: number;
  body: string;
  /** The socket error (EPIPE, ECONNRESET: the server closed while the client was still sending), or null. */
  error: string | null;
}

/**
 * Sends `bytes` of body (spaces) over a plain socket, chunked or with a
 * Content-Length, as fast as the server takes them, while reading the
 * answer — and resolves with the answer once the server closes.
 */
function rawPost(path: string, bytes: number, framing: "chunked" | "length", contentType = "application/json"): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    const chunk = Buffer.alloc(64 * 1024, 32);
    let received = "";
    let error: string | null = null;
    socket.on("data", (d: Buffer) => {
      received += d.toString("latin1");
    });
    socket.on("error", (e: NodeJS.ErrnoException) => {
      error = e.code ?? e.message;
    });
    socket.on("close", () => {
      const [head = "", ...rest] = received.split("\r\n\r\n");
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      let body = rest.join("\r\n\r\n");
      if (/transfer-encoding: chunked/i.test(head)) body = body.replace(/(^|\r\n)[0-9a-f]+\r\n/gi, "");
      resolve({ status, body: body.trim(), error });
    });
    socket.on("connect", async () => {
      const framingHeader = framing === "chunked" ? "Transfer-Encoding: chunked" : `Content-Length: ${bytes}`;
      socket.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${contentType}\r\n${framingHeader}\r\nConnection: close\r\n\r\n`);
      const frame = framing === "chunked" ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n")]) : chunk;
      for (let sent = 0; sent < bytes && !socket.destroyed; sent += chunk.length) {
        if (!socket.write(frame)) {
          await new Promise<void>((ok) => {
            const done = () => {
              socket.off("drain", done);
              socket.off("close", done);
              ok();
            };
            socket.on("drain", done);
            socket.on("close", done);
          });
        }
      }
      if (!socket.destroyed && framing === "chunked") socket.write("0\r\n\r\n");
    });
  });
}

/** A body of `bytes` spaces that streams from the client (fetch sends it chunked). */
function spaces(bytes: number): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(64 * 1024).fill(32);
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes) return controller.close();
      controller.enqueue(chunk);
      sent += chunk.length;
    },
  });
}

function expectTooLarge(answer: RawAnswer, what: string) {
  expect({ what, status: answer.status, error: answer.error }).toEqual({ what, status: 413, error: null });
  expect(JSON.parse(answer.body), what).toEqual({ error_code: 413, error_name: "MESSAGE_TOO_LARGE", message: expect.stringMatching(/over the \d+-byte limit/) });
}

describe("a 100 MB body the server refuses", () => {
  it("is a clean 413 JSON answer on every admin endpoint, sent chunked", async () => {
    const admin = [
      `${C}/topics`,
      `${C}/topics/bodies/configs:alter`,
      "/consumers/bodies-group",
    ];
    for (const path of admin) expectTooLarge(await rawPost(path, 100 * MB, "chunked"), path);
    // Served open (as here), keys and ACLs are refused before their body is read: the refusal arrives all the same.
    for (const path of [`${C}/keys`, `${C}/acls`]) {
      const answer = await rawPost(path, 100 * MB, "chunked");
      expect({ path, status: answer.status, error: answer.error }).toEqual({ path, status: 403, error: null });
      expect(JSON.parse(answer.body)).toEqual({ error_code: expect.any(Number), error_name: "SECURITY_DISABLED", message: expect.stringMatching(/only with authentication on/) });
    }
  });

  it("is a clean 413 several times in a row, chunked or with a Content-Length, from a socket and from fetch", async () => {
    for (let i = 0; i < 3; i++) expectTooLarge(await rawPost(`${C}/topics`, 100 * MB, "chunked"), `chunked #${i}`);
    expectTooLarge(await rawPost(`${C}/topics`, 100 * MB, "length"), "Content-Length");
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${server.url}${C}/topics`, { method: "POST", headers: { "content-type": "application/json" }, body: spaces(100 * MB), duplex: "half" } as RequestInit);
      expect(res.status).toBe(413);
      expect(await res.json()).toEqual({ error_code: 413, error_name: "MESSAGE_TOO_LARGE", message: expect.stringMatching(/over the/) });
    }
  });

  it("is a clean 413 on the produce endpoints, and nothing is appended", async () => {
    expectTooLarge(await rawPost("/topics/bodies", 100 * MB, "chunked", "application/vnd.kafka.json.v2+json"), "v2 produce");
    expectTooLarge(await rawPost(`${C}/topics/bodies/records:batch`, 100 * MB, "chunked"), "records:batch");
    // A streamed v3 produce answers as it reads: its last report line says why it stopped.
    const streamed = await rawPost(`${C}/topics/bodies/records`, 100 * MB, "chunked");
    expect(streamed.status).toBe(200);
    expect(JSON.parse(streamed.body.split("\n").at(-1)!)).toEqual({ error_code: 413, error_name: "MESSAGE_TOO_LARGE", message: expect.stringMatching(/over the/) });
    const partition = await (await fetch(`${server.url}${C}/topics/bodies/partitions/0`)).json();
    expect(partition.high_watermark).toBe(0);
  });

  it("refused for another reason before it was read (415, 404) still gets its answer", async () => {
    const wrongType = await rawPost("/topics/bodies", 100 * MB, "chunked", "text/plain");
    expect([wrongType.status, wrongType.error]).toEqual([415, null]);
    const noTopic = await rawPost(`${C}/topics/nowhere/records`, 100 * MB, "chunked");
    expect([noTopic.status, noTopic.error]).toEqual([404, null]);
    expect(JSON.parse(noTopic.body).error_code).toBe(40401);
  });

  it("leaves the server answering", async () => {
    const res = await fetch(`${server.url}/v3/clusters`);
    expect(res.status).toBe(200);
  });
});

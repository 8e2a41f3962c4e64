// The front door's TCP server in-process, against a stand-in for the
// Worker's HTTP API whose answers the test controls: appends to one
// partition keep the connection's order, responses keep request order
// when handlers finish out of order, and a Worker that does not answer
// gives Kafka error codes, not dropped connections.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Reader } from "../../src/gateway/codec/reader";
import { BATCH_HEADER_BYTES, decodeRecords, readBatchHeader } from "../../src/record/record-batch";
import { KafkaCode } from "../../src/gateway/errors";
import { type RunningGateway, startGateway } from "../../src/gateway/gateway";
import { KafkaSocket, rawRequest } from "../e2e/kafka-socket";
import { kafkajsRequest } from "./kafkajs";

interface Backend {
  url: string;
  /** Value of the first record of each append, in the order appends arrived. */
  arrivals: string[];
  /** Appends whose first record value is a key here are answered only when the promise resolves. */
  holds: Map<string, Promise<void>>;
  close(): Promise<void>;
}

async function startBackend(): Promise<Backend> {
  const arrivals: string[] = [];
  const holds = new Map<string, Promise<void>>();
  const next = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      const json = (status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
      const batches = req.url!.match(/^\/v3\/clusters\/fake\/topics\/t\/partitions\/([01])\/batches/);
      if (req.url === "/v3/clusters") return json(200, { data: [{ cluster_id: "fake" }] });
      if (req.url === "/v3/clusters/fake/topics/t") return json(200, { topic_name: "t", partitions_count: 2, replication_factor: 1 });
      if (req.method === "POST" && batches !== null) {
        const body = Buffer.concat(chunks);
        const value = firstValue(body);
        arrivals.push(value);
        await holds.get(value);
        const base = next.get(batches[1]!) ?? 0;
        const count = body.readInt32BE(57);
        next.set(batches[1]!, base + count);
        return json(200, { base_offset: base, last_offset: base + count - 1, log_append_time: -1 });
      }
      json(404, { error_code: 40401, message: `no ${req.url}`, error_name: "UNKNOWN_TOPIC_OR_PARTITION" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, arrivals, holds, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** The value of the first record of an uncompressed batch. */
function firstValue(batch: Buffer): string {
  return Buffer.from(decodeRecords(readBatchHeader(batch), batch.subarray(BATCH_HEADER_BYTES))[0]!.value!).toString();
}

function produceFrame(correlationId: number, partition: number, value: string, acks = 1): Promise<Buffer> {
  return kafkajsRequest("produce", 7, { acks, timeout: 30000, topicData: [{ topic: "t", partitions: [{ partition, messages: [{ value }] }] }] }, correlationId);
}

/** [partition, error code, base offset] of each partition in a Produce v7 response body. */
function produced(body: Buffer): [number, number, number][] {
  const r = new Reader(body);
  return r.array(false, (r) => {
    r.string(false);
    return r.array(false, (r): [number, number, number] => {
      const p: [number, number, number] = [r.int32(), r.int16(), r.int64()];
      r.int64();
      r.int64();
      return p;
    }, 1);
  }, 1).flat();
}

let gateway: RunningGateway | null = null;
let backend: Backend | null = null;

afterEach(async () => {
  await gateway?.stop();
  await backend?.close();
  gateway = null;
  backend = null;
});

describe("the front door's server", () => {
  it("keeps one partition's appends in request order, and answers in request order when handlers finish out of order", async () => {
    backend = await startBackend();
    gateway = await startGateway({ url: backend.url, port: 0, quiet: true });
    let release!: () => void;
    backend.holds.set("first", new Promise<void>((resolve) => (release = resolve)));
    const socket = await KafkaSocket.connect(gateway.port);
    try {
      // 1: partition 0, held by the Worker; 2: partition 1, answered at once; 3: partition 0 again.
      socket.write(Buffer.concat([await produceFrame(1, 0, "first"), await produceFrame(2, 1, "other"), await produceFrame(3, 0, "second")]));
      // The append to partition 1 is not held back by partition 0's; partition 0's second waits for its first.
      await until(() => backend!.arrivals.length === 2);
      expect(backend.arrivals).toEqual(["first", "other"]);
      expect(socket.received).toEqual([]);
      release();
      const answers = [await socket.next(), await socket.next(), await socket.next()];
      expect(answers.map((a) => a.correlationId)).toEqual([1, 2, 3]);
      expect(answers.map((a) => produced(a.body))).toEqual([[[0, 0, 0]], [[1, 0, 0]], [[0, 0, 1]]]);
      expect(backend.arrivals).toEqual(["first", "other", "second"]);
    } finally {
      socket.close();
    }
  });

  it("sends nothing for acks=0, and closes the connection when such an append fails, as Kafka does", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    backend = await startBackend();
    gateway = await startGateway({ url: backend.url, port: 0, quiet: true });
    const socket = await KafkaSocket.connect(gateway.port);
    try {
      socket.write(Buffer.concat([await produceFrame(1, 0, "quiet", 0), rawRequest(18, 0, 2)]));
      expect((await socket.next()).correlationId).toBe(2);
      expect(backend.arrivals).toEqual(["quiet"]);
      socket.write(Buffer.concat([await produceFrame(3, 7, "nowhere", 0), rawRequest(18, 0, 4)]));
      await socket.closed();
      expect(socket.received.map((f) => f.correlationId)).toEqual([2]);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining("acks=0 produce not appended (t/7: error 3)"));
    } finally {
      socket.close();
      warn.mockRestore();
    }
  });

  it("answers with Kafka error codes when the Worker does not answer, and keeps the connection", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const closed = await startBackend();
    await closed.close(); // a port nothing listens on any more
    gateway = await startGateway({ url: closed.url, port: 0, quiet: true, advertisedHost: "kafka.example:19000" });
    const socket = await KafkaSocket.connect(gateway.port);
    try {
      socket.write(await produceFrame(1, 0, "lost"));
      expect(produced((await socket.next()).body)).toEqual([[0, KafkaCode.REQUEST_TIMED_OUT, -1]]);
      socket.write(await kafkajsRequest("metadata", 1, { topics: ["t"] }, 2));
      const r = new Reader((await socket.next()).body);
      expect(r.array(false, (r) => [r.int32(), r.string(false), r.int32(), r.nullableString(false)], 1)).toEqual([[0, "kafka.example", 19000, null]]);
      r.int32(); // controller id
      expect(r.array(false, (r) => [r.int16(), r.string(false), r.bool(), r.array(false, () => 0, 1)], 1)).toEqual([[KafkaCode.REQUEST_TIMED_OUT, "t", false, []]]);
      socket.write(rawRequest(18, 0, 3));
      expect((await socket.next()).correlationId).toBe(3);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('"event":"kafka_request_failed"'));
    } finally {
      socket.close();
      warn.mockRestore();
    }
  });
});

/** Waits (polling the event loop, at most 5 s) until `check` holds. */
async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in 5 s");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

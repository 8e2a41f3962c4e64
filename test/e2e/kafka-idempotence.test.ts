
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, connect, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningGateway, startGateway } from "../../src/gateway/gateway";
import { readBatchHeader } from "../../src/record/record-batch";
import { kafkajsRequest } from "../gateway/kafkajs";
import { KafkaSocket, rawRequest } from "./kafka-socket";
import { freePort, startServer, type RunningServer } from "./server";
import { hasKcat, kcatOut } from "./kcat";

const CLUSTER = "runnel-local";
const dir = mkdtempSync(join(tmpdir(), "runnel-kafka-idem-"));
let server: RunningServer;
let base: string;
let kafkaPort: number;

beforeAll(async () => {
  kafkaPort = await freePort();
  server = await startServer(await freePort(), dir, kafkaPort);
  base = `${server.url}/v3/clusters/${CLUSTER}`;
});

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function kafkaAt(port: number): Kafka {
  return new Kafka({ clientId: "e2e-idem", brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 100 } });
}

async function createTopic(name: string, partitions = 1) {
  const res = await fetch(`${base}/topics`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ topic_name: name, partitions_count: partitions, configs: [{ name: "retention.ms", value: "-1" }] }),
  });
  expect(res.status).toBe(201);
}

/** Every value of a partition, in offset order, checking offsets are dense. */
async function storedValues(topic: string, partition = 0): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const res = await fetch(`${base}/topics/${topic}/partitions/${partition}/records?offset=${out.length}&format=string`);
    const body = (await res.json()) as { records: { offset: number; value: string }[] };
    if (body.records.length === 0) return out;
    for (const r of body.records) {
      expect(r.offset).toBe(out.length);
      out.push(r.value);
    }
  }
}

/** The stored batches' producer ids (−1: not idempotent). */
async function storedProducerIds(topic: string, partition = 0): Promise<number[]> {
  const res = await fetch(`${base}/topics/${topic}/partitions/${partition}/batches?offset=0&max_bytes=16777216`, { headers: { accept: "application/vnd.kafka.record-batch" } });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const ids: number[] = [];
  for (let at = 0; at < bytes.length; ) {
    const h = readBatchHeader(bytes.subarray(at));
    ids.push(h.producerId);
    at += h.batchLength + 12;
  }
  return ids;
}

describe("kafkajs idempotent: true", () => {
  it("with one request in flight, writes every record once and in order", async () => {
    await createTopic("kji-one");
    const producer = kafkaAt(kafkaPort).producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
    try {
      const sent: string[] = [];
      for (let i = 0; i < 20; i++) {
        const values = Array.from({ length: 5 }, (_, j) => `m${i}-${j}`);
        const [res] = await producer.send({ topic: "kji-one", acks: -1, messages: values.map((value) => ({ value })) });
        expect(res).toMatchObject({ errorCode: 0, baseOffset: String(sent.length) });
        sent.push(...values);
      }
      expect(await storedValues("kji-one")).toEqual(sent);
      const ids = await storedProducerIds("kji-one");
      expect(ids).toHaveLength(20);
      expect(new Set(ids).size).toBe(1);
      expect(ids[0]).toBeGreaterThanOrEqual(0);
    } finally {
      await producer.disconnect();
    }
  });

  it("with five in flight, keeps each sender's order on every partition and loses or repeats nothing", async () => {
    await createTopic("kji-five", 2);
    const producer = kafkaAt(kafkaPort).producer({ idempotent: true, maxInFlightRequests: 5, allowAutoTopicCreation: false });
    await producer.connect();
    try {
      // Five senders at once, each sending its own numbered messages one send after another.
      await Promise.all(
        Array.from({ length: 5 }, async (_, s) => {
          for (let i = 0; i < 10; i++) {
            await producer.send({ topic: "kji-five", acks: -1, messages: [0, 1].map((p) => ({ partition: p, value: `s${s}-${i}-p${p}` })) });
          }
        }),
      );
      for (const p of [0, 1]) {
        const values = await storedValues("kji-five", p);
        expect([...values].sort()).toEqual(Array.from({ length: 50 }, (_, k) => `s${Math.floor(k / 10)}-${k % 10}-p${p}`).sort());
        for (let s = 0; s < 5; s++) expect(values.filter((v) => v.startsWith(`s${s}-`))).toEqual(Array.from({ length: 10 }, (_, i) => `s${s}-${i}-p${p}`));
      }
    } finally {
      await producer.disconnect();
    }
  });

  it("retries a batch whose answer was lost, and the retry is answered with the original offset, appending nothing", async () => {
    await createTopic("kji-retry");
    const proxy = await DroppingProxy.start(kafkaPort);
    // A front door that names the proxy in Metadata, so every connection of the client goes through it.
    const gateway: RunningGateway = await startGateway({ url: server.url, port: 0, advertisedHost: `127.0.0.1:${proxy.port}`, quiet: true });
    proxy.upstreamPort = gateway.port;
    const producer = kafkaAt(proxy.port).producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    try {
      await producer.connect();
      await producer.send({ topic: "kji-retry", acks: -1, messages: [{ value: "before" }] });
      proxy.dropNextProduceAnswer = true;
      const [res] = await producer.send({ topic: "kji-retry", acks: -1, messages: [{ value: "once" }, { value: "only" }] });
      expect(proxy.dropped).toBe(1);
      expect(res).toMatchObject({ errorCode: 0, baseOffset: "1" });
      await producer.send({ topic: "kji-retry", acks: -1, messages: [{ value: "after" }] });
      expect(await storedValues("kji-retry")).toEqual(["before", "once", "only", "after"]);
    } finally {
      await producer.disconnect();
      await gateway.stop();
      await proxy.stop();
    }
  });
});

describe("the Kafka port at the socket", () => {
  it("answers a Produce request sent twice with the same base offset, and stores it once; a gap is OUT_OF_ORDER_SEQUENCE_NUMBER", async () => {
    await createTopic("raw-idem");
    const socket = await KafkaSocket.connect(kafkaPort);
    try {
      socket.write(await kafkajsRequest("initProducerId", 1, { transactionalId: null, transactionTimeout: 60000 }, 1));
      const init = await socket.next();
      expect([init.correlationId, init.body.readInt16BE(4)]).toEqual([1, 0]);
      const producerId = Number(init.body.readBigInt64BE(6));
      const produce = (firstSequence: number, id: number, value: string, pid = producerId) =>
        kafkajsRequest("produce", 7, { acks: -1, timeout: 30000, producerId: pid, producerEpoch: 0, topicData: [{ topic: "raw-idem", partitions: [{ partition: 0, firstSequence, messages: [{ value }] }] }] }, id);
      const frame = await produce(0, 2, "x");
      socket.write(Buffer.concat([frame, rawRequest(18, 0, 3), frame]));
      const answers = [await socket.next(), await socket.next(), await socket.next()];
      expect(answers.map((a) => a.correlationId)).toEqual([2, 3, 2]);
      expect(partitionAnswer(answers[0]!.body)).toEqual({ errorCode: 0, baseOffset: 0 });
      expect(partitionAnswer(answers[2]!.body)).toEqual({ errorCode: 0, baseOffset: 0 });
      socket.write(await produce(5, 4, "gap"));
      expect(partitionAnswer((await socket.next()).body)).toEqual({ errorCode: 45, baseOffset: -1 });
      socket.write(await produce(0, 5, "unknown", 2 ** 45)); // an id this cluster never handed out
      expect(partitionAnswer((await socket.next()).body)).toEqual({ errorCode: 59, baseOffset: -1 });
      expect(await storedValues("raw-idem")).toEqual(["x"]);
    } finally {
      socket.close();
    }
  });
});

/** Error code and base offset of the one partition in a Produce v7 response body. */
function partitionAnswer(body: Buffer): { errorCode: number; baseOffset: number } {
  const at = 4 + 2 + "raw-idem".length + 4 + 4; // topics count, name, partitions count, partition index
  return { errorCode: body.readInt16BE(at), baseOffset: Number(body.readBigInt64BE(at + 2)) };
}


describe.skipIf(!hasKcat)("kcat (librdkafka 2.0.2) with enable.idempotence=true", () => {
  it("produces with acks=all as an idempotent producer: every record once, in order", async () => {
    await createTopic("kci-idem");
    const values = Array.from({ length: 2000 }, (_, i) => `line ${i}`);
    await kcat(["-P", "-t", "kci-idem", "-p", "0", "-X", "enable.idempotence=true", "-X", "acks=all", "-X", "batch.num.messages=100"], `${values.join("\n")}\n`);
    expect(await storedValues("kci-idem")).toEqual(values);
    const ids = await storedProducerIds("kci-idem");
    expect(ids.length).toBeGreaterThan(1);
    expect(new Set(ids).size).toBe(1);
    expect(ids[0]).toBeGreaterThanOrEqual(0);
  });
});


/**
 * A TCP proxy in front of a front door that can lose one Produce answer on
 * purpose: it reads the request frames to know which correlation ids are
 * Produce, and when told to, closes both sides instead of passing that
 * answer on — what a network failure after the append looks like.
 */
class DroppingProxy {
  upstreamPort = 0;
  dropNextProduceAnswer = false;
  dropped = 0;
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(upstreamPort: number): Promise<DroppingProxy> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    const proxy = new DroppingProxy(server, typeof address === "object" && address !== null ? address.port : 0);
    proxy.upstreamPort = upstreamPort;
    server.on("connection", (client) => proxy.pipe(client));
    return proxy;
  }

  private pipe(client: Socket): void {
    const upstream = connect(this.upstreamPort, "127.0.0.1");
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
      s.on("error", () => undefined);
    }
    const produceIds = new Set<number>();
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("close", close);
    upstream.on("close", close);
    client.on("data", frames((f) => {
      if (f.readInt16BE(4) === 0) produceIds.add(f.readInt32BE(8));
      upstream.write(f);
    }));
    upstream.on("data", frames((f) => {
      if (this.dropNextProduceAnswer && produceIds.has(f.readInt32BE(4))) {
        this.dropNextProduceAnswer = false;
        this.dropped++;
        close();
        return;
      }
      client.write(f);
    }));
  }

  stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Cuts a byte stream into whole size-prefixed frames (prefix included) for `each`. */
function frames(each: (frame: Buffer) => void): (chunk: Buffer) => void {
  let buffered = Buffer.alloc(0);
  return (chunk) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
      const size = buffered.readInt32BE(0);
      each(buffered.subarray(0, 4 + size));
      buffered = buffered.subarray(4 + size);
    }
  };
}

/** kcat against this file's front door: its stdout, rejecting on a non-zero exit or any error on stderr. */
function kcat(args: string[], input?: string): Promise<string> {
  return kcatOut(kafkaPort, args, input, true);
}

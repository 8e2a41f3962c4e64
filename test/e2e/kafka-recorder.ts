// A loopback proxy in front of the Kafka front door that records every
// request and response frame a real client exchanges with it: the tests
// check which API versions the client chose, and with
// RECORD_KAFKA_FRAMES=1 the frames are written to test/fixtures/kafka-frames/
// for the codec tests (test/gateway/recorded-frames.test.ts) to decode.
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, connect, type Server, type Socket } from "node:net";

export interface RecordedExchange {
  apiKey: number;
  apiVersion: number;
  /** The request frame after its size prefix (header and body), hex. */
  request: string;
  /** The response frame after its size prefix (header and body), hex; "" when none came (acks=0). */
  response: string;
}

/** Cuts a byte stream into frames (int32 size, then that many bytes). */
function framer(onFrame: (frame: Buffer) => void): (chunk: Buffer) => void {
  let held = Buffer.alloc(0);
  return (chunk) => {
    held = Buffer.concat([held, chunk]);
    while (held.length >= 4 && held.length >= 4 + held.readInt32BE(0)) {
      const size = held.readInt32BE(0);
      onFrame(held.subarray(4, 4 + size));
      held = held.subarray(4 + size);
    }
  };
}

export class KafkaRecorder {
  readonly exchanges: RecordedExchange[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** Listens on loopback port `listenPort` (default: a free one), forwarding every connection to 127.0.0.1:`targetPort`. */
  static async start(targetPort: number, listenPort = 0): Promise<KafkaRecorder> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(listenPort, "127.0.0.1", resolve));
    const recorder = new KafkaRecorder(server, (server.address() as { port: number }).port);
    server.on("connection", (client) => recorder.proxy(client, targetPort));
    return recorder;
  }

  private proxy(client: Socket, targetPort: number): void {
    const upstream = connect(targetPort, "127.0.0.1");
    this.sockets.add(client).add(upstream);
    const pending = new Map<number, RecordedExchange>();
    client.on(
      "data",
      framer((frame) => {
        const exchange = { apiKey: frame.readInt16BE(0), apiVersion: frame.readInt16BE(2), request: frame.toString("hex"), response: "" };
        this.exchanges.push(exchange);
        pending.set(frame.readInt32BE(4), exchange);
      }),
    );
    upstream.on(
      "data",
      framer((frame) => {
        const exchange = pending.get(frame.readInt32BE(0));
        if (exchange !== undefined) exchange.response = frame.toString("hex");
      }),
    );
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("close", end).on("error", end);
    upstream.on("close", end).on("error", end);
  }

  /** The versions the client used, by API key. */
  versionsUsed(): Map<number, Set<number>> {
    const out = new Map<number, Set<number>>();
    for (const e of this.exchanges) out.set(e.apiKey, (out.get(e.apiKey) ?? new Set()).add(e.apiVersion));
    return out;
  }

  /** With RECORD_KAFKA_FRAMES set, writes the exchanges (one of each API version) to test/fixtures/kafka-frames/`client`.json. */
  save(client: string): void {
    if (!process.env.RECORD_KAFKA_FRAMES) return;
    const seen = new Set<string>();
    const kept = this.exchanges.filter((e) => {
      const key = `${e.apiKey}/${e.apiVersion}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const folder = new URL("../fixtures/kafka-frames/", import.meta.url);
    mkdirSync(folder, { recursive: true });
    writeFileSync(new URL(`${client}.json`, folder), `${JSON.stringify({ client, exchanges: kept }, null, 1)}\n`);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

// A bare Kafka protocol connection for tests: write request frames (or
// any bytes), read response frames one at a time with their correlation
// ids, and see when the server closes the connection.
import { connect, type Socket } from "node:net";

export interface ResponseFrame {
  correlationId: number;
  /** The response after its correlation id. */
  body: Buffer;
}

export class KafkaSocket {
  private buffered = Buffer.alloc(0);
  private readonly frames: ResponseFrame[] = [];
  private waiter: (() => void) | null = null;
  private ended = false;
  /** Every response frame received so far, in order. */
  readonly received: ResponseFrame[] = [];

  private constructor(private readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readInt32BE(0)) {
        const size = this.buffered.readInt32BE(0);
        const frame = { correlationId: this.buffered.readInt32BE(4), body: this.buffered.subarray(8, 4 + size) };
        this.buffered = this.buffered.subarray(4 + size);
        this.frames.push(frame);
        this.received.push(frame);
      }
      this.wake();
    });
    socket.on("close", () => {
      this.ended = true;
      this.wake();
    });
    socket.on("error", () => {});
  }

  static connect(port: number, host = "127.0.0.1"): Promise<KafkaSocket> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, host, () => resolve(new KafkaSocket(socket)));
      socket.once("error", reject);
    });
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** The next response frame; rejects if the connection closes or none comes in `timeoutMs`. */
  async next(timeoutMs = 10_000): Promise<ResponseFrame> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length === 0) {
      if (this.ended) throw new Error("the server closed the connection");
      if (Date.now() >= deadline) throw new Error(`no response in ${timeoutMs} ms`);
      await this.wait(deadline - Date.now());
    }
    return this.frames.shift()!;
  }

  /** Resolves once the server has closed the connection (rejects after `timeoutMs`). */
  async closed(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      if (Date.now() >= deadline) throw new Error(`the connection stayed open for ${timeoutMs} ms`);
      await this.wait(deadline - Date.now());
    }
  }

  get isClosed(): boolean {
    return this.ended;
  }

  close(): void {
    this.socket.destroy();
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        resolve();
      }, ms);
      this.waiter = () => {
        clearTimeout(timer);
        this.waiter = null;
        resolve();
      };
    });
  }

  private wake(): void {
    this.waiter?.();
  }
}

/** A request frame with header v1 and the given body bytes. */
export function rawRequest(apiKey: number, apiVersion: number, correlationId: number, body: Uint8Array = new Uint8Array(0), clientId = "raw"): Buffer {
  const id = Buffer.from(clientId);
  const out = Buffer.alloc(4 + 8 + 2 + id.length + body.length);
  out.writeInt32BE(out.length - 4, 0);
  out.writeInt16BE(apiKey, 4);
  out.writeInt16BE(apiVersion, 6);
  out.writeInt32BE(correlationId, 8);
  out.writeInt16BE(id.length, 12);
  id.copy(out, 14);
  Buffer.from(body).copy(out, 14 + id.length);
  return out;
}

/**
 * One client connection. Requests are served concurrently (clients
 * pipeline), but responses are written strictly in request order, each
 * with its request's correlation id; Produce with acks=0 takes its place
 * in the order and writes nothing. Appends to one partition run in the
 * order they arrived (`inOrder`). Past `inflightRequestsMax` requests or
 * `inflightBytesMax` request bytes, or while the client is not reading
 * its responses, this connection stops reading; after
 * `connectionIdleMsMax` without traffic it is closed. A frame that cannot be served closes this connection only,
 * with a log line; other connections never notice. When SASL is required
 * the connection keeps its client's credentials (`SaslSession`); after a
 * SaslHandshake v0 the next frame is a raw SASL/PLAIN token, answered
 * with an empty raw token, or the connection closes.
 */
import type { Socket } from "node:net";
import type { BrokerAddress } from "../apis/api";
import type { RunnelApi } from "../backend/runnel-api";
import { readRequestStart } from "../codec/frame";
import { ProtocolError } from "../codec/reader";
import { gatewayLimits } from "../limits";
import { logBug, logWarn } from "../log";
import { type ConnectionContext, dispatch, type Outcome } from "./dispatch";
import { FrameError, Framer } from "./framer";
import { type SaslMode, SaslSession } from "./sasl-session";

export interface ConnectionOptions {
  /** The Worker's API without a client's credentials. */
  api: RunnelApi;
  /** Whether clients must authenticate with SASL/PLAIN before anything else. */
  sasl: SaslMode;
  /** The node id the front door gives itself in Metadata. */
  nodeId: number;
  /** Host and port to name in Metadata; default: the address this connection was accepted on. */
  advertisedHost?: string;
  advertisedPort?: number;
}

const SASL_HANDSHAKE = 17;

interface Slot {
  outcome: Outcome | null;
}

export class Connection {
  private readonly framer = new Framer(gatewayLimits.requestBytesMax);
  /** Responses not yet written, in request order; filled as handlers finish. */
  private readonly slots: Slot[] = [];
  private inflight = 0;
  private inflightBytes = 0;
  /** No more requests are read once the connection is closing. */
  private closing = false;
  private refused = false;
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly ctx: ConnectionContext;
  private readonly remote: string;
  /** A SaslHandshake v0 was read: the next frame is a raw SASL token, not a request. */
  private rawTokenNext = false;

  constructor(
    private readonly socket: Socket,
    options: ConnectionOptions,
  ) {
    this.remote = `${socket.remoteAddress}:${socket.remotePort}`;
    const self: BrokerAddress = {
      nodeId: options.nodeId,
      host: options.advertisedHost ?? plainAddress(socket.localAddress ?? "127.0.0.1"),
      port: options.advertisedPort ?? socket.localPort ?? 9092,
    };
    this.ctx = {
      session: new SaslSession(options.sasl, options.api),
      self,
      clientHost: `/${plainAddress(socket.remoteAddress ?? "")}`,
      inOrder: (key, work) => this.inOrder(key, work),
    };
    socket.setNoDelay(true);
    socket.setTimeout(gatewayLimits.connectionIdleMsMax, () => this.refuse(`idle for ${gatewayLimits.connectionIdleMsMax} ms`));
    socket.on("data", (chunk: Buffer) => {
      try {
        this.onData(chunk);
      } catch (e) {
        // A bug met on this connection's bytes closes this connection, never the process.
        logBug("kafka connection", e, { remote: this.remote });
        this.refuse("the front door failed on this connection's bytes (logged as a bug)");
      }
    });
    socket.on("drain", () => this.readIfRoom());
    socket.on("error", () => socket.destroy()); // resets and the like: the client is gone
    socket.on("close", () => (this.closing = true));
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return;
    let frames: Buffer[];
    try {
      frames = this.framer.push(chunk);
    } catch (e) {
      if (!(e instanceof FrameError)) throw e;
      this.refuse(e.message);
      return;
    }
    for (const frame of frames) {
      if (this.closing) return;
      this.serve(frame);
    }
    this.readIfRoom();
  }

  private serve(frame: Buffer): void {
    if (this.rawTokenNext) {
      this.rawTokenNext = false;
      this.track(frame.length, this.rawToken(frame), "kafka raw SASL token");
      return;
    }
    let start: ReturnType<typeof readRequestStart>;
    try {
      start = readRequestStart(frame);
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      this.refuse(e.message);
      return;
    }
    if (start.apiKey === SASL_HANDSHAKE && start.apiVersion === 0 && this.ctx.session.mode === "required") this.rawTokenNext = true;
    this.track(frame.length, dispatch(frame, start, this.ctx), `kafka request key ${start.apiKey} v${start.apiVersion}`);
  }

  /** Takes the place of one request in the response order: its outcome is written when every earlier one is. */
  private track(bytes: number, work: Promise<Outcome>, what: string): void {
    const slot: Slot = { outcome: null };
    this.slots.push(slot);
    this.inflight++;
    this.inflightBytes += bytes;
    work
      .catch((e: unknown): Outcome => {
        logBug(what, e, { remote: this.remote });
        return { kind: "close", reason: "the front door failed on this request (logged as a bug)" };
      })
      .then((outcome) => {
        slot.outcome = outcome;
        this.inflight--;
        this.inflightBytes -= bytes;
        this.flush();
        this.readIfRoom();
      });
  }

  /** A raw SASL/PLAIN token after SaslHandshake v0: an empty raw token back when the credentials hold, else the connection closes. */
  private async rawToken(token: Buffer): Promise<Outcome> {
    const session = this.ctx.session;
    const release = await session.turn();
    const problem = await session.authenticate(token).finally(release);
    if (problem === null) return { kind: "reply", chunks: [new Uint8Array(4)] }; // size 0: an empty token
    return { kind: "close", reason: `SASL/PLAIN authentication failed: ${problem}` };
  }

  /** Writes every finished response at the head of the queue, in order. */
  private flush(): void {
    while (this.slots.length > 0 && this.slots[0]!.outcome !== null) {
      const outcome = this.slots.shift()!.outcome!;
      if (outcome.kind === "none") continue;
      if (outcome.kind !== "close" && !this.socket.destroyed) this.write(outcome.chunks);
      if (outcome.kind === "reply-and-close" || outcome.kind === "close") {
        this.refuse(outcome.reason);
        return;
      }
    }
  }

  private write(chunks: Uint8Array[]): void {
    this.socket.cork();
    for (const c of chunks) this.socket.write(c);
    this.socket.uncork();
  }

  /** Stops serving this connection: logs why, drops what is still pending, closes once written. */
  private refuse(reason: string): void {
    if (this.refused) return;
    this.refused = true;
    logWarn("kafka_connection_closed", { remote: this.remote, reason });
    this.closing = true;
    this.slots.length = 0;
    this.socket.end();
  }

  /** Pauses reading while too many requests are in flight or responses wait to be sent; resumes after. */
  private readIfRoom(): void {
    if (this.closing) return;
    const full =
      this.inflight >= gatewayLimits.inflightRequestsMax || this.inflightBytes >= gatewayLimits.inflightBytesMax || this.socket.writableNeedDrain;
    if (full && !this.socket.isPaused()) this.socket.pause();
    else if (!full && this.socket.isPaused()) this.socket.resume();
  }

  private inOrder<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(key) ?? Promise.resolve();
    const result = previous.then(work);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.chains.set(key, tail);
    void tail.then(() => {
      if (this.chains.get(key) === tail) this.chains.delete(key);
    });
    return result;
  }
}

/** An IPv4 address as clients know it (`::ffff:127.0.0.1` → `127.0.0.1`). */
function plainAddress(address: string): string {
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}

/**
 * What every Kafka API of the front door provides: its key and version
 * range (which ApiVersions advertises), request decoding, response
 * encoding, a handler that maps the request onto Runnel's HTTP API, and
 * a response that answers every part of a request with one error code
 * (used when a handler fails unexpectedly). One file per API.
 */
import type { RunnelApi } from "../backend/runnel-api";
import type { Reader } from "../codec/reader";
import type { Writer } from "../codec/writer";
import type { SaslSession } from "../server/sasl-session";

/** The one broker the front door names in Metadata: itself. */
export interface BrokerAddress {
  nodeId: number;
  host: string;
  port: number;
}

/** What a handler may use besides its request. */
export interface Context {
  /** The Worker's API as this connection may call it: with the client's own credentials when SASL is required. */
  api: RunnelApi;
  /** This connection's SASL state. */
  session: SaslSession;
  /** This connection's view of the front door (the address the client connected to, or the advertised one). */
  self: BrokerAddress;
  /** The request's client id (null when the client sent none). */
  clientId: string | null;
  /** Where the client connects from, as Kafka names it in DescribeGroups ("/127.0.0.1"). */
  clientHost: string;
  /** Every API served, for ApiVersions. */
  served: readonly ApiRange[];
  /**
   * Runs `work` after the previous work queued under `key` on this
   * connection has finished: appends to one partition keep the order in
   * which the client sent them, as a Kafka broker's one-request-at-a-time
   * connection would.
   */
  inOrder<T>(key: string, work: () => Promise<T>): Promise<T>;
  /** Closes the connection once this request's response is written (a failed SASL exchange). */
  closeAfterReply(reason: string): void;
}

export interface ApiRange {
  key: number;
  minVersion: number;
  maxVersion: number;
}

export interface KafkaApi<Req = any, Res = any> extends ApiRange {
  name: string;
  /** First flexible version (request header v2, tagged fields); absent when every served version is non-flexible. */
  flexibleFrom?: number;
  decode(r: Reader, version: number): Req;
  /** The response, or null when none is sent (Produce with acks=0). */
  handle(req: Req, version: number, ctx: Context): Promise<Res | null>;
  encode(w: Writer, res: Res, version: number): void;
  /** A response answering every part of `req` with `code`; null when the request expects none. */
  failed(req: Req, code: number, version: number, ctx: Context): Res | null;
}

/**
 * Thrown by a handler to close the connection after the responses before
 * this request are written (Kafka's answer to a failed acks=0 produce,
 * which has no response to carry the error).
 */
export class CloseConnection extends Error {
  override name = "CloseConnection";
}

/** Runs `work` for every item at once, results in item order. */
export function each<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  return Promise.all(items.map(work));
}

/**
 * What every Kafka API of the front door provides: its generated
 * messages (request decoder, response encoder, from Kafka's own
 * definitions), the versions it serves (which ApiVersions advertises), a
 * handler that maps the typed request onto Runnel's HTTP API and returns
 * a typed response, and a response that answers every part of a request
 * with one error code (used when a handler fails unexpectedly). One file
 * per API; adding one is `serve(apis.X, {…})` and an entry in registry.ts.
 */
import type { RunnelApi } from "../backend/runnel-api";
import type { ApiMessages } from "../codec/generated";
import type { Init } from "../codec/tagged";
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
  /** The generated codecs of its request and response (all of Kafka's versions). */
  messages: ApiMessages<Req, Res>;
  /** The response (fields left out are written as their defaults), or null when none is sent (Produce with acks=0). */
  handle(req: Req, version: number, ctx: Context): Promise<Init<Res> | null>;
  /** A response answering every part of `req` with `code`; null when the request expects none. */
  failed(req: Req, code: number, version: number, ctx: Context): Init<Res> | null;
}

/** How an API is served: its versions (default: every stable version Kafka defines) and its handlers. */
export interface Serving<Req, Res> {
  minVersion?: number;
  maxVersion?: number;
  handle: KafkaApi<Req, Res>["handle"];
  failed: KafkaApi<Req, Res>["failed"];
}

/** An API served with `messages`' codecs and `serving`'s handlers. */
export function serve<Req, Res>(messages: ApiMessages<Req, Res>, serving: Serving<NoInfer<Req>, NoInfer<Res>>): KafkaApi<Req, Res> {
  const minVersion = serving.minVersion ?? messages.minVersion;
  const maxVersion = serving.maxVersion ?? messages.stableMaxVersion;
  if (minVersion < messages.minVersion || maxVersion > messages.maxVersion) throw new Error(`${messages.name} v${minVersion}-${maxVersion} is beyond Kafka's definitions`);
  return { key: messages.key, name: messages.name, messages, minVersion, maxVersion, handle: serving.handle, failed: serving.failed };
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

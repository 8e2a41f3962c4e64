/**
 * One request frame in, what to send back out: its response, nothing
 * (Produce with acks=0), or a last answer before the connection closes.
 * Every request of an API Kafka defines, in a version Kafka defines, is
 * decoded by the generated codecs (a frame that does not parse closes the
 * connection). If the front door does not serve that API or version, it
 * is answered as Kafka answers, in a layout the client decodes: the
 * ApiVersions v0 layout with UNSUPPORTED_VERSION and the ranges for
 * ApiVersions (the client retries lower), else the response of that
 * version with UNSUPPORTED_VERSION as its error code, and the connection
 * stays open. An API key or version Kafka does not define at all has no
 * layout to answer in: the correlation id and UNSUPPORTED_VERSION, then
 * the connection closes. When SASL is required, a request the
 * connection's SASL state does not allow yet (anything but ApiVersions
 * and the SASL exchange before authentication) is answered with
 * ILLEGAL_SASL_STATE, and the connection closes.
 */
import { CloseConnection, type Context, type KafkaApi } from "../apis/api";
import { versionNotServed } from "../apis/api-versions";
import { apiFor, SERVED } from "../apis/registry";
import { BackendError } from "../backend/runnel-api";
import { KafkaCode } from "../errors";
import { logBug, logWarn } from "../log";
import { frameResponse, type RequestStart, readRequestRest } from "../codec/frame";
import { API_BY_KEY, type ApiMessages, requestHeaderVersion, responseHeaderVersion } from "../codec/generated";
import { ProtocolError } from "../codec/reader";
import { Writer } from "../codec/writer";

export type Outcome =
  | { kind: "reply"; chunks: Uint8Array[] }
  | { kind: "none" }
  | { kind: "reply-and-close"; chunks: Uint8Array[]; reason: string }
  | { kind: "close"; reason: string };

/** Connection-level parts of a handler's context; the request's own parts (and the API as the SASL state has it now) are filled in here. */
export type ConnectionContext = Omit<Context, "clientId" | "served" | "api" | "closeAfterReply">;

const API_VERSIONS_KEY = 18;
const SASL_KEYS = new Set([17, 36]);

const isSasl = (apiKey: number) => SASL_KEYS.has(apiKey);

/** Serves one request frame (header already read into `start`). Never throws. */
export async function dispatch(frame: Uint8Array, start: RequestStart, conn: ConnectionContext): Promise<Outcome> {
  const messages = API_BY_KEY.get(start.apiKey);
  if (messages === undefined || start.apiVersion < messages.minVersion || start.apiVersion > messages.maxVersion) {
    if (start.apiKey === API_VERSIONS_KEY) return { kind: "reply", chunks: frameResponse(start.correlationId, [versionNotServed(SERVED)], 0) };
    const what = messages === undefined ? `API key ${start.apiKey}` : `${messages.name} v${start.apiVersion}`;
    return { kind: "reply-and-close", chunks: errorOnly(start), reason: `${what} is not one Kafka defines` };
  }
  let req: unknown;
  let clientId: string | null;
  try {
    const rest = readRequestRest(frame, requestHeaderVersion(start.apiKey, start.apiVersion));
    clientId = rest.clientId;
    req = messages.readRequest(rest.body, start.apiVersion);
    if (rest.body.remaining !== 0) throw new ProtocolError(`${rest.body.remaining} bytes left over after the request`);
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
    return { kind: "close", reason: `${messages.name} v${start.apiVersion} request does not parse: ${e.message}` };
  }
  const api = apiFor(start.apiKey);
  if (api === undefined || start.apiVersion < api.minVersion || start.apiVersion > api.maxVersion) {
    if (start.apiKey === API_VERSIONS_KEY) return { kind: "reply", chunks: frameResponse(start.correlationId, [versionNotServed(SERVED)], 0) };
    const served = api === undefined ? "not served" : `served in v${api.minVersion}–${api.maxVersion}`;
    logWarn("kafka_request_unsupported", { api: messages.name, version: start.apiVersion, client_id: clientId, served });
    return { kind: "reply", chunks: encode(messages, start, errorResponse(KafkaCode.UNSUPPORTED_VERSION)) };
  }
  const session = conn.session;
  // Before authentication, requests take turns, so one pipelined behind SaslAuthenticate sees its outcome.
  const release = session.authenticated ? null : await session.turn();
  try {
    return await serveRequest(api, req, start, { ...conn, api: session.api, clientId, served: SERVED }, release);
  } finally {
    release?.();
  }
}

/** Answers a decoded request: refused when the SASL state does not allow it, else by its handler. */
async function serveRequest(api: KafkaApi, req: unknown, start: RequestStart, conn: Omit<Context, "closeAfterReply">, release: (() => void) | null): Promise<Outcome> {
  let closeReason: string | null = null;
  const ctx: Context = { ...conn, closeAfterReply: (reason) => (closeReason ??= reason) };
  const refusal = conn.session.refusal(start.apiKey);
  let res: unknown;
  if (refusal !== null) {
    closeReason = `${api.name} refused: ${refusal}`;
    res = api.failed(req, KafkaCode.ILLEGAL_SASL_STATE, start.apiVersion, ctx);
  } else {
    if (!isSasl(start.apiKey)) release?.(); // only the SASL exchange changes what later requests may do
    try {
      res = await answer(api, req, start, ctx);
    } catch (e) {
      if (!(e instanceof CloseConnection)) throw e;
      return { kind: "close", reason: e.message };
    }
  }
  if (res === null) return closeReason === null ? { kind: "none" } : { kind: "close", reason: closeReason };
  const chunks = encode(api.messages, start, res);
  return closeReason === null ? { kind: "reply", chunks } : { kind: "reply-and-close", chunks, reason: closeReason };
}

/** A response of `messages` in the request's version, framed with its correlation id. */
function encode(messages: ApiMessages<unknown, unknown>, start: RequestStart, res: unknown): Uint8Array[] {
  const w = new Writer();
  messages.writeResponse(w, start.apiVersion, res as never);
  return frameResponse(start.correlationId, w.finish(), responseHeaderVersion(start.apiKey, start.apiVersion));
}

/**
 * A response of any API saying `code`: its top-level error code set where
 * it has one, everything else at its default (empty lists) — decodable by
 * any client of that version, as Kafka's own answers to requests it
 * cannot serve are.
 */
export function errorResponse(code: number): unknown {
  return { errorCode: code };
}

/** The handler's response; when it fails, every part of the request answered with an error code. */
async function answer(api: KafkaApi, req: unknown, start: RequestStart, ctx: Context): Promise<unknown> {
  try {
    return await api.handle(req, start.apiVersion, ctx);
  } catch (e) {
    if (e instanceof CloseConnection) throw e;
    if (e instanceof BackendError) {
      logWarn("kafka_request_failed", { api: api.name, client_id: ctx.clientId, error_code: e.errorCode, error_name: e.errorName, message: e.message });
      return api.failed(req, e.kafkaCode, start.apiVersion, ctx);
    }
    logBug(`kafka ${api.name} v${start.apiVersion}`, e, { client_id: ctx.clientId });
    return api.failed(req, KafkaCode.UNKNOWN_SERVER_ERROR, start.apiVersion, ctx);
  }
}

/** A response of just the correlation id and UNSUPPORTED_VERSION: all that can be said in a layout Kafka does not define. */
function errorOnly(start: RequestStart): Uint8Array[] {
  return frameResponse(start.correlationId, [new Writer().int16(KafkaCode.UNSUPPORTED_VERSION).toBytes()], 0);
}

/**
 * One request frame in, what to send back out: its response, nothing
 * (Produce with acks=0), or a last answer before the connection closes.
 * An unknown API key or an unsupported version of another API is answered
 * with the request's correlation id and an error code (INVALID_REQUEST,
 * UNSUPPORTED_VERSION) and then the connection closes, since its next
 * bytes cannot be trusted to be what the client thinks; an unsupported
 * ApiVersions version gets the v0 layout with the ranges, and the
 * connection stays open for the client to retry lower. When SASL is
 * required, a request the connection's SASL state does not allow yet
 * (anything but ApiVersions and the SASL exchange before authentication)
 * is answered with ILLEGAL_SASL_STATE, and the connection closes.
 */
import { CloseConnection, type Context, type KafkaApi } from "../apis/api";
import { versionNotServed } from "../apis/api-versions";
import { apiFor, SERVED } from "../apis/registry";
import { BackendError } from "../backend/runnel-api";
import { frameResponse, readRequestRest, type RequestStart } from "../codec/frame";
import { ProtocolError } from "../codec/reader";
import { Writer } from "../codec/writer";
import { KafkaCode } from "../errors";
import { logBug, logWarn } from "../log";

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
  const api = apiFor(start.apiKey);
  if (api === undefined) {
    return { kind: "reply-and-close", chunks: errorOnly(start, KafkaCode.INVALID_REQUEST), reason: `unknown API key ${start.apiKey}` };
  }
  if (start.apiVersion < api.minVersion || start.apiVersion > api.maxVersion) {
    if (start.apiKey === API_VERSIONS_KEY) return { kind: "reply", chunks: frameResponse(start.correlationId, [versionNotServed(SERVED)], false) };
    const reason = `${api.name} v${start.apiVersion} is not served (v${api.minVersion}–${api.maxVersion})`;
    return { kind: "reply-and-close", chunks: errorOnly(start, KafkaCode.UNSUPPORTED_VERSION), reason };
  }
  const flexible = api.flexibleFrom !== undefined && start.apiVersion >= api.flexibleFrom;
  let req: unknown;
  let clientId: string | null;
  try {
    const rest = readRequestRest(frame, flexible);
    clientId = rest.clientId;
    req = api.decode(rest.body, start.apiVersion);
    if (rest.body.remaining !== 0) throw new ProtocolError(`${rest.body.remaining} bytes left over after the request`);
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
    return { kind: "close", reason: `${api.name} v${start.apiVersion} request does not parse: ${e.message}` };
  }
  const session = conn.session;
  // Before authentication, requests take turns, so one pipelined behind SaslAuthenticate sees its outcome.
  const release = session.authenticated ? null : await session.turn();
  try {
    return await serve(api, req, start, { ...conn, api: session.api, clientId, served: SERVED }, flexible, release);
  } finally {
    release?.();
  }
}

/** Answers a decoded request: refused when the SASL state does not allow it, else by its handler. */
async function serve(
  api: KafkaApi,
  req: unknown,
  start: RequestStart,
  conn: Omit<Context, "closeAfterReply">,
  flexible: boolean,
  release: (() => void) | null,
): Promise<Outcome> {
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
  const w = new Writer();
  api.encode(w, res, start.apiVersion);
  const chunks = frameResponse(start.correlationId, w.finish(), flexible && start.apiKey !== API_VERSIONS_KEY);
  return closeReason === null ? { kind: "reply", chunks } : { kind: "reply-and-close", chunks, reason: closeReason };
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

/** A response of just the correlation id and an int16 error code. */
function errorOnly(start: RequestStart, code: number): Uint8Array[] {
  return frameResponse(start.correlationId, [new Writer().int16(code).toBytes()], false);
}

/**
 * A WebSocket subscriber's socket: its credit (kept in the socket's
 * attachment, so it survives hibernation), frames out, and the upgrade's
 * query parameters.
 */
import { bodyOf, ErrorCode, type ErrorBody, type Failure, failure, httpStatusOf } from "../../errors";
import { parseFormat, type RecordFormat } from "../../fetch/format";
import { limits } from "../../limits";

/** The subprotocol subscribers offer (`Sec-WebSocket-Protocol`). */
export const SUBPROTOCOL = "runnel.v1";

/**
 * The header the router sets on an upgrade it passes to the coordinator:
 * the principal the upgrade was authenticated as (it replaces any such
 * header a client sent).
 */
export const PRINCIPAL_HEADER = "runnel-principal";

/** The principal of requests served open, as Kafka names it (the router's `ANONYMOUS`). */
export const ANONYMOUS = "User:ANONYMOUS";

/** The subprotocols an upgrade offers (`Sec-WebSocket-Protocol`, comma-separated), in order. */
export function offeredProtocols(request: Request): string[] {
  return (request.headers.get("sec-websocket-protocol") ?? "").split(",").map((p) => p.trim()).filter((p) => p.length > 0);
}

export interface Credit {
  memberId: string;
  /** Who the socket acts as: the principal its upgrade was authenticated as. */
  principal: string;
  /** Permits granted so far: the URL's plus every permit frame's. */
  granted: number;
  /** Records sent so far. Invariant: sent <= granted. */
  sent: number;
  lastSeenMs: number;
}

/** The credit of a subscriber socket (one accepted before sockets kept a principal acts as the anonymous one). */
export function credit(ws: WebSocket): Credit {
  const c = ws.deserializeAttachment() as Credit;
  c.principal ??= ANONYMOUS;
  return c;
}

/** Records the socket may still be sent (0 when none). */
export function room(ws: WebSocket): number {
  const c = credit(ws);
  return Math.max(0, c.granted - c.sent);
}

/** An error to tell a subscriber: a `Failure`, or an error body. */
type ErrorLike = Pick<ErrorBody, "error_code" | "message" | "error_name">;

/**
 * Sends `{"type":"error","error_code","message"}`, with `error_name` when
 * the error has a Kafka name and the frame's `id` when it had one.
 */
export function sendError(ws: WebSocket, error: ErrorLike, id?: unknown): void {
  ws.send(JSON.stringify({ type: "error", ...bodyOf(error.error_code, error.message, error.error_name), ...(id === undefined ? {} : { id }) }));
}

/** The 400 INVALID_REQUEST for a malformed frame or upgrade request. */
export function badRequest(message: string): Failure {
  return failure(ErrorCode.BAD_REQUEST, message);
}

/** A JSON error answer (with `error_name` when there is one) to an upgrade request that is refused. */
export function errorResponse(error: ErrorLike): Response {
  return Response.json(bodyOf(error.error_code, error.message, error.error_name), { status: httpStatusOf(error.error_code) });
}

/** What a subscriber asks for in the upgrade's query. */
export interface SubscribeParams {
  groupId: string;
  topics: string[];
  autoOffsetReset: "earliest" | "latest";
  /** Records permitted from the start (default 0). */
  permits: number;
  sessionTimeoutMs: number;
  format: RecordFormat;
}

/** Parses `GET /ws/v1/consumer/{group}?topics=…&auto_offset_reset=&permits=&session_timeout_ms=&format=`; a string says what is wrong. */
export function subscribeParams(url: URL): SubscribeParams | string {
  let groupId: string;
  try {
    groupId = decodeURIComponent(url.pathname.split("/").pop() ?? "");
  } catch {
    return "the group id in the path is not valid percent-encoded UTF-8";
  }
  const topics = (url.searchParams.get("topics") ?? "").split(",").filter((t) => t.length > 0);
  if (topics.length === 0) return "topics is required: a comma-separated list of topic names";
  const reset = url.searchParams.get("auto_offset_reset") ?? "latest";
  if (reset !== "earliest" && reset !== "latest") return "auto_offset_reset must be earliest or latest";
  const permits = intOr(url.searchParams.get("permits"), 0);
  const sessionTimeoutMs = intOr(url.searchParams.get("session_timeout_ms"), limits.sessionTimeoutMsDefault);
  if (permits === null || permits > limits.wsPermitsMax) return `permits must be an integer from 0 to ${limits.wsPermitsMax}`;
  if (sessionTimeoutMs === null || sessionTimeoutMs < limits.sessionTimeoutMsMin || sessionTimeoutMs > limits.sessionTimeoutMsMax) {
    return `session_timeout_ms must be from ${limits.sessionTimeoutMsMin} to ${limits.sessionTimeoutMsMax}`;
  }
  let format: RecordFormat;
  try {
    format = parseFormat(url.searchParams.get("format") ?? undefined);
  } catch (e) {
    return (e as Error).message;
  }
  return { groupId, topics, autoOffsetReset: reset, permits, sessionTimeoutMs, format };
}

function intOr(value: string | null, fallback: number): number | null {
  if (value === null || value === "") return fallback;
  return /^\d{1,15}$/.test(value) ? Number(value) : null;
}

/** Sends the Close frame that completes a client-initiated close; codes a peer may not send (1005, 1006, 1015) become 1000. */
export function answerClose(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code === 1005 || code === 1006 || code === 1015 ? 1000 : code, reason);
  } catch {
    // Already closed: nothing to answer.
  }
}

/**
 * The client's one error type. Every failure the API reports carries its
 * `error_code` (API.md's catalogue: 40401 topic not found, 41601 offset
 * out of range, 40101 not authenticated, 40301 not authorized, …), Kafka's
 * name for it when it has one (`error_name`), the HTTP status, the
 * message as the server wrote it, and the request id the server logged it
 * under. Failures that never reached an answer (refused connection,
 * reset, timeout) have error code 0 and status 0.
 */
export class RunnelError extends Error {
  override name = "RunnelError";

  constructor(
    /** The API's `error_code`; 0 when no answer came. */
    readonly errorCode: number,
    message: string,
    /** The HTTP status (0 when no answer came, or for a WebSocket close). */
    readonly status = 0,
    /** The server's `Runnel-Request-Id` of the failed request, when it gave one. */
    readonly requestId: string | null = null,
    /** Seconds the server asked to wait (`Retry-After` of a 429). */
    readonly retryAfterS: number | null = null,
    /** Kafka's name for the failure (the API's `error_name`, e.g. `NOT_ENOUGH_REPLICAS`); null when it has none. */
    readonly errorName: string | null = null,
    /** A refused conditional append (40905): the partition's log end offset then; null otherwise. */
    readonly logEndOffset: number | null = null,
  ) {
    super(message);
  }

  /** Whether the request got no answer at all (it may or may not have been applied). */
  get unanswered(): boolean {
    return this.errorCode === 0;
  }
}

/** An error for a request that got no answer: `cause` says why. */
export function unanswered(what: string, cause: unknown): RunnelError {
  const why = cause instanceof Error ? ((cause.cause as Error | undefined)?.message ?? cause.message) : String(cause);
  return new RunnelError(0, `${what}: no answer (${why})`);
}

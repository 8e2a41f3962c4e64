/**
 * Runnel's one error type and its catalogue. Codes follow the Kafka
 * REST-proxy convention: the HTTP status is the code itself when it has
 * three digits, else floor(code / 100).
 */
export const ErrorCode = {
  BAD_REQUEST: 400,
  TOPIC_ALREADY_EXISTS: 40002,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  UNKNOWN_TOPIC_OR_PARTITION: 40401,
  UNKNOWN_PARTITION: 40402,
  CONSUMER_INSTANCE_NOT_FOUND: 40403,
  LEADER_NOT_AVAILABLE: 40404,
  GROUP_NOT_FOUND: 40405,
  BROKER_NOT_FOUND: 40406,
  ILLEGAL_STATE: 40903,
  STALE_MEMBER: 40904,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  OFFSET_OUT_OF_RANGE: 41601,
  INVALID_PAYLOAD: 42206,
  BATCH_ERROR: 42208,
  OVERLOADED: 429,
  INTERNAL: 500,
  CORRUPT_MESSAGE: 50001,
  RETRIABLE: 50003,
  /** Replica to replica only: the caller's leader epoch is older than ours. */
  FENCED_LEADER_EPOCH: 50004,
} as const;

/** The HTTP status for an error code: the code itself if it has 3 digits. */
export function httpStatusOf(errorCode: number): number {
  return errorCode < 1000 ? errorCode : Math.floor(errorCode / 100);
}

/** The JSON body every client-visible error has. */
export interface ErrorBody {
  error_code: number;
  message: string;
}

/**
 * A failure a client should see. Thrown inside the Worker only: Durable
 * Object RPC drops an error's fields, so objects return `Failure` results.
 */
export class RunnelError extends Error {
  constructor(
    readonly errorCode: number,
    message: string,
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = "RunnelError";
  }

  body(): ErrorBody {
    return { error_code: this.errorCode, message: this.message };
  }
}

/** An expected failure returned (not thrown) across Durable Object RPC. */
export interface Failure {
  ok: false;
  error_code: number;
  message: string;
}

/** Builds a `Failure` result. */
export function failure(errorCode: number, message: string): Failure {
  return { ok: false, error_code: errorCode, message };
}

/** Turns a `Failure` result into a thrown `RunnelError`, else returns it. */
export function unwrap<R extends { ok: boolean }>(result: R): Extract<R, { ok: true }> {
  if (result.ok) return result as Extract<R, { ok: true }>;
  const f = result as unknown as Failure;
  throw new RunnelError(f.error_code, f.message);
}

/** Throws an internal error when an invariant does not hold. For bugs only. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

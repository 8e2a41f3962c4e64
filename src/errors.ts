/**
 * Runnel's one error type and its catalogue. Codes follow the Kafka
 * REST-proxy convention: the HTTP status is the code itself when it has
 * three digits, else floor(code / 100). A failure with a Kafka meaning
 * also carries the name of the Kafka condition it is (Kafka's error
 * catalogue), decided where the failure is decided, so the Kafka protocol
 * front door, clients and logs read it as data (`error_name`), never from
 * the message. Conditions only HTTP has (an unknown route, a media type)
 * carry none.
 */
export const ErrorCode = {
  BAD_REQUEST: 400,
  TOPIC_ALREADY_EXISTS: 40002,
  /** Not authenticated (Confluent's code). */
  UNAUTHENTICATED: 40101,
  /** Not authorized: always named for the resource type denied (see access/acl.ts). */
  NOT_AUTHORIZED: 40301,
  /** Refused in this configuration whoever asks (faults in production); no Kafka meaning. */
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  UNKNOWN_TOPIC_OR_PARTITION: 40401,
  UNKNOWN_PARTITION: 40402,
  CONSUMER_INSTANCE_NOT_FOUND: 40403,
  LEADER_NOT_AVAILABLE: 40404,
  GROUP_NOT_FOUND: 40405,
  BROKER_NOT_FOUND: 40406,
  /** An unknown push subscription; no Kafka meaning. */
  SUBSCRIPTION_NOT_FOUND: 40407,
  NOT_ACCEPTABLE: 40601,
  ALREADY_SUBSCRIBED: 40901,
  CONSUMER_ALREADY_EXISTS: 40902,
  ILLEGAL_STATE: 40903,
  STALE_MEMBER: 40904,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  OFFSET_OUT_OF_RANGE: 41601,
  /** A body with nothing to act on where Confluent answers 422 with code 422 (an empty v3 produce). */
  UNPROCESSABLE: 422,
  INVALID_CONSUMER_CONFIG: 42204,
  INVALID_PAYLOAD: 42206,
  BATCH_ERROR: 42208,
  OVERLOADED: 429,
  QUOTA_EXCEEDED: 42901,
  INTERNAL: 500,
  CORRUPT_MESSAGE: 50001,
  RETRIABLE: 50003,
  /** Replica to replica only: the caller's leader epoch is older than ours. */
  FENCED_LEADER_EPOCH: 50004,
  NOT_CONFIGURED: 50301,
} as const;

/** Kafka's names for the conditions Runnel reports (Kafka's error catalogue). */
export type KafkaErrorName =
  | "UNKNOWN_SERVER_ERROR"
  | "OFFSET_OUT_OF_RANGE"
  | "CORRUPT_MESSAGE"
  | "UNKNOWN_TOPIC_OR_PARTITION"
  | "LEADER_NOT_AVAILABLE"
  | "NOT_LEADER_OR_FOLLOWER"
  | "REQUEST_TIMED_OUT"
  | "BROKER_NOT_AVAILABLE"
  | "MESSAGE_TOO_LARGE"
  | "COORDINATOR_NOT_AVAILABLE"
  | "ILLEGAL_GENERATION"
  | "UNKNOWN_MEMBER_ID"
  | "REBALANCE_IN_PROGRESS"
  | "INCONSISTENT_GROUP_PROTOCOL"
  | "INVALID_SESSION_TIMEOUT"
  | "INVALID_GROUP_ID"
  | "GROUP_MAX_SIZE_REACHED"
  | "OFFSET_METADATA_TOO_LARGE"
  | "REPLICA_NOT_AVAILABLE"
  | "INVALID_TOPIC_EXCEPTION"
  | "POLICY_VIOLATION"
  | "UNKNOWN_LEADER_EPOCH"
  | "INCONSISTENT_TOPIC_ID"
  | "TOPIC_AUTHORIZATION_FAILED"
  | "GROUP_AUTHORIZATION_FAILED"
  | "CLUSTER_AUTHORIZATION_FAILED"
  | "INVALID_TIMESTAMP"
  | "UNSUPPORTED_VERSION"
  | "TOPIC_ALREADY_EXISTS"
  | "INVALID_PARTITIONS"
  | "INVALID_REPLICATION_FACTOR"
  | "INVALID_REQUEST"
  | "INVALID_CONFIG"
  | "NOT_ENOUGH_REPLICAS"
  | "NOT_ENOUGH_REPLICAS_AFTER_APPEND"
  | "OUT_OF_ORDER_SEQUENCE_NUMBER"
  | "DUPLICATE_SEQUENCE_NUMBER"
  | "INVALID_PRODUCER_EPOCH"
  | "UNKNOWN_PRODUCER_ID"
  | "SASL_AUTHENTICATION_FAILED"
  | "GROUP_ID_NOT_FOUND"
  | "NON_EMPTY_GROUP"
  | "FENCED_LEADER_EPOCH"
  | "INVALID_RECORD"
  | "THROTTLING_QUOTA_EXCEEDED"
  | "KAFKA_STORAGE_ERROR"
  | "SECURITY_DISABLED"
  | "GROUP_SUBSCRIBED_TO_TOPIC"

  | "FENCED_INSTANCE_ID"
  | "FENCED_MEMBER_EPOCH"
  | "UNRELEASED_INSTANCE_ID"
  | "UNSUPPORTED_ASSIGNOR"
  | "STALE_MEMBER_EPOCH"
  | "INVALID_REGULAR_EXPRESSION";

/**
 * The Kafka name of each code that means one Kafka condition wherever it
 * is used. Codes that mean several (40301 by resource type, 40404, 40903,
 * 42206, 429, 50003) have none here: the site that decides names them
 * (`NamedAtSite`). Codes only HTTP has (403, 404, 40407, 406, 40601, 40901,
 * 40902, 415, 50301) have no Kafka name at all.
 */
const DEFAULT_NAMES: Record<number, KafkaErrorName> = {
  [ErrorCode.BAD_REQUEST]: "INVALID_REQUEST",
  [ErrorCode.TOPIC_ALREADY_EXISTS]: "TOPIC_ALREADY_EXISTS",
  [ErrorCode.UNAUTHENTICATED]: "SASL_AUTHENTICATION_FAILED",
  [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]: "UNKNOWN_TOPIC_OR_PARTITION",
  [ErrorCode.UNKNOWN_PARTITION]: "UNKNOWN_TOPIC_OR_PARTITION",
  [ErrorCode.CONSUMER_INSTANCE_NOT_FOUND]: "UNKNOWN_MEMBER_ID",
  [ErrorCode.GROUP_NOT_FOUND]: "GROUP_ID_NOT_FOUND",
  [ErrorCode.BROKER_NOT_FOUND]: "BROKER_NOT_AVAILABLE",
  [ErrorCode.STALE_MEMBER]: "ILLEGAL_GENERATION",
  [ErrorCode.PAYLOAD_TOO_LARGE]: "MESSAGE_TOO_LARGE",
  [ErrorCode.OFFSET_OUT_OF_RANGE]: "OFFSET_OUT_OF_RANGE",
  [ErrorCode.INVALID_CONSUMER_CONFIG]: "INVALID_CONFIG",
  [ErrorCode.BATCH_ERROR]: "INVALID_REQUEST",
  [ErrorCode.QUOTA_EXCEEDED]: "THROTTLING_QUOTA_EXCEEDED",
  [ErrorCode.INTERNAL]: "UNKNOWN_SERVER_ERROR",
  [ErrorCode.CORRUPT_MESSAGE]: "CORRUPT_MESSAGE",
  [ErrorCode.FENCED_LEADER_EPOCH]: "FENCED_LEADER_EPOCH",
};

/** Codes whose Kafka name only the deciding site knows: `failure` requires one for them. */
export type NamedAtSite =
  | typeof ErrorCode.NOT_AUTHORIZED
  | typeof ErrorCode.LEADER_NOT_AVAILABLE
  | typeof ErrorCode.ILLEGAL_STATE
  | typeof ErrorCode.INVALID_PAYLOAD
  | typeof ErrorCode.OVERLOADED
  | typeof ErrorCode.RETRIABLE;

/** The Kafka name `errorCode` always stands for, or undefined when it has none of its own. */
export function defaultErrorName(errorCode: number): KafkaErrorName | undefined {
  return DEFAULT_NAMES[errorCode];
}

/** The HTTP status for an error code: the code itself if it has 3 digits. */
export function httpStatusOf(errorCode: number): number {
  return errorCode < 1000 ? errorCode : Math.floor(errorCode / 100);
}

/** The JSON body every client-visible error has; `error_name` when the error has a Kafka meaning. */
export interface ErrorBody {
  error_code: number;
  message: string;
  error_name?: KafkaErrorName;
}

/**
 * A failure a client should see. Thrown inside the Worker only: Durable
 * Object RPC drops an error's fields, so objects return `Failure` results.
 */
export class RunnelError extends Error {
  /** Kafka's name for the condition; undefined when it has no Kafka meaning. */
  readonly errorName: KafkaErrorName | undefined;

  /** A bug's id when this is a 500 for a bug already logged (with that id) where it happened. */
  bugId?: string;

  /**
   * `errorName` defaults from the code (`defaultErrorName`); give it for
   * codes in `NamedAtSite`, or null for a condition Kafka has no name for.
   */
  constructor(
    readonly errorCode: number,
    message: string,
    readonly retryAfterS?: number,
    errorName?: KafkaErrorName | null,
  ) {
    super(message);
    this.name = "RunnelError";
    this.errorName = errorName === null ? undefined : (errorName ?? defaultErrorName(errorCode));
  }

  /** The JSON body: `error_code`, `message`, and `error_name` when there is one. */
  body(): ErrorBody {
    return bodyOf(this.errorCode, this.message, this.errorName);
  }
}

/** An error body; `error_name` only when `errorName` is given. */
export function bodyOf(errorCode: number, message: string, errorName: KafkaErrorName | undefined): ErrorBody {
  return errorName === undefined ? { error_code: errorCode, message } : { error_code: errorCode, message, error_name: errorName };
}

/** The body a bug is answered with: 500 UNKNOWN_SERVER_ERROR naming the bug id of its log line and the request id, never the internal text. */
export function internalErrorBody(bugId: string, requestId: string): ErrorBody {
  return bodyOf(ErrorCode.INTERNAL, `internal error; the server logged it as bug ${bugId} (request id ${requestId})`, "UNKNOWN_SERVER_ERROR");
}

/** An expected failure returned (not thrown) across Durable Object RPC. */
export interface Failure {
  ok: false;
  error_code: number;
  /** Kafka's name for the condition; absent when it has no Kafka meaning. */
  error_name?: KafkaErrorName;
  message: string;
  /** For a 500: the id of the log line where the bug was logged (once). */
  bug_id?: string;
}

/**
 * Builds a `Failure` result. The Kafka name defaults from the code; a
 * code in `NamedAtSite` must be given one, or null for a condition Kafka
 * has no name for (checked by the compiler).
 */
export function failure<C extends number>(errorCode: C, message: string, ...named: C extends NamedAtSite ? [KafkaErrorName | null] : [(KafkaErrorName | null)?]): Failure {
  const errorName = named[0] === null ? undefined : (named[0] ?? defaultErrorName(errorCode));
  return errorName === undefined ? { ok: false, error_code: errorCode, message } : { ok: false, error_code: errorCode, error_name: errorName, message };
}

/**
 * A retriable failure (50003) of Kafka condition `name`: as API.md says,
 * the message starts with the name.
 */
export function retriable(name: KafkaErrorName, message: string): Failure {
  return failure(ErrorCode.RETRIABLE, `${name}: ${message}`, name);
}

/** Whether `value` is a `Failure` result. */
export function isFailure(value: unknown): value is Failure {
  return typeof value === "object" && value !== null && (value as { ok?: unknown }).ok === false && typeof (value as Failure).error_code === "number";
}

/** Turns a `Failure` result into a thrown `RunnelError`, else returns it. */
export function unwrap<R extends { ok: boolean }>(result: R): Extract<R, { ok: true }> {
  if (result.ok) return result as Extract<R, { ok: true }>;
  throw errorOf(result as unknown as Failure);
}

/** The `RunnelError` a `Failure` result stands for. */
export function errorOf(f: Failure): RunnelError {
  const e = new RunnelError(f.error_code, f.message, undefined, f.error_name ?? null);
  if (f.bug_id !== undefined) e.bugId = f.bug_id;
  return e;
}

/** A thrown error as a `Failure`: a `RunnelError` keeps its code, anything else is a bug (500). */
export function failureOf(e: unknown): Failure {
  if (e instanceof RunnelError) {
    const f = failure(e.errorCode, e.message, e.errorName ?? null);
    return e.bugId === undefined ? f : { ...f, bug_id: e.bugId };
  }
  return failure(ErrorCode.INTERNAL, e instanceof Error ? e.message : String(e));
}

/** Throws an internal error when an invariant does not hold. For bugs only. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

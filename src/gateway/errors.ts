/**
 * Kafka's error codes, and the one table that turns Runnel's HTTP errors
 * into them. A 50003 (retriable) error names its Kafka condition at the
 * start of its message (API.md); other Runnel codes map by their meaning.
 */
import type { KafkaErrorName } from "../errors";

/** Kafka's numeric error codes for the names Runnel and the front door use. */
export const KafkaCode = {
  UNKNOWN_SERVER_ERROR: -1,
  NONE: 0,
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  INVALID_FETCH_SIZE: 4,
  LEADER_NOT_AVAILABLE: 5,
  NOT_LEADER_OR_FOLLOWER: 6,
  REQUEST_TIMED_OUT: 7,
  BROKER_NOT_AVAILABLE: 8,
  MESSAGE_TOO_LARGE: 10,
  OFFSET_METADATA_TOO_LARGE: 12,
  NETWORK_EXCEPTION: 13,
  COORDINATOR_LOAD_IN_PROGRESS: 14,
  COORDINATOR_NOT_AVAILABLE: 15,
  NOT_COORDINATOR: 16,
  INVALID_TOPIC_EXCEPTION: 17,
  RECORD_LIST_TOO_LARGE: 18,
  NOT_ENOUGH_REPLICAS: 19,
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: 20,
  INVALID_REQUIRED_ACKS: 21,
  ILLEGAL_GENERATION: 22,
  INCONSISTENT_GROUP_PROTOCOL: 23,
  INVALID_GROUP_ID: 24,
  UNKNOWN_MEMBER_ID: 25,
  INVALID_SESSION_TIMEOUT: 26,
  REBALANCE_IN_PROGRESS: 27,
  TOPIC_AUTHORIZATION_FAILED: 29,
  GROUP_AUTHORIZATION_FAILED: 30,
  CLUSTER_AUTHORIZATION_FAILED: 31,
  INVALID_TIMESTAMP: 32,
  UNSUPPORTED_VERSION: 35,
  TOPIC_ALREADY_EXISTS: 36,
  INVALID_PARTITIONS: 37,
  INVALID_REPLICATION_FACTOR: 38,
  INVALID_REPLICA_ASSIGNMENT: 39,
  INVALID_CONFIG: 40,
  INVALID_REQUEST: 42,
  POLICY_VIOLATION: 44,
  UNSUPPORTED_SASL_MECHANISM: 33,
  ILLEGAL_SASL_STATE: 34,
  OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  DUPLICATE_SEQUENCE_NUMBER: 46,
  INVALID_PRODUCER_EPOCH: 47,
  INVALID_TXN_STATE: 48,
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: 53,
  UNSUPPORTED_FOR_MESSAGE_FORMAT: 43,
  SASL_AUTHENTICATION_FAILED: 58,
  UNKNOWN_PRODUCER_ID: 59,
  KAFKA_STORAGE_ERROR: 56,
  GROUP_ID_NOT_FOUND: 69,
  NON_EMPTY_GROUP: 68,
  FENCED_LEADER_EPOCH: 74,
  UNSUPPORTED_COMPRESSION_TYPE: 76,
  INVALID_RECORD: 87,
  GROUP_MAX_SIZE_REACHED: 81,
  THROTTLING_QUOTA_EXCEEDED: 89,
} as const satisfies Record<string, number>;

export type KafkaCodeName = keyof typeof KafkaCode;

/** Every name Runnel's errors may carry has a Kafka code. */
const BY_NAME: Record<KafkaErrorName, number> = {
  UNKNOWN_SERVER_ERROR: KafkaCode.UNKNOWN_SERVER_ERROR,
  OFFSET_OUT_OF_RANGE: KafkaCode.OFFSET_OUT_OF_RANGE,
  CORRUPT_MESSAGE: KafkaCode.CORRUPT_MESSAGE,
  UNKNOWN_TOPIC_OR_PARTITION: KafkaCode.UNKNOWN_TOPIC_OR_PARTITION,
  LEADER_NOT_AVAILABLE: KafkaCode.LEADER_NOT_AVAILABLE,
  NOT_LEADER_OR_FOLLOWER: KafkaCode.NOT_LEADER_OR_FOLLOWER,
  REQUEST_TIMED_OUT: KafkaCode.REQUEST_TIMED_OUT,
  BROKER_NOT_AVAILABLE: KafkaCode.BROKER_NOT_AVAILABLE,
  MESSAGE_TOO_LARGE: KafkaCode.MESSAGE_TOO_LARGE,
  COORDINATOR_NOT_AVAILABLE: KafkaCode.COORDINATOR_NOT_AVAILABLE,
  ILLEGAL_GENERATION: KafkaCode.ILLEGAL_GENERATION,
  UNKNOWN_MEMBER_ID: KafkaCode.UNKNOWN_MEMBER_ID,
  REBALANCE_IN_PROGRESS: KafkaCode.REBALANCE_IN_PROGRESS,
  INCONSISTENT_GROUP_PROTOCOL: KafkaCode.INCONSISTENT_GROUP_PROTOCOL,
  INVALID_SESSION_TIMEOUT: KafkaCode.INVALID_SESSION_TIMEOUT,
  INVALID_GROUP_ID: KafkaCode.INVALID_GROUP_ID,
  GROUP_MAX_SIZE_REACHED: KafkaCode.GROUP_MAX_SIZE_REACHED,
  TOPIC_AUTHORIZATION_FAILED: KafkaCode.TOPIC_AUTHORIZATION_FAILED,
  GROUP_AUTHORIZATION_FAILED: KafkaCode.GROUP_AUTHORIZATION_FAILED,
  CLUSTER_AUTHORIZATION_FAILED: KafkaCode.CLUSTER_AUTHORIZATION_FAILED,
  INVALID_TIMESTAMP: KafkaCode.INVALID_TIMESTAMP,
  UNSUPPORTED_VERSION: KafkaCode.UNSUPPORTED_VERSION,
  TOPIC_ALREADY_EXISTS: KafkaCode.TOPIC_ALREADY_EXISTS,
  INVALID_PARTITIONS: KafkaCode.INVALID_PARTITIONS,
  INVALID_REPLICATION_FACTOR: KafkaCode.INVALID_REPLICATION_FACTOR,
  INVALID_REQUEST: KafkaCode.INVALID_REQUEST,
  INVALID_CONFIG: KafkaCode.INVALID_CONFIG,
  NOT_ENOUGH_REPLICAS: KafkaCode.NOT_ENOUGH_REPLICAS,
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: KafkaCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
  OUT_OF_ORDER_SEQUENCE_NUMBER: KafkaCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
  DUPLICATE_SEQUENCE_NUMBER: KafkaCode.DUPLICATE_SEQUENCE_NUMBER,
  INVALID_PRODUCER_EPOCH: KafkaCode.INVALID_PRODUCER_EPOCH,
  UNKNOWN_PRODUCER_ID: KafkaCode.UNKNOWN_PRODUCER_ID,
  SASL_AUTHENTICATION_FAILED: KafkaCode.SASL_AUTHENTICATION_FAILED,
  GROUP_ID_NOT_FOUND: KafkaCode.GROUP_ID_NOT_FOUND,
  NON_EMPTY_GROUP: KafkaCode.NON_EMPTY_GROUP,
  FENCED_LEADER_EPOCH: KafkaCode.FENCED_LEADER_EPOCH,
  INVALID_RECORD: KafkaCode.INVALID_RECORD,
  THROTTLING_QUOTA_EXCEEDED: KafkaCode.THROTTLING_QUOTA_EXCEEDED,
  KAFKA_STORAGE_ERROR: KafkaCode.KAFKA_STORAGE_ERROR,
};

/**
 * Runnel's error codes (API.md) by meaning. 50003 and 42206 look at the
 * Kafka name that starts the message first; the entry here is the
 * fallback when the message names none.
 */
const BY_RUNNEL_CODE: Record<number, number> = {
  400: KafkaCode.INVALID_REQUEST,
  40002: KafkaCode.TOPIC_ALREADY_EXISTS,
  401: KafkaCode.SASL_AUTHENTICATION_FAILED,
  40101: KafkaCode.SASL_AUTHENTICATION_FAILED,
  403: KafkaCode.TOPIC_AUTHORIZATION_FAILED,
  40301: KafkaCode.TOPIC_AUTHORIZATION_FAILED,
  40401: KafkaCode.UNKNOWN_TOPIC_OR_PARTITION,
  40402: KafkaCode.UNKNOWN_TOPIC_OR_PARTITION,
  40404: KafkaCode.LEADER_NOT_AVAILABLE,
  40405: KafkaCode.GROUP_ID_NOT_FOUND,
  40406: KafkaCode.BROKER_NOT_AVAILABLE,
  40903: KafkaCode.NON_EMPTY_GROUP,
  40904: KafkaCode.ILLEGAL_GENERATION,
  413: KafkaCode.MESSAGE_TOO_LARGE,
  41601: KafkaCode.OFFSET_OUT_OF_RANGE,
  42204: KafkaCode.INVALID_CONFIG,
  42206: KafkaCode.INVALID_RECORD,
  429: KafkaCode.THROTTLING_QUOTA_EXCEEDED,
  42901: KafkaCode.THROTTLING_QUOTA_EXCEEDED,
  50001: KafkaCode.CORRUPT_MESSAGE,
  50003: KafkaCode.REQUEST_TIMED_OUT,
  50004: KafkaCode.FENCED_LEADER_EPOCH,
};

/**
 * Names a 50003 (retriable) message may start with whose Kafka codes
 * clients treat as final: the retriable code that means the same to them.
 */
const RETRIABLE_INSTEAD: Record<string, number> = {
  // "the leader of partition p did not answer": the client should refresh metadata and retry.
  BROKER_NOT_AVAILABLE: KafkaCode.LEADER_NOT_AVAILABLE,
};

/** The Kafka code of a Kafka error name, or undefined for a name Kafka does not have. */
export function kafkaCodeOfName(name: string): number | undefined {
  return Object.hasOwn(BY_NAME, name) ? BY_NAME[name as KafkaErrorName] : (KafkaCode as Record<string, number>)[name];
}

/**
 * The Kafka code of one partition's or member's outcome in a Worker
 * answer: NONE for null (no error), else its name's code;
 * UNKNOWN_SERVER_ERROR for a name Kafka does not have, or no outcome.
 */
export function outcomeCode(name: string | null | undefined): number {
  if (name === null) return KafkaCode.NONE;
  return (name === undefined ? undefined : kafkaCodeOfName(name)) ?? KafkaCode.UNKNOWN_SERVER_ERROR;
}

/**
 * The Kafka error code for a Runnel HTTP error: a Kafka name at the start
 * of the message wins (`NOT_ENOUGH_REPLICAS: …`; on a 50003 always as a
 * code clients retry), then, for a 403, the kind of resource it names
 * (TOPIC_, GROUP_ or CLUSTER_AUTHORIZATION_FAILED), then the code's
 * meaning, then UNKNOWN_SERVER_ERROR (5xx) or INVALID_REQUEST (other 4xx).
 */
export function kafkaCodeOf(errorCode: number, message: string): number {
  const named = /^([A-Z][A-Z_]+[A-Z])(?::|\b)/.exec(message)?.[1];
  if (named !== undefined) {
    const code = (errorCode === 50003 ? RETRIABLE_INSTEAD[named] : undefined) ?? kafkaCodeOfName(named);
    if (code !== undefined) return code;
  }
  if (errorCode === 403 || errorCode === 40301) {
    // The router's denial names the resource: "… may not READ GROUP 'g'".
    const on = /may not [A-Z_]+ (TOPIC|GROUP|CLUSTER) /.exec(message)?.[1];
    if (on !== undefined) return KafkaCode[`${on as "TOPIC" | "GROUP" | "CLUSTER"}_AUTHORIZATION_FAILED`];
  }
  const known = BY_RUNNEL_CODE[errorCode];
  if (known !== undefined) return known;
  const status = errorCode < 1000 ? errorCode : Math.floor(errorCode / 100);
  return status >= 500 ? KafkaCode.UNKNOWN_SERVER_ERROR : KafkaCode.INVALID_REQUEST;
}

/**
 * Kafka's error codes, and the one table that turns Runnel's HTTP errors
 * into them: by the `error_name` the Worker's error body carries (API.md,
 * "Errors"), never by reading the message.
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
  REPLICA_NOT_AVAILABLE: 9,
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
  UNKNOWN_LEADER_EPOCH: 75,
  UNSUPPORTED_COMPRESSION_TYPE: 76,
  INVALID_RECORD: 87,
  GROUP_MAX_SIZE_REACHED: 81,
  THROTTLING_QUOTA_EXCEEDED: 89,
  INCONSISTENT_TOPIC_ID: 103,
  SECURITY_DISABLED: 54,
  GROUP_SUBSCRIBED_TO_TOPIC: 86,
  UNKNOWN_TOPIC_ID: 100,
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
  OFFSET_METADATA_TOO_LARGE: KafkaCode.OFFSET_METADATA_TOO_LARGE,
  REPLICA_NOT_AVAILABLE: KafkaCode.REPLICA_NOT_AVAILABLE,
  INVALID_TOPIC_EXCEPTION: KafkaCode.INVALID_TOPIC_EXCEPTION,
  POLICY_VIOLATION: KafkaCode.POLICY_VIOLATION,
  UNKNOWN_LEADER_EPOCH: KafkaCode.UNKNOWN_LEADER_EPOCH,
  INCONSISTENT_TOPIC_ID: KafkaCode.INCONSISTENT_TOPIC_ID,
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
  SECURITY_DISABLED: KafkaCode.SECURITY_DISABLED,
  GROUP_SUBSCRIBED_TO_TOPIC: KafkaCode.GROUP_SUBSCRIBED_TO_TOPIC,
};

/**
 * Names a 50003 (retriable) error may carry whose Kafka codes clients
 * treat as final: the retriable code that means the same to them.
 */
const RETRIABLE_INSTEAD: Record<string, number> = {
  // "the leader of partition p did not answer": the client should refresh metadata and retry.
  BROKER_NOT_AVAILABLE: KafkaCode.LEADER_NOT_AVAILABLE,
};

/** The Kafka code of a Kafka error name, or undefined for a name Kafka does not have. */
export function kafkaCodeOfName(name: string): number | undefined {
  if (Object.hasOwn(BY_NAME, name)) return BY_NAME[name as KafkaErrorName];
  return Object.hasOwn(KafkaCode, name) ? (KafkaCode as Record<string, number>)[name] : undefined;
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
 * The Kafka error code for a Runnel HTTP error with `errorName`, its
 * `error_name` (null when the body carries none): that name's code (on a
 * 50003 always as a code clients retry). An error without a Kafka name —
 * or with one Kafka does not have — maps by its code alone: a 50003 is
 * REQUEST_TIMED_OUT (API.md: retriable), any other 5xx
 * UNKNOWN_SERVER_ERROR, anything else INVALID_REQUEST.
 */
export function kafkaCodeOf(errorCode: number, errorName: string | null): number {
  if (errorName !== null) {
    const instead = errorCode === 50003 && Object.hasOwn(RETRIABLE_INSTEAD, errorName) ? RETRIABLE_INSTEAD[errorName] : undefined;
    const code = instead ?? kafkaCodeOfName(errorName);
    if (code !== undefined) return code;
  }
  if (errorCode === 50003) return KafkaCode.REQUEST_TIMED_OUT;
  const status = errorCode < 1000 ? errorCode : Math.floor(errorCode / 100);
  return status >= 500 ? KafkaCode.UNKNOWN_SERVER_ERROR : KafkaCode.INVALID_REQUEST;
}

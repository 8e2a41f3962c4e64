import { describe, expect, it } from "vitest";
import { KafkaCode, kafkaCodeOf, outcomeCode } from "../../src/gateway/errors";

describe("Runnel's HTTP errors as Kafka error codes", () => {
  it.each([
    [50003, "NOT_ENOUGH_REPLICAS: 1 in-sync replicas, min.insync.replicas is 2", KafkaCode.NOT_ENOUGH_REPLICAS],
    [50003, "NOT_ENOUGH_REPLICAS_AFTER_APPEND: the ISR shrank", KafkaCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND],
    [50003, "NOT_LEADER_OR_FOLLOWER: broker 1 is not the leader", KafkaCode.NOT_LEADER_OR_FOLLOWER],
    [50003, "REQUEST_TIMED_OUT waiting for the in-sync replicas; retry", KafkaCode.REQUEST_TIMED_OUT],
    [50003, "the leader of partition 0 (broker 1) did not answer", KafkaCode.REQUEST_TIMED_OUT],
    [50003, "BROKER_NOT_AVAILABLE: the leader of partition 0 (broker 1) did not answer; retry", KafkaCode.LEADER_NOT_AVAILABLE],
    [40406, "broker 7 does not exist", KafkaCode.BROKER_NOT_AVAILABLE],
    [40401, "topic 'x' does not exist", KafkaCode.UNKNOWN_TOPIC_OR_PARTITION],
    [40402, "topic 'x' has no partition 9", KafkaCode.UNKNOWN_TOPIC_OR_PARTITION],
    [40404, "partition 0 of 'x' has no leader available", KafkaCode.LEADER_NOT_AVAILABLE],
    [41601, "offset 99 is outside [0, 5]", KafkaCode.OFFSET_OUT_OF_RANGE],
    [413, "record batch of 2000000 bytes is over the 1048576-byte limit", KafkaCode.MESSAGE_TOO_LARGE],
    [42206, "CORRUPT_MESSAGE: batch 1: record batch CRC-32C mismatch", KafkaCode.CORRUPT_MESSAGE],
    [42206, "UNKNOWN_PRODUCER_ID: producer id 7 was not handed out by this cluster", KafkaCode.UNKNOWN_PRODUCER_ID],
    [42206, "OUT_OF_ORDER_SEQUENCE_NUMBER: producer 3 epoch 0 sent sequence 9, but 5 is next here", KafkaCode.OUT_OF_ORDER_SEQUENCE_NUMBER],
    [40903, "INVALID_PRODUCER_EPOCH: producer 3 epoch 0 is older than its epoch 1 here", KafkaCode.INVALID_PRODUCER_EPOCH],
    [42206, "UNSUPPORTED_COMPRESSION_TYPE: batch 0 uses compression 4", KafkaCode.UNSUPPORTED_COMPRESSION_TYPE],
    [42206, "Idempotency-Key was already used with other records", KafkaCode.INVALID_RECORD],
    [40002, "topic 'x' already exists", KafkaCode.TOPIC_ALREADY_EXISTS],
    [50001, "corrupt record batch at offset 4", KafkaCode.CORRUPT_MESSAGE],
    [42901, "over quota", KafkaCode.THROTTLING_QUOTA_EXCEEDED],
    [403, "User:bob may not WRITE topic x", KafkaCode.TOPIC_AUTHORIZATION_FAILED],
    [403, "not authorized: User:bob may not READ GROUP 'g'", KafkaCode.GROUP_AUTHORIZATION_FAILED],
    [403, "not authorized: User:bob may not CREATE CLUSTER 'kafka-cluster'", KafkaCode.CLUSTER_AUTHORIZATION_FAILED],
    [403, "not authorized: User:bob may not READ TOPIC 'GROUP x'", KafkaCode.TOPIC_AUTHORIZATION_FAILED],
    [40903, "REBALANCE_IN_PROGRESS: join the group again", KafkaCode.REBALANCE_IN_PROGRESS],
    [40903, "INCONSISTENT_GROUP_PROTOCOL: no shared protocol", KafkaCode.INCONSISTENT_GROUP_PROTOCOL],
    [42204, "INVALID_SESSION_TIMEOUT: 10 ms", KafkaCode.INVALID_SESSION_TIMEOUT],
    [400, "INVALID_GROUP_ID: a group id is at most 255 characters", KafkaCode.INVALID_GROUP_ID],
    [500, "internal error; the server logged it with request id 1", KafkaCode.UNKNOWN_SERVER_ERROR],
    [418, "I'm a teapot", KafkaCode.INVALID_REQUEST],
    [503, "HTTP 503", KafkaCode.UNKNOWN_SERVER_ERROR],
  ])("%i %s → %i", (code, message, kafka) => {
    expect(kafkaCodeOf(code, message)).toBe(kafka);
  });

  it("does not take a capitalised word that is not a Kafka error name for one", () => {
    expect(kafkaCodeOf(50003, "ISR shrank; retry")).toBe(KafkaCode.REQUEST_TIMED_OUT);
  });
});

describe("a partition's or member's outcome as a Kafka error code", () => {
  it("is NONE for no error, its name's code for a Kafka name, and UNKNOWN_SERVER_ERROR for any other name or none", () => {
    expect(outcomeCode(null)).toBe(KafkaCode.NONE);
    expect(outcomeCode("OFFSET_OUT_OF_RANGE")).toBe(KafkaCode.OFFSET_OUT_OF_RANGE);
    expect(outcomeCode("TOPIC_AUTHORIZATION_FAILED")).toBe(KafkaCode.TOPIC_AUTHORIZATION_FAILED);
    expect(outcomeCode("NOT_A_KAFKA_ERROR")).toBe(KafkaCode.UNKNOWN_SERVER_ERROR);
    expect(outcomeCode(undefined)).toBe(KafkaCode.UNKNOWN_SERVER_ERROR);
  });
});

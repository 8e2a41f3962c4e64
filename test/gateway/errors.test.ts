import { describe, expect, it } from "vitest";
import { backendErrorOf } from "../../src/gateway/backend/runnel-api";
import { KafkaCode, kafkaCodeOf, outcomeCode } from "../../src/gateway/errors";

/** A Worker's error answer as the front door receives it. */
function answer(status: number, body: unknown) {
  return { status, headers: {}, body: Buffer.from(typeof body === "string" ? body : JSON.stringify(body)) };
}

describe("Runnel's HTTP errors as Kafka error codes", () => {
  it.each([
    [50003, "NOT_ENOUGH_REPLICAS", KafkaCode.NOT_ENOUGH_REPLICAS],
    [50003, "NOT_ENOUGH_REPLICAS_AFTER_APPEND", KafkaCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND],
    [50003, "NOT_LEADER_OR_FOLLOWER", KafkaCode.NOT_LEADER_OR_FOLLOWER],
    [50003, "REQUEST_TIMED_OUT", KafkaCode.REQUEST_TIMED_OUT],
    [50003, "BROKER_NOT_AVAILABLE", KafkaCode.LEADER_NOT_AVAILABLE], // clients retry it, as Kafka's final BROKER_NOT_AVAILABLE they would not
    [40406, "BROKER_NOT_AVAILABLE", KafkaCode.BROKER_NOT_AVAILABLE],
    [40401, "UNKNOWN_TOPIC_OR_PARTITION", KafkaCode.UNKNOWN_TOPIC_OR_PARTITION],
    [40404, "LEADER_NOT_AVAILABLE", KafkaCode.LEADER_NOT_AVAILABLE],
    [40404, "REPLICA_NOT_AVAILABLE", KafkaCode.REPLICA_NOT_AVAILABLE],
    [41601, "OFFSET_OUT_OF_RANGE", KafkaCode.OFFSET_OUT_OF_RANGE],
    [413, "MESSAGE_TOO_LARGE", KafkaCode.MESSAGE_TOO_LARGE],
    [42206, "CORRUPT_MESSAGE", KafkaCode.CORRUPT_MESSAGE],
    [42206, "UNKNOWN_PRODUCER_ID", KafkaCode.UNKNOWN_PRODUCER_ID],
    [42206, "OUT_OF_ORDER_SEQUENCE_NUMBER", KafkaCode.OUT_OF_ORDER_SEQUENCE_NUMBER],
    [42206, "INVALID_RECORD", KafkaCode.INVALID_RECORD],
    [40903, "INVALID_PRODUCER_EPOCH", KafkaCode.INVALID_PRODUCER_EPOCH],
    [40903, "NON_EMPTY_GROUP", KafkaCode.NON_EMPTY_GROUP],
    [40903, "REBALANCE_IN_PROGRESS", KafkaCode.REBALANCE_IN_PROGRESS],
    [40002, "TOPIC_ALREADY_EXISTS", KafkaCode.TOPIC_ALREADY_EXISTS],
    [400, "INVALID_TOPIC_EXCEPTION", KafkaCode.INVALID_TOPIC_EXCEPTION],
    [400, "INVALID_PARTITIONS", KafkaCode.INVALID_PARTITIONS],
    [400, "INVALID_REPLICATION_FACTOR", KafkaCode.INVALID_REPLICATION_FACTOR],
    [400, "INVALID_CONFIG", KafkaCode.INVALID_CONFIG],
    [400, "POLICY_VIOLATION", KafkaCode.POLICY_VIOLATION],
    [50001, "CORRUPT_MESSAGE", KafkaCode.CORRUPT_MESSAGE],
    [42901, "THROTTLING_QUOTA_EXCEEDED", KafkaCode.THROTTLING_QUOTA_EXCEEDED],
    [40101, "SASL_AUTHENTICATION_FAILED", KafkaCode.SASL_AUTHENTICATION_FAILED],
    [40301, "TOPIC_AUTHORIZATION_FAILED", KafkaCode.TOPIC_AUTHORIZATION_FAILED],
    [40301, "GROUP_AUTHORIZATION_FAILED", KafkaCode.GROUP_AUTHORIZATION_FAILED],
    [40301, "CLUSTER_AUTHORIZATION_FAILED", KafkaCode.CLUSTER_AUTHORIZATION_FAILED],
    [500, "UNKNOWN_SERVER_ERROR", KafkaCode.UNKNOWN_SERVER_ERROR],
  ])("%i %s → %i", (code, name, kafka) => {
    expect(kafkaCodeOf(code, name)).toBe(kafka);
  });

  it("maps an error without a Kafka name, or with a name Kafka does not have, by its code alone", () => {
    expect(kafkaCodeOf(50003, null)).toBe(KafkaCode.REQUEST_TIMED_OUT); // API.md: 50003 is retriable
    expect(kafkaCodeOf(500, null)).toBe(KafkaCode.UNKNOWN_SERVER_ERROR);
    expect(kafkaCodeOf(503, null)).toBe(KafkaCode.UNKNOWN_SERVER_ERROR);
    expect(kafkaCodeOf(415, null)).toBe(KafkaCode.INVALID_REQUEST);
    expect(kafkaCodeOf(404, "NOT_A_KAFKA_ERROR")).toBe(KafkaCode.INVALID_REQUEST);
    // Names from the network are looked up as own keys only.
    expect(kafkaCodeOf(50003, "constructor")).toBe(KafkaCode.REQUEST_TIMED_OUT);
    expect(kafkaCodeOf(400, "__proto__")).toBe(KafkaCode.INVALID_REQUEST);
  });
});

describe("a Worker's error answer at the front door", () => {
  it("takes the Kafka code from error_name, whatever the message says or does not say", () => {
    const cases: [unknown, number][] = [
      // No Kafka name at the start of the message: the name alone decides.
      [{ error_code: 50003, message: "only 1 replica is in sync; retry", error_name: "NOT_ENOUGH_REPLICAS" }, KafkaCode.NOT_ENOUGH_REPLICAS],
      [{ error_code: 40903, message: "producer 3 epoch 0 is older than its epoch 1 here", error_name: "INVALID_PRODUCER_EPOCH" }, KafkaCode.INVALID_PRODUCER_EPOCH],
      // Misleading messages: another Kafka name at the start, another resource type in the text.
      [{ error_code: 40903, message: "NON_EMPTY_GROUP: the producer was fenced", error_name: "INVALID_PRODUCER_EPOCH" }, KafkaCode.INVALID_PRODUCER_EPOCH],
      [{ error_code: 40301, message: "not authorized: User:bob may not READ GROUP 'TOPIC x'", error_name: "TOPIC_AUTHORIZATION_FAILED" }, KafkaCode.TOPIC_AUTHORIZATION_FAILED],
      [{ error_code: 400, message: "topic_name must be a non-empty string", error_name: "INVALID_PARTITIONS" }, KafkaCode.INVALID_PARTITIONS],
      // A Kafka name in the message and none in the body: the message is not read.
      [{ error_code: 400, message: "NOT_ENOUGH_REPLICAS: the body says otherwise" }, KafkaCode.INVALID_REQUEST],
      [{ error_code: 40301, message: "not authorized: User:bob may not READ GROUP 'g'" }, KafkaCode.INVALID_REQUEST],
    ];
    for (const [body, kafka] of cases) {
      const e = backendErrorOf(answer(400, body));
      expect([e.errorCode, e.message, e.kafkaCode], JSON.stringify(body)).toEqual([(body as { error_code: number }).error_code, (body as { message: string }).message, kafka]);
    }
    expect(backendErrorOf(answer(403, { error_code: 40301, message: "no", error_name: "GROUP_AUTHORIZATION_FAILED" })).errorName).toBe("GROUP_AUTHORIZATION_FAILED");
  });

  it("lets the status speak when the body is not a Runnel error (a proxy in between)", () => {
    expect(backendErrorOf(answer(502, "<html>Bad gateway</html>"))).toMatchObject({ errorCode: 502, errorName: null, kafkaCode: KafkaCode.UNKNOWN_SERVER_ERROR });
    expect(backendErrorOf(answer(401, ""))).toMatchObject({ errorCode: 401, kafkaCode: KafkaCode.INVALID_REQUEST });
  });
});

describe("a partition's or member's outcome as a Kafka error code", () => {
  it("is NONE for no error, its name's code for a Kafka name, and UNKNOWN_SERVER_ERROR for any other name or none", () => {
    expect(outcomeCode(null)).toBe(KafkaCode.NONE);
    expect(outcomeCode("OFFSET_OUT_OF_RANGE")).toBe(KafkaCode.OFFSET_OUT_OF_RANGE);
    expect(outcomeCode("TOPIC_AUTHORIZATION_FAILED")).toBe(KafkaCode.TOPIC_AUTHORIZATION_FAILED);
    expect(outcomeCode("NOT_A_KAFKA_ERROR")).toBe(KafkaCode.UNKNOWN_SERVER_ERROR);
    expect(outcomeCode("constructor")).toBe(KafkaCode.UNKNOWN_SERVER_ERROR);
    expect(outcomeCode(undefined)).toBe(KafkaCode.UNKNOWN_SERVER_ERROR);
  });
});

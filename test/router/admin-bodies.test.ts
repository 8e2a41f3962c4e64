// The v3 admin bodies, checked by their valibot schemas: for each, a wrong
// type, an unknown field (where the body is strict), a value out of range
// and a missing field get the endpoint's error code and a message naming
// the field and what was expected — and change nothing.
import { describe, expect, it } from "vitest";
import { call, createTopic, V3 } from "../helpers";

/** A request, and the error it must get: its code, message and Kafka name (INVALID_REQUEST when not given). */
type Case = [method: string, path: string, body: unknown, errorCode: number, message: string, errorName?: string];

/** Sends each case and expects exactly its error code, message and name. */
async function expectRefused(cases: Case[]) {
  for (const [method, path, body, errorCode, message, errorName = "INVALID_REQUEST"] of cases) {
    const res = await call(method, path, body);
    const status = Math.floor(errorCode >= 1000 ? errorCode / 100 : errorCode);
    expect([res.status, res.body], `${method} ${path} ${JSON.stringify(body)}`).toEqual([status, { error_code: errorCode, message, error_name: errorName }]);
  }
}

const T = `${V3}/topics`;

describe("topic bodies", () => {
  it("creation: refused with a 400 naming the field, and no topic made", async () => {
    await expectRefused([
      ["POST", T, { partitions_count: 1 }, 400, "topic_name is required"],
      ["POST", T, { topic_name: 5 }, 400, "topic_name must be a string"],
      ["POST", T, { topic_name: "ab-1", colour: "red" }, 400, "unknown field 'colour'; expected topic_name, partitions_count, replication_factor, configs, replicas_assignments, validate_only"],
      ["POST", T, { topic_name: "ab-1", partitions_count: "3" }, 400, "partitions_count must be an integer"],
      ["POST", T, { topic_name: "ab-1", partitions_count: 0 }, 400, "partitions_count must be between 1 and 1024, got 0", "INVALID_PARTITIONS"],
      ["POST", T, { topic_name: "ab-1", partitions_count: 1025, validate_only: true }, 400, "partitions_count must be between 1 and 1024, got 1025", "INVALID_PARTITIONS"],
      ["POST", T, { topic_name: "ab-1", replication_factor: 4 }, 400, "replication_factor 4 is larger than the 3 available brokers", "INVALID_REPLICATION_FACTOR"],
      ["POST", T, { topic_name: "ab-1", replication_factor: 0 }, 400, "replication_factor must be between 1 and 3, got 0", "INVALID_REPLICATION_FACTOR"],
      ["POST", T, { topic_name: "a b" }, 400, "topic_name 'a b' may hold only ASCII letters, digits, '.', '_' and '-'", "INVALID_TOPIC_EXCEPTION"],
      ["POST", T, { topic_name: ".." }, 400, "topic_name cannot be '..'", "INVALID_TOPIC_EXCEPTION"],
      ["POST", T, { topic_name: "ab-1", configs: [{ name: "retention.ms", value: 7 }] }, 400, "configs[0].value must be a string or null"],
      ["POST", T, { topic_name: "ab-1", configs: [{ name: "retention.ms", value: "1", x: 1 }] }, 400, "unknown field 'configs[0].x'; expected name, value"],
      ["POST", T, { topic_name: "ab-1", configs: [{ name: "retention.ms" }] }, 400, "config 'retention.ms' needs a string value", "INVALID_CONFIG"],
      ["POST", T, { topic_name: "ab-1", configs: [{ name: "segment.bytes", value: "1" }] }, 400, "invalid value '1' for config 'segment.bytes': must be between 14 and 2147483647", "INVALID_CONFIG"],
      ["POST", T, { topic_name: "ab-1", validate_only: true, configs: [{ name: "retention.ms", value: "1" }, { name: "retention.ms", value: "2" }] }, 400, "config 'retention.ms' is given twice", "INVALID_CONFIG"],
    ]);
    expect((await call("GET", `${T}/ab-1`)).status).toBe(404);
  });

  it("partitions and configs: refused with a 400 naming the field, and the topic unchanged", async () => {
    await createTopic("ab-2", 2);
    await expectRefused([
      ["PATCH", `${T}/ab-2`, {}, 400, "partitions_count is required"],
      ["PATCH", `${T}/ab-2`, { partitions_count: 2.5 }, 400, "partitions_count must be an integer"],
      ["PATCH", `${T}/ab-2`, { partitions_count: 3, by: 1 }, 400, "unknown field 'by'; expected partitions_count"],
      ["PATCH", `${T}/ab-2`, { partitions_count: 5000 }, 400, "partitions_count must be between 1 and 1024, got 5000", "INVALID_PARTITIONS"],
      ["PUT", `${T}/ab-2/configs/retention.ms`, {}, 400, "value is required", "INVALID_CONFIG"],
      ["PUT", `${T}/ab-2/configs/retention.ms`, { value: 1 }, 400, "value must be a string or null", "INVALID_CONFIG"],
      ["PUT", `${T}/ab-2/configs/retention.ms`, { value: "-2" }, 400, "invalid value '-2' for config 'retention.ms': must be between -1 and 9007199254740991", "INVALID_CONFIG"],
      ["PUT", `${T}/ab-2/configs/retention.mss`, { value: "1" }, 400, "unknown topic config 'retention.mss'", "INVALID_CONFIG"],
      ["POST", `${T}/ab-2/configs:alter`, { data: [] }, 400, "data must be a non-empty array of {name, value}", "INVALID_CONFIG"],
      ["POST", `${T}/ab-2/configs:alter`, { data: [{ name: "retention.ms", value: "1", operation: "ADD" }] }, 400, "data[0].operation must be SET or DELETE", "INVALID_CONFIG"],
      ["POST", `${T}/ab-2/configs:alter`, { data: [{ name: "retention.ms", value: "1" }], validate_only: 1 }, 400, "validate_only must be true or false, got 1", "INVALID_CONFIG"],
      ["POST", `${T}/ab-2/configs:alter`, { data: [{ name: "retention.ms", value: "1" }, { name: "no.such", operation: "DELETE" }] }, 400, "unknown topic config 'no.such'", "INVALID_CONFIG"],
    ]);
    const topic = await call("GET", `${T}/ab-2`);
    expect(topic.body.partitions_count).toBe(2);
    expect((await call("GET", `${T}/ab-2/configs`)).body.data.every((c: { is_default: boolean }) => c.is_default)).toBe(true);
  });
});

// Key and ACL bodies: test/access/admin-bodies.test.ts (served open, keys and ACLs are refused before any body is read).
describe("quota bodies", () => {
  it("refuse a bad field with a 400 naming it, and make nothing", async () => {
    await expectRefused([
      ["PUT", `${V3}/quotas/User:ab`, { request_rate: "5" }, 400, "request_rate must be a positive integer (per second)"],
      ["PUT", `${V3}/quotas/User:ab`, { request_rate: 0 }, 400, "request_rate must be a positive integer (per second)"],
      ["PUT", `${V3}/quotas/User:ab`, { request_rate: 5, burst: 1 }, 400, "unknown field 'burst'; expected producer_byte_rate, consumer_byte_rate, request_rate"],
      ["PUT", `${V3}/quotas/User:ab`, { request_rate: null }, 400, "a quota sets at least one of producer_byte_rate, consumer_byte_rate, request_rate"],
      ["PUT", `${V3}/quotas/ab`, { request_rate: 5 }, 400, "principal must look like User:alice (letters, digits, '.', '_', '@', '-'), got 'ab'"],
    ]);
    expect((await call("GET", `${V3}/quotas`)).body.data).toEqual([]);
  });

  it("take a body with fields they do not name as absent rates", async () => {
    const quota = await call("PUT", `${V3}/quotas/User:ab`, { consumer_byte_rate: 1_000 });
    expect(quota.body).toEqual({ principal: "User:ab", producer_byte_rate: null, consumer_byte_rate: 1_000, request_rate: null });
    expect((await call("DELETE", `${V3}/quotas/User:ab`)).status).toBe(204);
  });
});

describe("fault, offsets:reset and alert bodies", () => {
  it("refuse a bad field with a 400 naming it", async () => {
    await createTopic("ab-3");
    const reset = `${V3}/consumer-groups/ab-3-g/offsets:reset`;
    await expectRefused([
      ["POST", `${V3}/brokers/0/faults`, {}, 400, "mode is required"],
      ["POST", `${V3}/brokers/0/faults`, { mode: "slow", latency_ms: 60_001 }, 400, "latency_ms must be an integer from 0 to 60000"],
      ["POST", reset, { to: "earliest" }, 400, "topic is required"],
      ["POST", reset, { topic: "ab-3", partitions: [0, -1], to: "earliest" }, 400, "partitions[1] must be a partition number (0 or more)"],
      ["POST", reset, { topic: "ab-3", to: "first" }, 400, 'to must be "earliest", "latest", "offset" (with offset) or "timestamp" (with timestamp)'],
      ["POST", reset, { topic: "ab-3", to: "offset", offset: "1" }, 400, "offset must be an integer"],
      ["POST", reset, { topic: "ab-3", to: "timestamp", timestamp: "2026-02-30T00:00:00Z" }, 400, "timestamp '2026-02-30T00:00:00Z' is neither epoch milliseconds nor an RFC 3339 date-time"],
    ]);
    const rule = { name: "ab-rule", kind: "storage_bytes", threshold: 1, for_ms: 0, webhook_url: "https://hooks.example/x" };
    await expectRefused([
      ["POST", `${V3}/alerts`, { ...rule, colour: "red" }, 400, "unknown field 'colour'; expected name, kind, target, threshold, for_ms, webhook_url"],
      ["POST", `${V3}/alerts`, { ...rule, for_ms: "0" }, 400, "for_ms must be an integer from 0 to 86400000"],
      ["POST", `${V3}/alerts`, { ...rule, threshold: -1 }, 400, "threshold must be a number, 0 or more"],
      ["POST", `${V3}/alerts`, { ...rule, webhook_url: undefined }, 400, "webhook_url is required"],
      ["POST", `${V3}/alerts`, { ...rule, target: "a b" }, 400, "target must be a topic name (or absent, for the whole cluster): 'a b' may hold only ASCII letters, digits, '.', '_' and '-'"],
      ["POST", `${V3}/alerts`, { ...rule, kind: "consumer_lag" }, 400, "a consumer_lag rule needs target: the consumer group's id"],
    ]);
    expect((await call("GET", `${V3}/alerts`)).body.data).toEqual([]);
  });
});

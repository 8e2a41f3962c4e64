// What consumers send, checked by their valibot schemas: the v2 instance
// bodies and a WebSocket subscriber's frames. For each, a wrong type, a
// value out of range and a missing field get the endpoint's error code
// and a message naming the field and what was expected, and change
// nothing; fields a body does not name are ignored, as Confluent's are.
import { afterAll, describe, expect, it } from "vitest";
import { CommittedBody } from "../../src/consumer/consumer-bodies";
import { checkInput } from "../../src/input";
import { call, createTopic } from "../helpers";
import { consumer, fill, stopPumps, subscriber } from "./helpers";

/** Kafka's name for each code these bodies are refused with: a bad consumer setting is INVALID_CONFIG, any other bad body INVALID_REQUEST. */
const NAMES: Record<number, string> = { 400: "INVALID_REQUEST", 42204: "INVALID_CONFIG", 42206: "INVALID_REQUEST" };

afterAll(() => stopPumps("cb-"), 20_000);

type Case = [method: string, path: string, body: unknown, errorCode: number, message: string];

async function expectRefused(cases: Case[]) {
  for (const [method, path, body, errorCode, message] of cases) {
    const res = await call(method, path, body);
    expect([res.status, res.body], `${method} ${path} ${JSON.stringify(body)}`).toEqual([Math.floor(errorCode >= 1000 ? errorCode / 100 : errorCode), { error_code: errorCode, message, error_name: NAMES[errorCode] }]);
  }
}

const CONFIG = "invalid consumer configuration: ";

describe("a consumer instance's bodies", () => {
  it("creation: an invalid setting is a 42204 naming it; unknown settings are ignored", async () => {
    await expectRefused([
      ["POST", "/consumers/cb-g", { format: "AVRO" }, 42204, `${CONFIG}format must be binary, json or string, got 'avro' (Runnel has no schema registry)`],
      ["POST", "/consumers/cb-g", { "session.timeout.ms": 999 }, 42204, `${CONFIG}session.timeout.ms must be an integer from 1000 to 300000, got 999`],
      ["POST", "/consumers/cb-g", { "session.timeout.ms": "1e4" }, 42204, `${CONFIG}session.timeout.ms must be an integer from 1000 to 300000, got "1e4"`],
      ["POST", "/consumers/cb-g", { "consumer.request.timeout.ms": null }, 42204, `${CONFIG}consumer.request.timeout.ms must be an integer from 0 to 30000, got null`],
      ["POST", "/consumers/cb-g", { "auto.commit.enable": "yes" }, 42204, `${CONFIG}auto.commit.enable must be true or false`],
      ["POST", "/consumers/cb-g", { "auto.offset.reset": "none" }, 42204, `${CONFIG}auto.offset.reset must be earliest or latest (or smallest or largest), got 'none'`],
      ["POST", "/consumers/cb-g", { "partition.assignment.strategy": "cooperative-sticky" }, 42204, `${CONFIG}partition.assignment.strategy must be one of range, roundrobin, sticky`],
      ["POST", "/consumers/cb-g", { id: "a/b" }, 42204, `${CONFIG}name must be 1 to 255 letters, digits, '.', '_' or '-'`],
    ]);
    const made = await call("POST", "/consumers/cb-g", { id: "cb-v1", format: "JSON", "auto.offset.reset": "smallest", "auto.commit.enable": false, "session.timeout.ms": "20000", "schema.registry.url": "x" });
    expect([made.status, made.body.instance_id]).toEqual([200, "cb-v1"]);
    const group = await call("GET", "/v3/clusters/runnel-local/consumer-groups/cb-g/consumers");
    expect(group.body.data.map((m: { instance_id: string }) => m.instance_id)).toEqual(["cb-v1"]);
  });

  it("subscribe, assign, commit and seek: a bad body is refused naming the field, and nothing moves", async () => {
    await createTopic("cb-t", 2);
    await fill("cb-t", 2, 3);
    const m = await consumer("cb-g2");
    expect((await call("POST", `${m}/assignments`, { partitions: [{ topic: "cb-t", partition: 0, note: "ignored" }] })).status).toBe(204);
    expect((await call("POST", `${m}/offsets`, { offsets: [{ topic: "cb-t", partition: 0, offset: 0 }] })).status).toBe(200);
    await expectRefused([
      ["POST", `${m}/subscription`, { topics: [] }, 42206, "topics must be a list of 1 to 10000 topic names"],
      ["POST", `${m}/subscription`, { topics: ["cb-t", 7] }, 42206, "topics[1] must be a topic name"],
      ["POST", `${m}/subscription`, { topic_pattern: null }, 42206, "topic_pattern must be a string (a regular expression)"],
      ["POST", `${m}/subscription`, { pattern: "cb-.*" }, 42206, 'subscription needs "topics": [1 to 10000 topic names] or "topic_pattern": a regular expression'],
      ["POST", `${m}/subscription`, { topics: ["cb-t"], topic_pattern: "cb-.*" }, 40903, "subscribe to topics or to a topic_pattern, not both at once"],
      ["POST", `${m}/assignments`, { partitions: [{ topic: "cb-t", partition: "1" }] }, 400, "partitions[0].partition must be a partition number (an integer, 0 or more)"],
      ["POST", `${m}/assignments`, { partition: [{ topic: "cb-t", partition: 1 }] }, 400, "partitions is required"],
      ["POST", `${m}/offsets`, "[]", 400, "the body must be a JSON object (or empty)"],
      ["POST", `${m}/offsets`, { offsets: [{ topic: "cb-t", partition: 0, offset: 2 }, { topic: "cb-t", partition: 0 }] }, 400, "offsets[1].offset is required"],
      ["POST", `${m}/offsets`, { partitions: [{ topic: "cb-t", partition: 0, offset: "2" }] }, 400, "offsets[0].offset must be an integer"],
      ["POST", `${m}/positions`, {}, 400, "positions need offsets: [{topic, partition, offset}] or timestamps"],
      ["POST", `${m}/positions`, { timestamps: [null] }, 400, "timestamps[0] must be a JSON object, got null"],
      ["POST", `${m}/positions`, { timestamps: [{ topic: "cb-t", partition: 0, timestamp: -1 }] }, 400, "timestamp must be an integer of epoch milliseconds from 0 to 253402300799999 (the end of year 9999), got -1"],
      ["POST", `${m}/positions`, { offsets: [{ topic: "cb-t", partition: 0, offset: 1.5 }] }, 400, "offsets[0].offset must be an integer"],
      ["POST", `${m}/positions/end`, { partitions: [] }, 400, "partitions must be a non-empty list of {topic, partition}"],
    ]);
    expect((await call("GET", `${m}/subscription`)).body).toEqual({ topics: [] });
    const committed = await call("GET", `${m}/offsets`);
    expect(committed.body.offsets).toEqual([{ topic: "cb-t", partition: 0, offset: 1, metadata: "" }]);
    // Where the instance reads next is still the committed offset: no refused seek moved it.
    const records = await call("GET", `${m}/records?timeout=0`, undefined, { accept: "application/vnd.kafka.json.v2+json" });
    expect(records.body.map((r: { offset: number }) => r.offset)).toEqual([1, 2]);
  });

  it("a committed-offsets body names its partitions, or none (every partition owned)", () => {
    expect(checkInput(CommittedBody, {})).toEqual({ ok: true, value: {} });
    expect(checkInput(CommittedBody, { partitions: [{ topic: "t", partition: 1 }] })).toEqual({ ok: true, value: { partitions: [{ topic: "t", partition: 1 }] } });
    expect(checkInput(CommittedBody, { partitions: "all" })).toEqual({ ok: false, message: "partitions must be a non-empty list of {topic, partition}" });
  });
});

describe("a WebSocket subscriber's frames", () => {
  it("a bad permit, commit or seek gets an error frame naming the field; the socket stays usable and nothing moves", async () => {
    await createTopic("cb-ws", 1);
    await fill("cb-ws", 1, 2);
    const s = await subscriber("cb-ws-g", "topics=cb-ws&auto_offset_reset=earliest&permits=0&format=json");
    await s.until("the assignment", () => s.lastAssignment() !== undefined);
    const bad = [
      [{ type: "dance" }, "type must be permit, commit, seek, ping or pong, got \"dance\""],
      [{ records: 1 }, "type must be permit, commit, seek, ping or pong, got undefined"],
      [{ type: "permit", records: 0 }, "records must be a positive integer"],
      [{ type: "permit", records: "2" }, "records must be a positive integer"],
      [{ type: "commit", id: "c", offsets: [{ topic: "cb-ws", partition: 0 }] }, "offsets[0].offset is required"],
      [{ type: "commit", id: "c" }, "offsets is required"],
      [{ type: "seek", topic: "cb-ws", partition: 0, offset: -1 }, "offset must be a non-negative integer"],
      [{ type: "seek", topic: "cb-ws", partition: 0 }, "seek needs an offset or a timestamp"],
      [{ type: "seek", topic: "cb-ws", partition: 0, timestamp: "soon" }, "timestamp 'soon' is neither epoch milliseconds nor an RFC 3339 date-time"],
      [{ type: "seek", partition: 0, offset: 1 }, "topic is required"],
    ] as const;
    for (const [frame] of bad) s.ws.send(JSON.stringify(frame));
    const errors = () => s.frames.filter((f) => f.type === "error");
    await s.until("an error frame each", () => errors().length === bad.length);
    expect(errors()).toEqual(bad.map(([, message]) => ({ type: "error", error_code: 400, message, error_name: "INVALID_REQUEST" })));
    s.ws.send(JSON.stringify({ type: "permit", records: 2, extra: "ignored" }));
    await s.until("both records, from the start", () => s.records().length === 2);
    expect(s.records().map((r) => r.offset)).toEqual([0, 1]);
    s.ws.close();
  });
});

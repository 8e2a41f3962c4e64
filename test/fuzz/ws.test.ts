// Property-based fuzzing of the WebSocket consumer protocol: hostile
// upgrade requests, then hostile frames — binary, oversized, not JSON,
// nested too deep, unknown types, bad permits and commits, prototype keys —
// sent at once, before the client has read its first assignment. Each bad
// frame gets an error frame (or the socket a 4xxx close) within a bounded
// time; the log does not move; every object still answers afterwards.
import { env, runInDurableObject, SELF } from "cloudflare:test";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { limits } from "../../src/limits";
import { call, createTopic, V3 } from "../helpers";
import { hostileString, hostileValue, PROTO_KEYS, sometimes } from "./arbitraries";
import { segment } from "./routes";
import { expectAlive, marks, WITNESS, within } from "./witness";

const SEED = 8_082_026;
const RUNS = 60;
const TOPIC = "fz-ws";
const ANSWER_MS_MAX = 5_000;
const groups: string[] = [];

beforeAll(async () => {
  await createTopic(WITNESS, 2);
  await createTopic(TOPIC, 2);
  const res = await call("POST", `/topics/${TOPIC}`, { records: Array.from({ length: 20 }, (_, i) => ({ value: i, partition: i % 2 })) });
  expect(res.status).toBe(200);
});

// Deleting the topic wakes parked deliveries; then every group's pumps stop before the environment closes.
afterAll(async () => {
  vi.restoreAllMocks();
  await call("DELETE", `${V3}/topics/${TOPIC}`);
  for (const g of groups) {
    const stub = env.GROUPS.get(env.GROUPS.idFromName(g)) as unknown as DurableObjectStub;
    const deadline = Date.now() + 5_000;
    const idle = () => runInDurableObject<DurableObject, boolean>(stub, (instance) => (instance as unknown as { delivery: { idle(): boolean } }).delivery.idle());
    while (!(await idle()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }
}, 30_000);

/** A frame, as a spec; `answer` says whether the protocol owes an error frame for it. */
type FrameSpec = { frame: string | number[]; answer: "error" | "none" | "any" };

const json = (v: unknown) => JSON.stringify(v) ?? "null";

/** Frames that must each get an error frame back. */
const badFrame: fc.Arbitrary<FrameSpec> = fc.oneof(
  fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 32 }).map((bytes) => ({ frame: bytes, answer: "error" as const })), // binary
  fc.constantFrom(limits.wsClientFrameBytesMax + 1, 200_000).map((n) => ({ frame: `{"type":"permit","records":1,"pad":"${"x".repeat(n)}"}`, answer: "error" as const })),
  fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom("", "{", "null", "[]", "1", '"permit"', "{}{}", "\u0000")).filter((t) => !/^\s*\{/.test(t) || t === "{" || t === "{}{}").map((t) => ({ frame: t, answer: "error" as const })),
  fc.constantFrom(30_000, 1_000).map((depth) => ({ frame: `{"type":"permit","records":${"[".repeat(depth)}${"]".repeat(depth)}}`, answer: "error" as const })),
  fc.oneof(hostileString, fc.constantFrom(...PROTO_KEYS)).filter((t) => !["permit", "commit", "seek", "ping", "pong"].includes(t)).map((type) => ({ frame: json({ type }), answer: "error" as const })),
  fc.constantFrom(0, -1, 1.5, "1", null, 1e300, limits.wsPermitsMax + 1, Number.MAX_SAFE_INTEGER).map((records) => ({ frame: json({ type: "permit", records }), answer: "error" as const })),
  hostileValue.filter((v) => !Array.isArray(v) || v.length > 0).map((offsets) => ({ frame: json({ type: "commit", id: "c", offsets }), answer: "error" as const })),
  fc.constantFrom(...PROTO_KEYS).map((key) => ({ frame: `{"type":"permit","${key}":{"records":5}}`, answer: "error" as const })),
);

/** Frames the protocol may answer or not (valid ones, and seeks whose checks belong to the group's code). */
const otherFrame: fc.Arbitrary<FrameSpec> = fc.oneof(
  fc.constantFrom({ frame: json({ type: "permit", records: 3 }), answer: "none" as const }, { frame: json({ type: "ping" }), answer: "none" as const }, { frame: "ping", answer: "any" as const }),
  fc.record({ partition: fc.constantFrom(0, 1, 7, -1), at: fc.oneof(hostileValue, fc.nat({ max: 30 })), by: fc.constantFrom("offset", "timestamp") }).map(({ partition, at, by }) => ({ frame: json({ type: "seek", topic: TOPIC, partition, [by]: at }), answer: "any" as const })),
  fc.record({ partition: fc.constantFrom(0, 1, 9), offset: fc.oneof(fc.nat({ max: 30 }), fc.constantFrom(-1, 2 ** 60)) }).map(({ partition, offset }) => ({ frame: json({ type: "commit", id: 1, offsets: [{ topic: TOPIC, partition, offset }] }), answer: "any" as const })),
);

const subscription = fc.record({
  group: sometimes(fc.oneof(hostileString, fc.constantFrom("raw:%zz", "raw:%E0%A4%A", "raw:%ED%A0%80", "raw:a%2Fb")), 8),
  topics: sometimes(fc.oneof(hostileString, fc.constantFrom(`${TOPIC},${TOPIC}`, `${TOPIC},nowhere`, ",,", "")), 6),
  permits: sometimes(fc.constantFrom("-1", "0", "1e3", "99999999999", "abc", String(limits.wsPermitsMax + 1), "5"), 6),
  format: sometimes(fc.constantFrom("avro", "", "JSON", "__proto__", "json", "string"), 8),
  reset: sometimes(fc.constantFrom("earliest", "latest", "none", "__proto__"), 4),
  session: sometimes(fc.constantFrom("-1", "0", "999", "300001", "1e4", "x", "5000"), 8),
  protocol: fc.constantFrom("runnel.v1", "runnel.v1", "runnel.v1, other", undefined),
  frames: fc.array(fc.oneof({ weight: 3, arbitrary: badFrame }, { weight: 1, arbitrary: otherFrame }), { minLength: 1, maxLength: 8 }),
});

type Spec = typeof subscription extends fc.Arbitrary<infer T> ? T : never;

/** Opens a subscriber as the spec says, sends its frames, and checks what comes back. */
async function exercise(spec: Spec, run: number): Promise<void> {
  const group = spec.group ?? `fz-ws-g${run}`;
  const q = new URLSearchParams({ topics: spec.topics ?? TOPIC, auto_offset_reset: spec.reset ?? "earliest" });
  if (spec.permits !== null) q.set("permits", spec.permits);
  if (spec.format !== null) q.set("format", spec.format);
  if (spec.session !== null) q.set("session_timeout_ms", spec.session);
  const path = `/ws/v1/consumer/${segment(group)}?${q}`;
  const headers: Record<string, string> = { upgrade: "websocket" };
  if (spec.protocol !== undefined) headers["sec-websocket-protocol"] = spec.protocol;
  const res = await within(ANSWER_MS_MAX, `upgrade ${path}`, SELF.fetch(`http://runnel.test${path}`, { headers }));
  if (res.status !== 101) {
    expect(res.status, path).toBeGreaterThanOrEqual(400);
    expect(res.status, path).toBeLessThan(500);
    const { error_name: name, ...error } = (await res.json()) as Record<string, unknown>;
    expect(error, path).toEqual({ error_code: expect.any(Number), message: expect.any(String) });
    if (name !== undefined) expect(name, path).toMatch(/^[A-Z][A-Z_]+$/); // Kafka's name, when the error has one
    return;
  }
  groups.push(group.replace(/[\ud800-\udfff]/g, "\ufffd"));
  const ws = res.webSocket!;
  const frames: Record<string, unknown>[] = [];
  let closed: { code: number; reason: string } | null = null;
  ws.addEventListener("message", (e) => {
    if (e.data !== "pong") frames.push(JSON.parse(e.data as string));
  });
  ws.addEventListener("close", (e) => {
    closed = { code: e.code, reason: e.reason };
  });
  ws.accept();
  // Sent at once, before the first assignment has been read.
  for (const f of spec.frames) ws.send(typeof f.frame === "string" ? f.frame : new Uint8Array(f.frame));
  const owed = spec.frames.filter((f) => f.answer === "error").length;
  const errors = () => frames.filter((f) => f.type === "error");
  const deadline = Date.now() + ANSWER_MS_MAX;
  while (errors().length < owed && closed === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  const end = closed as { code: number; reason: string } | null;
  const state = `frames ${JSON.stringify(frames).slice(0, 600)}; closed ${JSON.stringify(end)}`;
  if (end !== null) expect(end.code, state).toBeGreaterThanOrEqual(4000);
  else expect(errors().length, `each bad frame gets an error frame; ${state}`).toBeGreaterThanOrEqual(owed);
  for (const e of errors()) {
    const { error_name: name, ...frame } = e;
    expect(frame, state).toEqual({ type: "error", error_code: expect.any(Number), message: expect.any(String), ...("id" in e ? { id: e.id } : {}) });
    if (name !== undefined) expect(name, state).toMatch(/^[A-Z][A-Z_]+$/); // Kafka's name, when the error has one
    expect(e.error_code as number, state).toBeLessThan(50_000); // a 5xx error frame is a bug
  }
  if (end === null) ws.close(1000, "done");
}

describe("the WebSocket protocol under hostile frames (property-based, fixed seed)", () => {
  it(`answers ${RUNS} generated subscriptions: each bad frame an error frame or a 4xxx close, nothing appended`, async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const before = `${await marks()} | ${await marks(TOPIC)}`;
    let run = 0;
    await fc.assert(
      fc.asyncProperty(subscription, async (spec) => {
        logged.mockClear();
        await exercise(spec, run++);
        expect(logged, String(logged.mock.calls[0]?.[0]).slice(0, 500)).not.toHaveBeenCalled();
        expect(`${await marks()} | ${await marks(TOPIC)}`).toBe(before);
      }),
      { seed: SEED, numRuns: RUNS, interruptAfterTimeLimit: 60_000, markInterruptAsFailure: false },
    );
  }, 90_000);

  it("still delivers to a well-behaved subscriber, and every object still answers", async () => {
    const res = await SELF.fetch(`http://runnel.test/ws/v1/consumer/fz-ws-after?topics=${TOPIC}&auto_offset_reset=earliest&permits=100`, {
      headers: { upgrade: "websocket", "sec-websocket-protocol": "runnel.v1" },
    });
    expect(res.status).toBe(101);
    groups.push("fz-ws-after");
    const ws = res.webSocket!;
    let records = 0;
    ws.addEventListener("message", (e) => {
      const f = JSON.parse(e.data as string);
      if (f.type === "records") records += f.records.length;
    });
    ws.accept();
    const deadline = Date.now() + ANSWER_MS_MAX;
    while (records < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(records).toBe(20);
    ws.close(1000, "done");
    await expectAlive();
  });
});

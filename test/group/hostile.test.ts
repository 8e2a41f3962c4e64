// Hostile input in the group code (issue 8, part 5): patterns that make a
// backtracking engine run for ever, upgrades offering unknown
// subprotocols, and hundreds of subscribers joining one group at once.
import { SELF } from "cloudflare:test";
import { afterAll, describe, expect, it } from "vitest";
import { patternMatches, patternProblem } from "../../src/group/topic-pattern";
import { limits } from "../../src/limits";
import { call, createTopic, V3 } from "../helpers";
import { assignment, consumer, stopPumps, subscriber, waitFor, type Frame } from "./helpers";

// No delivery pump may still run when the environment closes.
afterAll(() => stopPumps("gh-"), 20_000);

describe("subscription patterns", () => {
  it("are matched in linear time: (a+)+$ against a 31-character name answers at once (it froze a backtracking engine)", async () => {
    const as = "a".repeat(30);
    await createTopic(as);
    await createTopic(`${as}b`);
    // Whole-name matching, in RE2: linear in the name whatever the pattern.
    expect(patternMatches("(a+)+$", `${as}b`)).toBe(false);
    expect(patternMatches("(a+)+$", as)).toBe(true);
    const m = await consumer("gh-redos-g");
    expect((await call("POST", `${m}/subscription`, { topic_pattern: "(a+)+$" })).status).toBe(204);
    expect(await assignment(m)).toEqual([`${as}-0`]);
    expect((await call("GET", `${m}/subscription`)).body).toEqual({ topics: [as], topic_pattern: "(a+)+$" });
    expect((await call("GET", "/v3/clusters")).status).toBe(200);
  });

  it("that RE2 cannot match (backreferences, lookaround) or that are too long are 422, naming why, and change nothing", async () => {
    const m = await consumer("gh-badpat-g");
    for (const [pattern, why] of [
      ["(a)\\1", /backreferences.*invalid escape sequence/],
      ["orders(?=-eu)", /lookaround.*\(\?=/],
      ["(?<=x)orders", /RE2 syntax/],
      ["a".repeat(limits.topicPatternLengthMax + 1), new RegExp(`1 to ${limits.topicPatternLengthMax} characters`)],
    ] as const) {
      const res = await call("POST", `${m}/subscription`, { topic_pattern: pattern });
      expect(res.status, pattern.slice(0, 20)).toBe(422);
      expect(res.body).toMatchObject({ error_code: 42206, message: expect.stringMatching(why) });
    }
    expect((await call("GET", `${m}/subscription`)).body).toEqual({ topics: [] });
    expect(patternProblem("a".repeat(limits.topicPatternLengthMax))).toBeNull();
    // A pattern stored before patterns were checked, which RE2 cannot compile, matches nothing.
    expect(patternMatches("(a)\\1", "aa")).toBe(false);
  });
});

describe("WebSocket upgrades", () => {
  const upgrade = (group: string, protocols?: string) =>
    SELF.fetch(`http://runnel.test/ws/v1/consumer/${group}?topics=gh-proto`, {
      headers: { upgrade: "websocket", ...(protocols === undefined ? {} : { "sec-websocket-protocol": protocols }) },
    });

  it("offering only unknown subprotocols are refused with a 400 JSON error; offering none, or runnel.v1 among others, are served", async () => {
    await createTopic("gh-proto");
    const refused = await upgrade("gh-proto-g", "chat, superchat");
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ error_code: 400, error_name: "INVALID_REQUEST", message: expect.stringContaining("runnel.v1") });
    expect((await call("GET", `${V3}/consumer-groups/gh-proto-g`)).body.error_code).toBe(40405); // nobody joined
    for (const [offered, answered] of [[undefined, null], ["chat, runnel.v1", "runnel.v1"]] as const) {
      const res = await upgrade("gh-proto-g", offered);
      expect(res.status).toBe(101);
      expect(res.headers.get("sec-websocket-protocol")).toBe(answered);
      res.webSocket!.accept();
      res.webSocket!.close(1000, "done");
    }
  });
});

describe("many subscribers joining one group at once", () => {
  it("make few generations, each gets its assignment, and other requests are answered meanwhile; leaving together too", async () => {
    const count = 500;
    await createTopic("gh-burst", 4);
    const joining = Promise.all(Array.from({ length: count }, () => subscriber("gh-burst-g", "topics=gh-burst&permits=0")));
    // An unrelated request is not queued behind the joins: it is answered before they are all in.
    const other = call("GET", "/v3/clusters").then((r) => ({ first: "clusters", status: r.status }));
    const first = await Promise.race([other, joining.then(() => ({ first: "joins", status: 0 }))]);
    expect(first).toEqual({ first: "clusters", status: 200 });
    const sockets = await joining;
    const group = await waitFor("the group to settle", async () => {
      const g = (await call("GET", `${V3}/consumer-groups/gh-burst-g`)).body;
      return g.state === "STABLE" && g.consumers.length === count ? g : null;
    });
    // One generation per join would be 500; joins arriving together share one (each waits groupRebalanceDelayMs for more).
    expect(group.generation).toBeLessThanOrEqual(count / 10);
    for (const s of sockets) await s.until("the final assignment", () => s.lastAssignment()?.generation === group.generation);
    const owned = sockets.flatMap((s) => s.lastAssignment()!.partitions.map((p: Frame) => p.partition as number));
    expect(owned.sort()).toEqual([0, 1, 2, 3]);
    for (const s of sockets) s.ws.close(1000, "done");
    const left = await waitFor(
      "every subscriber to leave",
      async () => {
        const g = (await call("GET", `${V3}/consumer-groups/gh-burst-g`)).body;
        return g.consumers.length === 0 && g.state === "EMPTY" ? g : null;
      },
      30_000,
    );
    // Leaving together coalesces the same way.
    expect(left.generation - group.generation).toBeLessThanOrEqual(count / 10);
  }, 60_000);
});

describe("timestamps and offsets in group requests", () => {
  const BAD = [-1, 1.5, 8_640_000_000_000_001, 1e300, "2026-02-30T00:00:00Z", "yesterday"];

  it("refuse a seek of a consumer instance to a timestamp that is not one, and move nothing", async () => {
    await createTopic("gh-ts-seek");
    const m = await consumer("gh-ts-seek-g");
    expect((await call("POST", `${m}/assignments`, { partitions: [{ topic: "gh-ts-seek", partition: 0 }] })).status).toBe(204);
    for (const timestamp of BAD) {
      const res = await call("POST", `${m}/positions`, { timestamps: [{ topic: "gh-ts-seek", partition: 0, timestamp }] });
      expect(res.status, String(timestamp)).toBe(400);
      expect(res.body.message).toMatch(/timestamp/);
    }
  });

  it("refuse an offsets reset to a timestamp that is not one, and keep the committed offsets", async () => {
    await createTopic("gh-ts-reset");
    await call("POST", "/topics/gh-ts-reset", { records: [{ value: 1 }, { value: 2 }] }, { "content-type": "application/vnd.kafka.json.v2+json" });
    const reset = (body: Record<string, unknown>) => call("POST", `${V3}/consumer-groups/gh-ts-reset-g/offsets:reset`, { topic: "gh-ts-reset", ...body });
    const m = await consumer("gh-ts-reset-g");
    expect((await call("DELETE", m)).status).toBe(204);
    expect((await reset({ to: "offset", offset: 1 })).status).toBe(200);
    for (const timestamp of BAD) expect((await reset({ to: "timestamp", timestamp })).status, String(timestamp)).toBe(400);
    const lag = (await call("GET", `${V3}/consumer-groups/gh-ts-reset-g/lags`)).body.data[0];
    expect(lag.current_offset).toBe(1);
  });

  it("answer a WebSocket seek to a bad offset or timestamp with an error frame, and keep the socket open", async () => {
    await createTopic("gh-ts-ws");
    const s = await subscriber("gh-ts-ws-g", "topics=gh-ts-ws&permits=10");
    await s.until("the assignment", () => s.lastAssignment() !== undefined);
    const frames = [{ offset: 0.5 }, { offset: -3 }, { timestamp: -1 }, { timestamp: 1.5 }, { timestamp: 1e300 }, { timestamp: "2026-02-30T00:00:00Z" }];
    for (const f of frames) s.ws.send(JSON.stringify({ type: "seek", topic: "gh-ts-ws", partition: 0, ...f }));
    await s.until("an error frame per bad seek", () => s.frames.filter((f) => f.type === "error").length === frames.length);
    expect(s.frames.filter((f) => f.type === "error").every((f) => f.error_code === 400)).toBe(true);
    s.ws.send(JSON.stringify({ type: "seek", topic: "gh-ts-ws", partition: 0, offset: 0 }));
    s.ws.send("not json");
    await s.until("the socket still answers", () => s.frames.filter((f) => f.type === "error").length === frames.length + 1);
    s.ws.close(1000);
  });
});

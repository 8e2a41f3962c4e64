import { env, evictDurableObject, runInDurableObject, SELF } from "cloudflare:test";
import { afterAll, describe, expect, it } from "vitest";
import { call, createTopic } from "../helpers";
import { consumer, fill, lags, stopPumps, subscriber, waitFor } from "./helpers";

type Frame = Record<string, any>;

/** Runs `fn` inside group `group`'s coordinator, with the instance untyped (tests reach its insides). */
function inCoordinator<R>(group: string, fn: (instance: any) => R): Promise<R> {
  const stub = env.GROUPS.get(env.GROUPS.idFromName(group)) as unknown as DurableObjectStub;
  return runInDurableObject<DurableObject, R>(stub, (instance) => fn(instance));
}

/** Whether no delivery pump runs in the group (each subscriber waits for credit or records): nothing more is sent until something changes. */
const settled = (group: string) => inCoordinator(group, (instance) => instance.delivery.idle() as boolean);

// Deleting the topics wakes the subscribers' parked reads; once every group's pumps have stopped, no pump calls when the environment closes.
afterAll(() => stopPumps("ws-"), 20_000);

/** Produces `values` (text, sent as bytes) to one partition. */
async function produceText(topic: string, partition: number, values: string[]) {
  const res = await call("POST", `/topics/${topic}/partitions/${partition}`, { records: values.map((v) => ({ value: btoa(v) })) }, { "content-type": "application/vnd.kafka.binary.v2+json" });
  if (res.status !== 200) throw new Error(`produce: ${res.status} ${JSON.stringify(res.body)}`);
}

describe("WebSocket subscribers", () => {
  it("split a group's partitions, and take over a closed socket's partitions within a second", async () => {
    await createTopic("ws-split", 4);
    const a = await subscriber("ws-split-g", "topics=ws-split&auto_offset_reset=earliest&permits=100");
    expect(a.protocol).toBe("runnel.v1");
    await a.until("a's first assignment", () => a.lastAssignment()?.partitions.length === 4);
    const b = await subscriber("ws-split-g", "topics=ws-split&auto_offset_reset=earliest&permits=100");
    await b.until("b's assignment", () => b.lastAssignment()?.partitions.length === 2);
    await a.until("a's shrunk assignment", () => a.lastAssignment()?.partitions.length === 2);
    const both = [...a.lastAssignment()!.partitions, ...b.lastAssignment()!.partitions].map((p: Frame) => p.partition).sort();
    expect(both).toEqual([0, 1, 2, 3]);
    b.ws.close(1000, "bye");
    const closedAt = Date.now();
    await a.until("a to own everything again", () => a.lastAssignment()?.partitions.length === 4, 1000);
    expect(Date.now() - closedAt).toBeLessThan(1000);
    a.ws.close();
  });

  it("answer a client's Close frame with theirs, completing the close handshake", async () => {
    await createTopic("ws-close", 1);
    const s = await subscriber("ws-close-g", "topics=ws-close");
    await s.until("the assignment", () => s.lastAssignment() !== undefined);
    let closed: { code: number; reason: string } | null = null;
    s.ws.addEventListener("close", (e) => {
      closed = { code: e.code, reason: e.reason };
    });
    s.ws.close(4000, "done here");
    // Without the server's Close frame the client stays CLOSING for many seconds, then reports 1006.
    await s.until("the server's Close frame", () => closed !== null, 3000);
    expect(closed).toEqual({ code: 4000, reason: "done here" });
  });

  it("never have more records in flight than permitted", async () => {
    await createTopic("ws-permits", 1);
    await fill("ws-permits", 1, 20);
    const s = await subscriber("ws-permits-g", "topics=ws-permits&auto_offset_reset=earliest&permits=5&format=json");
    await s.until("five records", () => s.records().length === 5);
    await waitFor("delivery to stop for want of credit", () => settled("ws-permits-g"));
    expect(s.records()).toHaveLength(5);
    s.ws.send(JSON.stringify({ type: "permit", records: 3 }));
    await s.until("eight records", () => s.records().length === 8);
    await waitFor("delivery to stop again", () => settled("ws-permits-g"));
    expect(s.records().map((r) => r.value)).toEqual(Array.from({ length: 8 }, (_, i) => `p0-${i}`));
    s.ws.close();
  });

  it("carry on where they stopped after the object hibernates, neither skipping nor repeating", async () => {
    await createTopic("ws-hibernate", 1);
    await fill("ws-hibernate", 1, 6);
    const s = await subscriber("ws-hibernate-g", "topics=ws-hibernate&auto_offset_reset=latest&permits=0&format=json");
    await s.until("assignment", () => s.lastAssignment() !== undefined);
    s.ws.send(JSON.stringify({ type: "seek", topic: "ws-hibernate", partition: 0, offset: 0 }));
    s.ws.send(JSON.stringify({ type: "permit", records: 3 }));
    await s.until("three records", () => s.records().length === 3);
    await waitFor("delivery to stop (its position is stored then)", () => settled("ws-hibernate-g"));
    await evictDurableObject(env.GROUPS.get(env.GROUPS.idFromName("ws-hibernate-g")), { webSockets: "hibernate" });
    s.ws.send(JSON.stringify({ type: "permit", records: 10 }));
    await s.until("the other three", () => s.records().length === 6);
    expect(s.records().map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5]);
    s.ws.close();
  });

  it("hold no read open while idle, and get new records within a second of their arrival", async () => {
    await createTopic("ws-idle", 1);
    const s = await subscriber("ws-idle-g", "topics=ws-idle&auto_offset_reset=earliest&permits=10&format=json");
    await s.until("assignment", () => s.lastAssignment() !== undefined);
    const topicId = (await call("GET", "/v3/clusters/runnel-local/topics/ws-idle")).body.topic_id;
    const leader = env.PARTITIONS.get(env.PARTITIONS.idFromName(`${topicId}/0/0`));
    const watching = () => runInDurableObject(leader, (instance) => (instance as unknown as { watchers: Set<string> }).watchers.has("ws-idle-g"));
    await waitFor("a watch on the partition", watching, 3000);
    expect(await settled("ws-idle-g")).toBe(true);
    const sentAt = Date.now();
    await fill("ws-idle", 1, 1);
    await s.until("the record", () => s.records().length === 1, 1000);
    expect(Date.now() - sentAt).toBeLessThan(1000);
    s.ws.close();
  });

  it("ack commits, which a later member of the group starts from", async () => {
    await createTopic("ws-commit", 1);
    await fill("ws-commit", 1, 6);
    const s = await subscriber("ws-commit-g", "topics=ws-commit&auto_offset_reset=earliest&permits=6&format=json");
    await s.until("six records", () => s.records().length === 6);
    s.ws.send(JSON.stringify({ type: "commit", id: "c1", offsets: [{ topic: "ws-commit", partition: 0, offset: 4 }] }));
    await s.until("the ack", () => s.frames.some((f) => f.type === "ack" && f.id === "c1"));
    s.ws.close();
    await waitFor("the socket's member to leave", async () => (await call("GET", "/v3/clusters/runnel-local/consumer-groups/ws-commit-g")).body.consumers.length === 0);
    const next = await subscriber("ws-commit-g", "topics=ws-commit&auto_offset_reset=earliest&permits=10&format=json");
    await next.until("the rest", () => next.records().length === 2);
    expect(next.records().map((r) => r.offset)).toEqual([4, 5]);
    next.ws.close();
  });

  it("answer malformed frames and refused commits with error frames, and stay usable", async () => {
    await createTopic("ws-errors", 2);
    await fill("ws-errors", 1, 2);
    const s = await subscriber("ws-errors-g", "topics=ws-errors&auto_offset_reset=earliest&permits=0&format=json");
    await s.until("assignment", () => s.lastAssignment() !== undefined);
    s.ws.send("not json");
    s.ws.send(JSON.stringify({ type: "dance" }));
    s.ws.send(JSON.stringify({ type: "permit", records: -1 }));
    s.ws.send(JSON.stringify({ type: "commit", id: "negative", offsets: [{ topic: "ws-errors", partition: 0, offset: -1 }] }));
    // Past the high watermark is stored, as Kafka's OffsetCommit stores it.
    s.ws.send(JSON.stringify({ type: "commit", id: "past", offsets: [{ topic: "ws-errors", partition: 0, offset: 99 }] }));
    await s.until("four error frames", () => s.frames.filter((f) => f.type === "error").length === 4);
    const errors = s.frames.filter((f) => f.type === "error");
    expect(errors.map((e) => e.error_code)).toEqual([400, 400, 400, 41601]);
    await s.until("the commit past the high watermark acked", () => s.frames.some((f) => f.type === "ack" && f.id === "past"));
    s.ws.send(JSON.stringify({ type: "permit", records: 2 }));
    await s.until("records after the errors", () => s.records().length === 2);
    s.ws.close();
  });

  it("drop a silent subscriber after its session timeout, but keep one that pings", async () => {
    await createTopic("ws-timeout", 2);
    const silent = await subscriber("ws-timeout-g", "topics=ws-timeout&session_timeout_ms=1000");
    const pinging = await subscriber("ws-timeout-g", "topics=ws-timeout&session_timeout_ms=1000");
    let closedWith = 0;
    let pingingClosedWith = 0;
    silent.ws.addEventListener("close", (e) => {
      closedWith = e.code;
    });
    pinging.ws.addEventListener("close", (e) => {
      pingingClosedWith = e.code;
    });
    await pinging.until("a split", () => pinging.lastAssignment()?.partitions.length === 1);
    const timer = setInterval(() => pinging.ws.send("ping"), 200); // answered by the runtime: the object need not wake
    try {
      await silent.until("the silent socket to be closed", () => closedWith !== 0, 6000);
      expect(closedWith).toBe(4408);
      await pinging.until("the pinging one to own both partitions", () => pinging.lastAssignment()?.partitions.length === 2, 3000);
      expect(pingingClosedWith).toBe(0);
    } finally {
      clearInterval(timer);
      pinging.ws.close();
    }
  });

  it("get one error frame for a record their json format cannot show; that partition waits there until a seek while the others flow", async () => {
    await createTopic("ws-notjson", 2);
    await produceText("ws-notjson", 0, ['{"a":0}', "plain text", '{"a":2}']);
    await produceText("ws-notjson", 1, ['{"b":0}', '{"b":1}']);
    const s = await subscriber("ws-notjson-g", "topics=ws-notjson&auto_offset_reset=earliest&permits=100&format=json");
    const of = (p: number) => s.records().filter((r) => r.partition === p).map((r) => r.offset);
    const errors = () => s.frames.filter((f) => f.type === "error");
    await s.until("the records before it, the other partition, and an error frame", () => of(0).length === 1 && of(1).length === 2 && errors().length === 1);
    expect(errors()[0]).toEqual({
      type: "error",
      error_code: 42206,
      message: expect.stringMatching(/offset 1 of topic 'ws-notjson' partition 0 is not JSON.*seek past it.*format=binary/),
    });
    await produceText("ws-notjson", 0, ['{"a":3}']);
    await produceText("ws-notjson", 1, ['{"b":2}']);
    await s.until("the other partition's new record", () => of(1).length === 3);
    await waitFor("delivery to settle", () => settled("ws-notjson-g"));
    expect(of(0)).toEqual([0]);
    expect(errors()).toHaveLength(1);
    s.ws.send(JSON.stringify({ type: "seek", topic: "ws-notjson", partition: 0, offset: 2 }));
    await s.until("the records past it", () => of(0).length === 3);
    expect(of(0)).toEqual([0, 2, 3]);
    expect(s.records().filter((r) => r.partition === 0).map((r) => r.value)).toEqual([{ a: 0 }, { a: 2 }, { a: 3 }]);
    s.ws.close();
  });

  it("start again from auto_offset_reset when their topic is deleted and created again", async () => {
    await createTopic("ws-again", 1);
    await fill("ws-again", 1, 5);
    const s = await subscriber("ws-again-g", "topics=ws-again&auto_offset_reset=earliest&permits=100&format=json");
    await s.until("five records", () => s.records().length === 5);
    s.ws.send(JSON.stringify({ type: "commit", id: "c", offsets: [{ topic: "ws-again", partition: 0, offset: 5 }] }));
    await s.until("the ack", () => s.frames.some((f) => f.type === "ack"));
    expect((await call("DELETE", "/v3/clusters/runnel-local/topics/ws-again")).status).toBe(204);
    await createTopic("ws-again", 1);
    await fill("ws-again", 1, 8);
    expect(await lags("ws-again-g")).toEqual([["ws-again", 0, null, 8, 8]]);
    await s.until("the new topic's eight records", () => s.records().length === 13, 12_000);
    expect(s.records().slice(5).map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    s.ws.close();
  });

  it("refuse a plain request and bad parameters with JSON errors", async () => {
    expect((await call("GET", "/ws/v1/consumer/ws-plain?topics=x")).status).toBe(426);
    const res = await SELF.fetch("http://runnel.test/ws/v1/consumer/ws-bad?permits=5", { headers: { upgrade: "websocket" } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error_code: 400, message: expect.stringMatching(/topics/) });
  });

  it("are listed with HTTP members of the same group", async () => {
    await createTopic("ws-mixed", 2);
    const s = await subscriber("ws-mixed-g", "topics=ws-mixed&permits=1");
    const http = await consumer("ws-mixed-g");
    await call("POST", `${http}/subscription`, { topics: ["ws-mixed"] });
    await s.until("a shared assignment", () => s.lastAssignment()?.partitions.length === 1);
    const g = await call("GET", "/v3/clusters/runnel-local/consumer-groups/ws-mixed-g");
    expect(g.body.consumers.map((c: Frame) => c.client_id).sort()).toEqual(["http", "websocket"]);
    s.ws.close();
  });
});
